"""Annual metrics (PRODUCT.md 3.3): the staff survey is shown per survey year, never repeated
month by month into a chart; no XmR chart until there are enough years."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from ahpportal.months import month_range
from dashboard import metrics as catalogue
from dashboard import selectors
from dashboard.models import MetricValue

ENGAGEMENT = "staff_engagement_score"


def _value(org, metric, month, value, people=100):
    return MetricValue(
        organisation=org,
        month=month,
        metric=metric,
        numerator=value * people,
        denominator=people,
        value=value,
        people=people,
        providers_reporting=1,
        providers_total=1,
        computed_at=timezone.now(),
    )


@pytest.fixture
def survey(tree):
    """QF7: survey 2024 at 6.6, survey 2025 at 6.9 (stored at January of each year, as the
    engine stores them), and monthly sickness absence October 2024 - September 2026."""
    org = tree["QF7"]
    months = month_range(dt.date(2024, 10, 1), dt.date(2026, 9, 1))
    MetricValue.objects.bulk_create(
        [
            _value(org, ENGAGEMENT, dt.date(2024, 1, 1), 6.6),
            _value(org, ENGAGEMENT, dt.date(2025, 1, 1), 6.9),
            *(_value(org, "sickness_absence_rate", m, 4.0) for m in months),
        ]
    )
    return tree


def test_the_catalogue_marks_the_staff_survey_as_annual():
    assert catalogue.get(ENGAGEMENT).annual
    assert catalogue.ANNUAL_CODES == (ENGAGEMENT,)
    assert catalogue.annual_month(2025) == dt.date(2025, 1, 1)


def test_the_scorecard_shows_the_latest_survey_year_with_its_target(survey, client_for):
    """September 2026 is the latest month: the 2025 survey (6.9) is the latest figure, against
    the default target of 7.0 (within 10%), not "No data" and "No target"."""
    user = client_for("chair", survey["QF7"]).user
    card = selectors.scorecard_for(user, survey["QF7"], selectors.Filters())
    assert card.month == dt.date(2026, 9, 1)
    assert dt.date(2024, 1, 1) not in card.months  # a survey year's January is not a month
    row = next(r for r in card.rows if r.metric.code == ENGAGEMENT)
    assert row.display == "6.9"
    assert row.period_note == "2025 staff survey"
    assert row.target_display == "7.0"
    assert row.status_label == "Within 10% of target"
    assert row.months == [dt.date(2024, 1, 1), dt.date(2025, 1, 1)]
    assert row.series == [6.6, 6.9]
    assert row.variation_label == "Not enough survey years for an XmR chart (2 of at least 12)"
    assert row.assurance_label == row.variation_label
    page = client_for("chair", survey["QF7"]).get(reverse("dashboard:scorecard", args=["QF7"]))
    assert "2025 staff survey" in page.content.decode()


def test_an_earlier_month_shows_the_survey_year_of_that_month(survey, client_for):
    user = client_for("chair", survey["QF7"]).user
    card = selectors.scorecard_for(
        user, survey["QF7"], selectors.Filters(month=dt.date(2024, 11, 1))
    )
    row = next(r for r in card.rows if r.metric.code == ENGAGEMENT)
    assert (row.display, row.period_note, row.series) == ("6.6", "2024 staff survey", [6.6])


def test_the_metric_page_has_no_chart_until_there_are_enough_years(survey, client_for):
    page = (
        client_for("chair", survey["QF7"])
        .get(reverse("dashboard:metric", args=["QF7", ENGAGEMENT]))
        .content.decode()
    )
    assert "one figure per survey year, never repeated month by month" in page
    assert "An XmR chart needs at least 12 survey years; there are 2 so far" in page
    assert 'aria-labelledby="xmr-' not in page
    table = page[page.index("by survey year, ") :]
    assert '<th class="nhsuk-table__header" scope="col">Survey year</th>' in table
    assert ">2024</th>" in table and ">2025</th>" in table
    assert "Latest value (2025 staff survey)" in page


def test_a_status_without_a_value_says_no_data_not_no_target(tree, client_for):
    row = selectors.MetricRow(metric=catalogue.get("appraisal_rate"), applicable=True)
    row.target = 90.0
    assert row.status_label == "No data"
    row.target = None
    assert row.status_label == "No target"
