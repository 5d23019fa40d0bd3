"""The API's organisation-addressed URLs for the isolation matrix (session login, analyst role).
Lists are filtered by scope rather than addressed by organisation: tests/api/test_isolation.py
walks them with tokens of a sibling organisation."""

import datetime as dt

from django.utils import timezone

from tests.isolation import ScopedURL


def _metric_value(org, make_user):
    from dashboard.models import MetricValue

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
    return {"pk": value.pk}


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


PROVIDER_AND_ICS = ("provider", "ics")

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
