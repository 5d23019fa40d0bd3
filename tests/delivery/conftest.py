import datetime as dt

import pytest
from django.utils import timezone

from ahpportal.months import add_months
from dashboard.models import MetricValue
from delivery import services


@pytest.fixture
def syb_plan(tree):
    """The SYB ICS (QF7) plan seeded from seed 000 appendix 1."""
    return services.plan_seed_from_appendix(organisation=tree["QF7"]).plan


@pytest.fixture
def action_of(syb_plan):
    """``action_of("1.1")``: a seeded action by its place in the seed."""
    from delivery.models import Action

    def get(ref):
        return Action.objects.select_related("theme").get(theme__plan=syb_plan, seed_ref=ref)

    return get


@pytest.fixture
def metric_series(db):
    """``metric_series(org, "turnover_rate", [values oldest first], latest=date(...))``."""

    def make(org, metric, values, *, latest=dt.date(2026, 9, 1), people=100, **kw):
        now = timezone.now()
        rows = [
            MetricValue(
                organisation=org,
                metric=metric,
                month=add_months(latest, i + 1 - len(values)),
                numerator=value,
                denominator=100,
                value=value,
                people=people,
                suppressed=people is not None and people < 5,
                providers_reporting=kw.get("providers_reporting", 3),
                providers_total=kw.get("providers_total", 3),
                computed_at=now,
                profession=kw.get("profession", "all"),
                band_group=kw.get("band_group", "all"),
            )
            for i, value in enumerate(values)
        ]
        return MetricValue.objects.bulk_create(rows)

    return make


# --- governance: bodies, meetings -------------------------------------------------------------


def _body(org, kind, name):
    from councils.models import Body

    return Body.objects.get_or_create(organisation=org, kind=kind, defaults={"name": name})[0]


@pytest.fixture
def council(tree):
    from councils.models import Body

    return _body(tree["QF7"], Body.Kind.ICS_COUNCIL, "SYB ICS AHP council")


@pytest.fixture
def other_council(tree):
    from councils.models import Body

    return _body(tree["QWO"], Body.Kind.ICS_COUNCIL, "West Yorkshire ICS AHP council")


@pytest.fixture
def board(tree):
    from councils.models import Body

    return _body(tree["Y63"], Body.Kind.REGIONAL_BOARD, "North East and Yorkshire AHP board")


@pytest.fixture
def faculty(tree):
    from councils.models import Body

    return _body(tree["QF7"], Body.Kind.ICS_FACULTY, "SYB ICS AHP faculty")


@pytest.fixture
def schedule():
    """``schedule(body, days=7)``: a meeting of ``body`` that many days from now (negative:
    past), made through the service."""
    from delivery import meeting_services

    def make(body, days=7, title="Quarterly meeting"):
        return meeting_services.meeting_schedule(
            body=body,
            title=title,
            starts_at=timezone.now() + dt.timedelta(days=days),
            location="Oak House, Rotherham",
        )

    return make
