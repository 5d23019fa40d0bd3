"""The API's organisation-addressed URLs for the isolation matrix (session login, analyst role).
Lists are filtered by scope rather than addressed by organisation: tests/api/test_isolation.py
walks them with tokens of a sibling organisation."""

import datetime as dt

from django.utils import timezone

from tests.councils.body_data import body_of as _body_of
from tests.isolation import ScopedURL


def _metric_value(org, make_user):
    from dashboard import snapshots
    from dashboard.models import MetricValue, MetricValueVersion

    value, _ = MetricValue.objects.get_or_create(
        organisation=org,
        month=dt.date(2025, 1, 1),
        metric="sickness_absence_rate",
        defaults=dict(  # noqa: C408
            numerator=4.0,
            denominator=100.0,
            value=4.0,
            people=50,
            computed_at=timezone.now(),
        ),
    )
    snapshots.capture()  # the API reads figures through the snapshots
    version = MetricValueVersion.objects.get(
        organisation=org, month=value.month, metric=value.metric, valid_to__isnull=True
    )
    return {"pk": version.pk}


def _snapshot(org, make_user):
    from dashboard import services

    run = services.request_recompute(
        provider_ids=list(org.subtree().filter(level="provider").values_list("pk", flat=True)),
        months=[dt.date(2025, 1, 1)],
        organisation=org,
        kind="on_demand",
    )
    services.recompute(run=run)
    return {"pk": run.snapshot.pk}


def _import_run(org, make_user):
    from tests.api.conftest import seed_import_run

    return {"pk": seed_import_run(org, make_user).pk}


def _readiness(kind):
    def build(org, make_user):
        from readiness.models import ActionItem, Answer, Submission
        from tests.api.conftest import seed_readiness

        cycle = seed_readiness(org, make_user)
        obj = {
            "cycle": cycle,
            "submission": Submission.objects.get(cycle=cycle),
            "answer": Answer.objects.get(submission__cycle=cycle),
            "action": ActionItem.objects.get(submission__cycle=cycle),
        }[kind]
        return {"pk": obj.pk}

    return build


def _delivery(kind):
    def build(org, make_user):
        from tests.api.conftest import seed_delivery

        plan = seed_delivery(org, make_user)
        obj = plan if kind == "plan" else plan.themes.last().actions.get()
        return {"pk": obj.pk}

    return build


def _body(org, make_user):
    return {"pk": _body_of(org).pk}


def _body_member(org, make_user):
    from councils.models import BodyMember

    return {"pk": BodyMember.objects.create(body=_body_of(org), user=make_user()).pk}


def _leadership_post(org, make_user):
    from councils.models import LeadershipPost

    post, _ = LeadershipPost.objects.get_or_create(
        organisation=org, post="chief_ahp", defaults={"status": "vacant"}
    )
    return {"pk": post.pk}


def _meeting(kind):
    def build(org, make_user):
        from tests.api.conftest import seed_meeting

        meeting = seed_meeting(org, make_user)
        obj = {
            "meeting": meeting,
            "decision": meeting.decisions.get(),
            "action": meeting.actions.get(),
        }[kind]
        return {"pk": obj.pk}

    return build


PROVIDER_AND_ICS = ("provider", "ics")
ICS_AND_REGION = ("ics", "region")

#: For each resource with a detail (by basename): how to make an object of an organisation, and
#: at which levels of the tree. Every resource of the registry with a detail must be here or in
#: NOT_ORGANISATION_DATA, or importing this module fails.
DETAILS = {
    "api-organisation": (None, ("provider", "place", "ics", "region")),
    "api-metric-value": (_metric_value, PROVIDER_AND_ICS),
    "api-readiness-cycle": (_readiness("cycle"), PROVIDER_AND_ICS),
    "api-readiness-submission": (_readiness("submission"), PROVIDER_AND_ICS),
    "api-readiness-answer": (_readiness("answer"), PROVIDER_AND_ICS),
    "api-action-plan": (_readiness("action"), PROVIDER_AND_ICS),
    "api-delivery-plan": (_delivery("plan"), PROVIDER_AND_ICS),
    "api-delivery-action": (_delivery("action"), PROVIDER_AND_ICS),
    "api-import-run": (_import_run, PROVIDER_AND_ICS),
    "api-body": (_body, ICS_AND_REGION),
    "api-body-member": (_body_member, ICS_AND_REGION),
    "api-leadership-post": (_leadership_post, PROVIDER_AND_ICS),
    "api-meeting": (_meeting("meeting"), ICS_AND_REGION),
    "api-meeting-decision": (_meeting("decision"), ICS_AND_REGION),
    "api-meeting-action": (_meeting("action"), ICS_AND_REGION),
    "api-snapshot": (_snapshot, PROVIDER_AND_ICS),
}
#: Details that hold no organisation's data (the metric catalogue).
NOT_ORGANISATION_DATA = {"api-metric"}


def _cases():
    from ahpportal.api.resources import RESOURCES

    cases = []
    for resource in RESOURCES:
        if resource.detail_name is None or resource.basename in NOT_ORGANISATION_DATA:
            continue
        if resource.basename not in DETAILS:
            raise LookupError(
                f"{resource.basename} has a detail but no case in tests/api/isolation_cases.py"
            )
        build, levels = DETAILS[resource.basename]
        extra = {"build": build} if build else {}
        cases += [
            ScopedURL(resource.detail_name, "analyst", level=level, **extra) for level in levels
        ]
    return cases


CASES = _cases()
