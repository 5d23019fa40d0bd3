"""A measure of success linked to a dashboard metric shows that metric's latest value, target
status and SPC verdicts for the plan's organisation, read from MetricValue in constant queries."""

import datetime as dt

import pytest
from django.urls import reverse

from dashboard.metrics import CATALOGUE
from dashboard.models import Target
from delivery import services
from delivery.models import MeasureOfSuccess
from delivery.selectors import live_metrics, target_status

# 23 steady months around 10%, then a jump: special cause, concerning for a "lower is better" metric
STEADY_THEN_JUMP = [10.0, 10.4] * 11 + [10.2, 14.0]


def plan_html(client, quarter="2026/27 Q3"):
    url = reverse("delivery:plans", kwargs={"code": "QF7"}) + f"?quarter={quarter}"
    return client.get(url).content.decode()


@pytest.fixture
def linked_measure(action_of):
    measure = action_of("4.4").measures.get(position=1)
    return services.measure_link_metric(measure=measure, metric="turnover_rate", target=10.0)


def test_the_plan_shows_the_latest_value_status_and_spc_verdict(
    syb_plan, tree, client_for, linked_measure, metric_series
):
    metric_series(tree["QF7"], "turnover_rate", STEADY_THEN_JUMP, latest=dt.date(2026, 9, 1))
    # Rows that must not be read: another profession, another band group, another organisation
    metric_series(tree["QF7"], "turnover_rate", [1.0] * 24, profession="physiotherapists")
    metric_series(tree["QF7"], "turnover_rate", [2.0] * 24, band_group="support")
    metric_series(tree["QWO"], "turnover_rate", [3.0] * 24, latest=dt.date(2026, 10, 1))

    html = plan_html(client_for("viewer", tree["QF7"]))

    assert "Turnover rate % (12 months rolling)" in html
    assert "14.0%" in html
    assert "September 2026" in html
    assert "3 of 3 providers" in html
    assert '<strong class="nhsuk-tag nhsuk-tag--red">Not met</strong>' in html
    assert "Special cause variation: concerning" in html
    assert "Hit and miss against target" in html
    assert "1.0%" not in html and "2.0%" not in html and "3.0%" not in html


def test_a_new_month_of_data_shows_up_without_any_change_to_the_plan(
    syb_plan, tree, client_for, linked_measure, metric_series
):
    client = client_for("viewer", tree["QF7"])
    metric_series(tree["QF7"], "turnover_rate", [10.0, 10.4] * 6, latest=dt.date(2026, 8, 1))
    html = plan_html(client)
    assert "10.4%" in html and "August 2026" in html
    assert "Common cause variation" in html

    metric_series(tree["QF7"], "turnover_rate", [10.6], latest=dt.date(2026, 9, 1))
    html = plan_html(client)
    assert "10.6%" in html and "September 2026" in html
    assert "Within 10% of target" in html


def test_too_few_months_give_no_spc_verdict_but_still_a_value(
    syb_plan, tree, client_for, linked_measure, metric_series
):
    metric_series(tree["QF7"], "turnover_rate", [9.0, 9.5, 8.0])
    html = plan_html(client_for("viewer", tree["QF7"]))
    assert "8.0%" in html
    assert "Met</strong>" in html
    assert "Not enough data (fewer than 12 points)" in html


def test_no_data_yet_is_said_in_words(syb_plan, tree, client_for, linked_measure):
    html = plan_html(client_for("viewer", tree["QF7"]))
    assert "Turnover rate % (12 months rolling)" in html
    assert "No data yet" in html


def test_small_numbers_follow_the_dashboard_suppression_rule(
    syb_plan, tree, linked_measure, metric_series, make_user
):
    """Only roles held at the plan's organisation see a small figure; anyone else (a regional
    viewer, who can open the plan, included) sees "fewer than 5" (dashboard.suppression), and
    the selector asks that rule."""
    metric_series(tree["QF7"], "turnover_rate", [33.3], people=3)
    inside = make_user("viewer", tree["QF7"])
    outside = make_user("viewer", tree["QWO"])
    region = make_user("viewer", tree["Y63"])
    above = live_metrics(tree["QF7"], [linked_measure], region)[linked_measure.pk]
    assert (above.value, above.value_display) == (None, "fewer than 5")
    assert live_metrics(tree["QF7"], [linked_measure], inside)[linked_measure.pk].value == 33.3
    shown = live_metrics(tree["QF7"], [linked_measure], outside)[linked_measure.pk]
    assert (shown.value, shown.value_display, shown.status) == (None, "fewer than 5", "")


