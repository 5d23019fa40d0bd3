"""GET /api/v1/spc/: SPC verdicts per organisation x metric over the stored monthly series."""

import datetime as dt

import pytest

from dashboard import spc
from dashboard.models import MetricValue
from tests.api.conftest import add_values

URL = "/api/v1/spc/"


def test_verdicts_match_the_spc_module_on_the_stored_series(token_for, values):
    client = token_for("analyst", values["QF7"])
    body = client.get(URL, {"organisation": "QF7", "metric": "sickness_absence_rate"}).json()
    (verdict,) = body["results"]
    series = list(
        MetricValue.objects.filter(
            organisation=values["QF7"], metric="sickness_absence_rate", profession="all"
        )
        .order_by("month")
        .values_list("value", flat=True)
    )
    expected = spc.analyse(series, direction="lower", target=verdict["target"])
    assert verdict["variation"] == expected.variation
    assert verdict["assurance"] == expected.assurance
    assert verdict["mean"] == expected.mean and verdict["points"] == len(series)
    assert (verdict["first_month"], verdict["last_month"]) == ("2024-01", "2025-03")


def test_a_special_cause_is_reported(token_for, tree):
    months = [dt.date(2023, m, 1) for m in range(1, 13)] + [
        dt.date(2024, m, 1) for m in range(1, 13)
    ]
    rows = add_values(tree["RP5"], "sickness_absence_rate", months=months, base=4.0)
    last = rows[-1]
    last.value = 20.0
    last.save()
    client = token_for("analyst", tree["RP5"])
    (verdict,) = client.get(URL, {"organisation": "RP5"}).json()["results"]
    assert verdict["variation"] == "special_cause_concerning"
    assert verdict["latest_value"] == 20.0


def test_verdicts_page_by_organisation_within_the_scope(token_for, values):
    client = token_for("analyst", values["QF7"])
    body = client.get(URL, {"page_size": 2}).json()
    assert {v["organisation"] for v in body["results"]} == {"QF7", "QF7-DON"}
    rest = client.get(body["next"]).json()
    assert {v["organisation"] for v in rest["results"]} == {"RP5", "RXE"}
    assert client.get(URL, {"organisation": "QWO"}).status_code == 404
    level = client.get(URL, {"level": "provider", "metric": "appraisal_rate"}).json()
    assert {v["organisation"] for v in level["results"]} == {"RP5", "RXE", "RHQ"}


def test_a_target_set_above_applies_to_the_verdict(token_for, values, make_user):
    from dashboard.models import Target

    Target.objects.create(organisation=values["QF7"], metric="appraisal_rate", value=99.0)
    client = token_for("analyst", values["QF7"])
    body = client.get(URL, {"organisation": "RP5", "metric": "appraisal_rate"}).json()
    (verdict,) = body["results"]
    assert verdict["target"] == 99.0 and verdict["assurance"] in (
        "consistently_fail",
        "hit_and_miss",
        "insufficient_data",
    )


def test_spc_pages_take_a_constant_number_of_queries(
    token_for, values, django_assert_max_num_queries
):
    client = token_for("analyst", values["ENG"])
    # token (and its last use), memberships; the validators: recompute runs, the store's highest
    # id, targets, the change points in force (shared with the page), the tree; the page:
    # organisations, their values, their targets
    with django_assert_max_num_queries(11):
        assert len(client.get(URL, {"page_size": 10}).json()["results"]) == 20


def test_a_single_band_is_judged_like_the_metric_values_filter_accepts_it(token_for, tree):
    rows = add_values(tree["RP5"], "ethnic_minority_share", base=12.0, band_group="band_5")
    add_values(tree["RP5"], "ethnic_minority_share", base=30.0)  # all bands: another series
    client = token_for("analyst", tree["QF7"])
    params = {"organisation": "RP5", "metric": "ethnic_minority_share", "band_group": "band_5"}
    (verdict,) = client.get(URL, params).json()["results"]
    expected = spc.analyse(
        [r.value for r in rows], direction=verdict["direction"], target=verdict["target"]
    )
    assert verdict["band_group"] == "band_5" and verdict["points"] == len(rows)
    assert (verdict["mean"], verdict["variation"]) == (expected.mean, expected.variation)
    values = client.get("/api/v1/metric-values/", params).json()["results"]
    assert {v["value"] for v in values} == {r.value for r in rows}
    csv = client.get(URL, {**params, "format": "csv"})
    assert csv.status_code == 200 and b"band_5" in b"".join(csv.streaming_content)


def test_the_profession_and_month_filters_choose_the_series(token_for, values):
    client = token_for("analyst", values["QF7"])
    params = {"organisation": "RP5", "metric": "sickness_absence_rate"}
    (physio,) = client.get(URL, {**params, "profession": "physiotherapist"}).json()["results"]
    assert physio["profession"] == "physiotherapist" and physio["mean"] > 5
    (early,) = client.get(URL, {**params, "month_to": "2024-06"}).json()["results"]
    assert (early["first_month"], early["last_month"], early["points"]) == ("2024-01", "2024-06", 6)
    by_domain = client.get(URL, {"organisation": "RP5", "domain": "supporting_staff"}).json()
    metrics = {v["metric"] for v in by_domain["results"]}
    assert metrics == {"sickness_absence_rate", "appraisal_rate"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"band_group": "band_10"}, "band_group"),
        ({"band_group": "support,registered"}, "band_group"),
        ({"metric": "sickness_absence_rate,nope"}, "metric"),
        ({"metric": "100%s%(x)s"}, "metric"),  # found by Schemathesis: a 500 once
        ({"profession": "physiotherapist,dietitian"}, "profession"),
        ({"profession": "wizard"}, "profession"),
        ({"month_to": "March"}, "month_to"),
        ({"level": "galaxy"}, "level"),
        ({"domain": "nope"}, "domain"),
    ],
)
def test_a_bad_filter_is_a_400_problem_naming_it(token_for, values, params, field):
    client = token_for("analyst", values["QF7"])
    for extra in ({}, {"format": "csv"}):
        response = client.get(URL, {**params, **extra})
        assert response.status_code == 400, (params, extra)
        assert response["Content-Type"] == "application/problem+json"
        assert [e["field"] for e in response.json()["errors"]] == [field]


def test_the_filters_are_documented_in_the_schema(client, db):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/spc/"]["get"]["parameters"]}
    assert {
        "organisation",
        "subtree",
        "level",
        "metric",
        "domain",
        "profession",
        "band_group",
        "month_to",
    } <= set(parameters)
    assert {"all", "support", "registered", "band_2", "band_9"} <= set(
        parameters["band_group"]["schema"]["enum"]
    )
    assert all(parameters[name].get("description") for name in ("metric", "band_group"))


def test_no_assurance_or_target_for_a_metric_with_no_better_direction(token_for, tree):
    """PRODUCT.md 3.3: ethnic minority share (all bands) has no better direction, so no target
    and no assurance, even where a Target row was left from before that rule."""
    from dashboard.models import Target

    Target.objects.create(organisation=tree["RP5"], metric="ethnic_minority_share", value=10.0)
    add_values(tree["RP5"], "ethnic_minority_share", base=12.0)
    client = token_for("analyst", tree["RP5"])
    (verdict,) = client.get(URL, {"organisation": "RP5", "metric": "ethnic_minority_share"}).json()[
        "results"
    ]
    assert verdict["direction"] == "neither"
    assert verdict["target"] is None
    assert verdict["assurance"] is None
    assert verdict["assurance_label"] is None
    assert verdict["variation"] in (
        "common_cause",
        "special_cause_neither_high",
        "special_cause_neither_low",
    )
