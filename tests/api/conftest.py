"""Fixtures for the API: token clients placed in the test tree, and stored metric values."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from councils.api_tokens import api_token_create
from dashboard import snapshots
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


def add_values(
    org,
    metric="sickness_absence_rate",
    months=MONTHS,
    base=4.0,
    people=100,
    capture=True,
    **kw,
):
    """Stored figures of ``metric`` for ``org``, then (unless ``capture`` is false: the caller
    adds more first) a snapshot of the store, as a recompute would commit one."""
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
    created = MetricValue.objects.bulk_create(rows)
    if capture:
        snapshots.capture()  # the API reads the figures of the latest snapshot
    return created


@pytest.fixture
def values(tree):
    """Sickness absence and appraisal for every organisation of the tree, Jan 2024 - Mar 2025."""
    for org in tree.values():
        add_values(org, "sickness_absence_rate", base=4.0, capture=False)
        add_values(org, "appraisal_rate", base=85.0, capture=False)
        add_values(
            org, "sickness_absence_rate", base=5.0, profession="physiotherapist", capture=False
        )
    snapshots.capture()  # one snapshot of them all, as one recompute commits
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


def seed_bodies(org, make_user):
    """At an ICS: its council with a member and a chair on the register; at a provider: its
    chief AHP on the register."""
    from councils.models import Body, BodyMember, LeadershipPost

    if org.level == "provider":
        LeadershipPost.objects.create(
            organisation=org, post="chief_ahp", status="interim", holder_name="Ida Interim"
        )
        return
    if org.level != "ics":
        return
    body, _ = Body.objects.get_or_create(
        organisation=org, kind=Body.Kind.ICS_COUNCIL, defaults={"name": f"{org.name} council"}
    )
    member = make_user(full_name="Cara Council")
    BodyMember.objects.create(body=body, user=member, position="chair")
    LeadershipPost.objects.create(
        organisation=org, body=body, post="chair", status="substantive", holder=member
    )


def seed_peer_benchmark(org, make_user):
    """A peer position of ``org`` (or, above a provider, of its first provider) among acute
    providers, and the acute peer stats it belongs to."""
    import datetime as dt

    from councils.models import Organisation
    from dashboard.models import PeerPosition, PeerStat

    provider = org if org.level == "provider" else org.subtree().filter(level="provider")[0]
    Organisation.objects.filter(pk=provider.pk).update(provider_type="acute")
    month, now = dt.date(2025, 3, 1), timezone.now()
    PeerStat.objects.get_or_create(
        provider_type="acute", metric="sickness_absence_rate", month=month,
        defaults=dict(count=7, minimum=2.0, lower_quartile=3.5, median=4.0,  # noqa: C408
                      upper_quartile=5.25, maximum=8.0, computed_at=now),
    )  # fmt: skip
    return PeerPosition.objects.get_or_create(
        organisation=provider, metric="sickness_absence_rate", month=month,
        defaults=dict(rank=3, quarter=2, computed_at=now),  # noqa: C408
    )[0]  # fmt: skip


def seed_meeting(org, make_user):
    """A council at ``org`` with a meeting, one agenda item, one decision and one action."""
    from councils.models import Body
    from delivery.meeting_models import AgendaItem, Decision, Meeting, MeetingAction

    body, _ = Body.objects.get_or_create(
        organisation=org, kind=Body.Kind.ICS_COUNCIL, defaults={"name": f"{org.code} council"}
    )
    meeting = Meeting.objects.create(
        body=body, title="Quarterly meeting", starts_at=timezone.now(), location="Room 1"
    )
    item = AgendaItem.objects.create(meeting=meeting, position=1, title="Turnover")
    Decision.objects.create(
        meeting=meeting, item=item, text="Agreed", decided_on=dt.date(2026, 10, 14)
    )
    MeetingAction.objects.create(
        meeting=meeting,
        item=item,
        description="Draft terms",
        owner=make_user("viewer", org),
        due_date=dt.date(2026, 11, 30),
    )
    return meeting


SEEDERS: list = [
    seed_import_run,
    seed_readiness,
    seed_delivery,
    seed_bodies,
    seed_peer_benchmark,
    seed_meeting,
]


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
    its next steps become action plan items; peer benchmarks of the tree's providers (all acute);
    a committed and a rejected staff file at RP5."""
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

    from councils.models import Body
    from delivery import meeting_services

    council = Body.objects.get_or_create(
        organisation=ics, kind=Body.Kind.ICS_COUNCIL, defaults={"name": "SYB ICS AHP council"}
    )[0]
    meeting = meeting_services.meeting_schedule(
        body=council,
        title="Quarterly council meeting",
        starts_at=timezone.now() - dt.timedelta(days=7),
        location="Oak House, Rotherham",
        actor=chair,
    )
    item = meeting_services.agenda_item_add(
        meeting=meeting, title="AHP turnover", link="metric", metric="turnover_rate"
    )
    meeting_services.decision_record(meeting=meeting, item=item, text="Set up a task group.")
    meeting_services.action_add(
        meeting=meeting,
        item=item,
        description="Draft the task group's terms of reference.",
        owner=chair,
        due_date=timezone.localdate() + dt.timedelta(days=14),
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

    # peer benchmarks: the tree's five providers are acute trusts, compared as the recompute
    # does it, over the metric values of the tree
    from councils.models import Organisation
    from dashboard import peers

    Organisation.objects.filter(level="provider").update(provider_type="acute")
    peers.refresh(None, timezone.now())

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

    from councils import bodies, leadership
    from councils.models import Body

    council, _ = Body.objects.get_or_create(
        organisation=ics, kind=Body.Kind.ICS_COUNCIL, defaults={"name": "SYB ICS AHP council"}
    )
    admin = make_user("org_admin", ics)
    bodies.member_add(by=admin, body=council, user=chair, position="chair")
    bodies.member_add(by=admin, body=council, user=respondent, position="member")
    leadership.post_save(
        by=chair, organisation=ics, body=council, status="substantive", holder=chair
    )
    leadership.post_save(by=chair, organisation=rhq, status="interim", holder=respondent)
    return tree
