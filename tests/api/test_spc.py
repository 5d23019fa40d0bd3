"""GET /api/v1/spc/: SPC verdicts per organisation x metric over the stored monthly series."""

import datetime as dt

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
    with django_assert_max_num_queries(8):
        assert len(client.get(URL, {"page_size": 10}).json()["results"]) == 20
