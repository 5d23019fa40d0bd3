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


OBJECT_URLS = [
    ("api-readiness-cycle-detail", _readiness("cycle")),
    ("api-readiness-submission-detail", _readiness("submission")),
    ("api-readiness-answer-detail", _readiness("answer")),
    ("api-action-plan-detail", _readiness("action")),
    ("api-delivery-plan-detail", _delivery("plan")),
    ("api-delivery-action-detail", _delivery("action")),
]

CASES = [
    *[
        ScopedURL(name, "analyst", level=level, build=build)
        for name, build in OBJECT_URLS
        for level in ("provider", "ics")
    ],
    *[
        ScopedURL("api-organisation-detail", "analyst", level=level)
        for level in ("provider", "place", "ics", "region")
    ],
    *[
        ScopedURL("api-metric-value-detail", "analyst", level=level, build=_metric_value)
        for level in ("provider", "ics")
    ],
    *[
        ScopedURL("api-import-run-detail", "analyst", level=level, build=_import_run)
        for level in ("provider", "ics")
    ],
]
