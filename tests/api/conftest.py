"""Fixtures for the API: token clients placed in the test tree, and stored metric values."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from councils.api_tokens import api_token_create
from dashboard.models import MetricValue

MONTHS = [dt.date(2024, m, 1) for m in range(1, 13)] + [dt.date(2025, m, 1) for m in range(1, 4)]


@pytest.fixture(autouse=True)
def _clear_throttle_cache():
    cache.clear()
    yield
    cache.clear()


def bearer_client(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.fixture
def token_for(make_user):
    """``token_for("analyst", org)`` -> (client sending the token, user, token, secret)."""

    def make(roles=("analyst",), org=None, **kwargs):
        user = make_user(roles, org, **kwargs)
        token, secret = api_token_create(
            user=user, name="Tests", expires_on=timezone.localdate() + dt.timedelta(days=30)
        )
        client = bearer_client(secret)
        client.user, client.token, client.secret = user, token, secret
        return client

    return make


def add_values(org, metric="sickness_absence_rate", months=MONTHS, base=4.0, people=100, **kw):
    now = timezone.now()
    rows = [
        MetricValue(
            organisation=org,
            month=month,
            metric=metric,
            profession=kw.get("profession", "all"),
            band_group=kw.get("band_group", "all"),
            numerator=base + i % 3,
            denominator=100.0,
            value=base + i % 3,
            people=people,
            suppressed=people is not None and people < 5,
            providers_reporting=1,
            providers_total=1,
            computed_at=now,
        )
        for i, month in enumerate(months)
    ]
    return MetricValue.objects.bulk_create(rows)


@pytest.fixture
def values(tree):
    """Sickness absence and appraisal for every organisation of the tree, Jan 2024 - Mar 2025."""
    for org in tree.values():
        add_values(org, "sickness_absence_rate", base=4.0)
        add_values(org, "appraisal_rate", base=85.0)
        add_values(org, "sickness_absence_rate", base=5.0, profession="physiotherapist")
    return tree


@pytest.fixture
def seed_api_data(db, make_user):
    """``seed_api_data(org)`` creates a row of every API resource (that exists) belonging to org.

    Metric values come from the ``values`` fixture; readiness, delivery and import data are
    added here as those apps provide them."""

    def seed(org):
        for maker in SEEDERS:
            maker(org, make_user)

    return seed


def seed_import_run(org, make_user):
    from workforce.models import ImportRun

    return ImportRun.objects.create(
        organisation=org,
        dataset="staff",
        file_name="staff.csv",
        sha256="0" * 64,
        status="committed",
    )


def seed_readiness(org, make_user):
    """A cycle opened at ``org``, its submission with one answer, and one action plan item."""
    from readiness.models import ActionItem, Answer, Cycle, Section, Submission

    section = Section.objects.filter(answer_per="organisation").order_by("pk").first()
    chair = make_user("chair", org)
    cycle = Cycle.objects.create(
        organisation=org,
        section=section,
        name="2026/27",
        due_date=dt.date(2027, 3, 31),
        opened_by=chair,
    )
    submission = Submission.objects.create(cycle=cycle, organisation=org, status="signed_off")
    answer = Answer.objects.create(
        submission=submission,
        question=section.questions.order_by("position").first(),
        yes_no="N",
        response="Not yet",
        next_steps="Write one",
    )
    ActionItem.objects.create(
        organisation=org, submission=submission, answer=answer, description="Write one"
    )
    return cycle


def seed_delivery(org, make_user):
    """A delivery plan at ``org`` with one theme, one action and one progress update."""
    from delivery.models import Action, DeliveryPlan, ProgressUpdate, Theme

    plan, _ = DeliveryPlan.objects.get_or_create(organisation=org, defaults={"title": "Plan"})
    theme = Theme.objects.create(plan=plan, number=plan.themes.count() + 1, name="Supply")
    action = Action.objects.create(theme=theme, position=1, text="Grow apprenticeships")
    ProgressUpdate.objects.create(
        action=action, quarter="2026/27 Q1", status="on_track", narrative="Started"
    )
    return plan


SEEDERS: list = [seed_import_run, seed_readiness, seed_delivery]


def staff_csv(provider="RP5", band=None, rows=2, name="staff.csv"):
    """A staff file of ``rows`` valid rows for ``provider`` (``band`` makes every row wrong)."""
    import csv
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile

    from workforce.datasets import DATASETS

    spec = DATASETS["staff"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(spec.column_names)
    for i in range(rows):
        row = {c.name: c.example for c in spec.columns}
        row.update(provider_code=provider, staff_id=f"S{i:06d}")
        if band:
            row["band"] = band
        writer.writerow([row[name] for name in spec.column_names])
    return SimpleUploadedFile(name, out.getvalue().encode(), content_type="text/csv")


def seed_through_services(tree, make_user):
    """Data of every API resource in the SYB ICS, made the way people make it, through each
    app's services: the delivery plan seeded from appendix 1 with a progress update; the employer
    toolkit opened by the ICS chair, answered, submitted and signed off by Sheffield (RHQ), so
    its next steps become action plan items; a committed and a rejected staff file at RP5."""
    from delivery import services as delivery
    from readiness import services as readiness
    from readiness.models import Answer, Section
    from workforce.services import import_file

    ics, rhq, rp5 = tree["QF7"], tree["RHQ"], tree["RP5"]
    chair = make_user("chair", ics, full_name="Chris Chair")

    plan = delivery.plan_seed_from_appendix(organisation=ics).plan
    first = plan.themes.order_by("number").first().actions.order_by("position").first()
    delivery.update_add(
        action=first,
        quarter="2026/27 Q2",
        status="at_risk",
        narrative="Two providers have paused job planning.",
        author=chair,
    )

    section = Section.objects.filter(template__code="support_workforce", code="employer")
    cycle = readiness.cycle_open(
        actor=chair,
        organisation=ics,
        section=section.order_by("-template__version").first(),
        name="2026/27",
        due_date=timezone.localdate() + dt.timedelta(days=42),
        organisations=[rhq],
    )
    respondent = make_user("respondent", rhq, full_name="Sam Respondent")
    submission = cycle.submissions.get(organisation=rhq)
    for i, answer in enumerate(submission.answers.order_by("pk")):
        fields = {"yes_no": "N" if i % 3 == 0 else "Y", "response": "Agreed at the AHP council."}
        if i % 3 == 0:
            fields["next_steps"] = "Bring the support workforce data together each quarter."
        version = answer.version
        for field, value in fields.items():
            version, _ = readiness.answer_save_field(
                submission=submission,
                answer=answer,
                field=field,
                value=value,
                version=version,
                actor=respondent,
            )
    assert not Answer.objects.filter(submission=submission, yes_no="").exists()
    readiness.submission_submit(submission=submission, actor=respondent)
    readiness.submission_sign_off(submission=submission, actor=chair, comment="Thank you.")

    data_manager = make_user("data_manager", rp5)
    for file in (staff_csv(rows=3), staff_csv(band="10", name="staff-bad.csv")):
        import_file(
            dataset="staff",
            fileobj=file,
            file_name=file.name,
            organisation=rp5,
            user=data_manager,
            commit=True,
        )
    return tree