def test_without_its_own_target_a_measure_uses_the_dashboard_target(
    syb_plan, tree, client_for, action_of, metric_series
):
    measure = action_of("4.4").measures.get(position=1)
    services.measure_link_metric(measure=measure, metric="turnover_rate")
    metric_series(tree["QF7"], "turnover_rate", [10.5])
    client = client_for("viewer", tree["QF7"])
    html = plan_html(client)
    assert '10.0% <span class="app-muted">(Dashboard default)</span>' in html
    assert "Within 10% of target" in html

    Target.objects.create(organisation=tree["Y63"], metric="turnover_rate", value=12.0)
    html = plan_html(client)
    assert (
        '12.0% <span class="app-muted">(Dashboard target set by North East and Yorkshire)' in html
    )
    assert "Met</strong>" in html

    services.measure_link_metric(measure=measure, metric="turnover_rate", target=9.0)
    html = plan_html(client)
    assert '9.0% <span class="app-muted">(Set for this measure)</span>' in html
    assert "Not met</strong>" in html


def test_a_measure_without_a_target_shows_the_value_and_no_status(
    syb_plan, tree, client_for, action_of, metric_series
):
    measure = action_of("5.3").measures.get(position=1)
    services.measure_link_metric(measure=measure, metric="apprentices")
    metric_series(tree["QF7"], "apprentices", [41.0])
    html = plan_html(client_for("viewer", tree["QF7"]))
    assert "41" in html
    assert "No target set" in html


@pytest.mark.parametrize(
    "metric, value, target, status",
    [
        ("turnover_rate", 9.0, 10.0, "met"),
        ("turnover_rate", 10.0, 10.0, "met"),
        ("turnover_rate", 10.9, 10.0, "near"),
        ("turnover_rate", 11.1, 10.0, "not_met"),
        ("job_plan_coverage", 90.0, 90.0, "met"),
        ("job_plan_coverage", 81.5, 90.0, "near"),
        ("job_plan_coverage", 80.0, 90.0, "not_met"),
        ("support_workforce_share", 50.0, 40.0, ""),
        ("turnover_rate", None, 10.0, ""),
        ("turnover_rate", 5.0, None, ""),
    ],
)
def test_target_status_is_met_within_10_percent_or_not_met(metric, value, target, status):
    assert target_status(metric, value, target) == status


def test_live_metrics_for_every_linked_measure_take_four_queries(
    syb_plan, tree, metric_series, django_assert_num_queries, make_user
):
    user = make_user("viewer", tree["QF7"])
    measures = list(MeasureOfSuccess.objects.filter(action__theme__plan=syb_plan))
    codes = [m.code for m in CATALOGUE]
    for i, measure in enumerate(measures):
        measure.metric = codes[i % len(codes)]
    MeasureOfSuccess.objects.bulk_update(measures, ["metric"])
    for code in codes:
        metric_series(tree["QF7"], code, [float(n % 7 + 1) for n in range(24)])

    with django_assert_num_queries(4):  # latest months, values, change points, targets
        live = live_metrics(tree["QF7"], measures, user)

    assert len(live) == len(measures) == 32
    assert all(lm.month == dt.date(2026, 9, 1) for lm in live.values())


def test_the_plan_page_with_many_linked_measures_keeps_its_query_count(
    syb_plan, tree, client_for, metric_series, django_assert_max_num_queries
):
    client = client_for("viewer", tree["QF7"])
    measures = list(MeasureOfSuccess.objects.filter(action__theme__plan=syb_plan))
    for measure in measures:
        measure.metric = "turnover_rate"
    MeasureOfSuccess.objects.bulk_update(measures, ["metric"])
    metric_series(tree["QF7"], "turnover_rate", STEADY_THEN_JUMP)
    with django_assert_max_num_queries(16):  # the change points: one query for every measure
        html = plan_html(client)
    assert html.count("Special cause variation: concerning") == 32


# 12 months around 10%, then 12 around 14%: a shift, unless a chair records the change
LEVEL_CHANGE = [10.0, 10.4] * 6 + [14.0, 14.4] * 6


def test_a_chairs_change_point_applies_to_the_linked_measure_as_on_the_metric_page(
    syb_plan, tree, client_for, make_user, linked_measure, metric_series
):
    from dashboard import services as dashboard_services

    metric_series(tree["QF7"], "turnover_rate", LEVEL_CHANGE, latest=dt.date(2026, 9, 1))
    client = client_for("viewer", tree["QF7"])
    metric_page = reverse("dashboard:metric", kwargs={"code": "QF7", "metric": "turnover_rate"})
    concerning = "Special cause variation: concerning"
    assert concerning in plan_html(client)
    assert concerning in client.get(metric_page).content.decode()

    dashboard_services.change_point_record(
        organisation=tree["QF7"],
        metric="turnover_rate",
        month=dt.date(2025, 10, 1),  # the 13th month of the window: the first at 14%
        reason="New service model",
        actor=make_user("chair", tree["QF7"]),
    )
    plan, page = plan_html(client), client.get(metric_page).content.decode()
    assert concerning not in plan and concerning not in page
    assert "Common cause variation" in plan and "Common cause variation" in page
    # a change point at another organisation changes nothing here
    dashboard_services.change_point_record(
        organisation=tree["QWO"],
        metric="turnover_rate",
        month=dt.date(2026, 3, 1),
        reason="Elsewhere",
        actor=make_user("chair", tree["QWO"]),
    )
    assert "Common cause variation" in plan_html(client)
