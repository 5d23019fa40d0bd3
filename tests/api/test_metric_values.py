"""GET /api/v1/metric-values/: the stored figures, filtered, in long and wide shapes."""

import datetime as dt

from dashboard.models import MetricValue
from tests.api.conftest import MONTHS, add_values

URL = "/api/v1/metric-values/"


def rows(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_an_organisation_gets_its_all_professions_values_by_default(token_for, values):
    client = token_for("analyst", values["QF7"])
    results = rows(client.get(URL, {"organisation": "QF7", "page_size": 1000}))
    assert len(results) == 2 * len(MONTHS)
    assert {r["organisation"] for r in results} == {"QF7"}
    assert {r["profession"] for r in results} == {"all"}
    stored = MetricValue.objects.get(
        organisation=values["QF7"],
        metric="sickness_absence_rate",
        month=dt.date(2024, 2, 1),
        profession="all",
    )
    row = next(
        r for r in results if r["metric"] == "sickness_absence_rate" and r["month"] == "2024-02"
    )
    assert row["value"] == stored.value and row["suppressed"] is False
    assert row["level"] == "ics" and row["people"] == 100


def test_filters_metric_domain_profession_level_subtree_and_months(token_for, values):
    client = token_for("analyst", values["QF7"])
    get = lambda **p: rows(client.get(URL, {"page_size": 1000, **p}))  # noqa: E731
    assert {r["metric"] for r in get(metric="appraisal_rate")} == {"appraisal_rate"}
    assert {r["metric"] for r in get(domain="supporting_staff")} == {
        "appraisal_rate",
        "sickness_absence_rate",
    }
    assert {r["metric"] for r in get(domain="quality_care")} == set()
    physio = get(organisation="QF7", profession="physiotherapist")
    assert {(r["metric"], r["profession"]) for r in physio} == {
        ("sickness_absence_rate", "physiotherapist")
    }
    assert {r["profession"] for r in get(organisation="QF7", profession="*")} == {
        "all",
        "physiotherapist",
    }
    assert {r["organisation"] for r in get(level="provider")} == {"RP5", "RXE", "RHQ"}
    assert {r["organisation"] for r in get(organisation="QF7-DON", subtree="true")} == {
        "QF7-DON",
        "RP5",
        "RXE",
    }
    window = get(
        organisation="QF7", metric="appraisal_rate", month_from="2024-11", month_to="2025-01"
    )
    assert [r["month"] for r in window] == ["2024-11", "2024-12", "2025-01"]


def test_single_bands_are_filtered_like_band_groups(token_for, values):
    qf7 = values["QF7"]
    add_values(qf7, "ethnic_minority_share", base=20.0)
    add_values(qf7, "ethnic_minority_share", base=9.5, band_group="band_8c")
    add_values(qf7, "ethnic_minority_share", base=4.0, band_group="band_9", people=3)
    add_values(qf7, "disabled_share", base=5.0, band_group="support")
    client = token_for("analyst", qf7)
    get = lambda **p: rows(client.get(URL, {"organisation": "QF7", "page_size": 1000, **p}))  # noqa: E731
    senior = get(band_group="band_8c,band_9", metric="ethnic_minority_share")
    assert {(r["band_group"], r["profession"]) for r in senior} == {
        ("band_8c", "all"),
        ("band_9", "all"),
    }
    assert len(senior) == 2 * len(MONTHS)
    assert {r["band_group"] for r in get(band_group="band_2")} == set()
    assert {r["band_group"] for r in get(band_group="support,band_9")} == {"support", "band_9"}
    assert "band_8c" in {r["band_group"] for r in get(band_group="*")}
    # the default is still the all-bands figure
    assert {r["band_group"] for r in get(metric="ethnic_minority_share")} == {"all"}
    # the analyst's own organisation: small numbers are shown; the definitions say which
    # metrics are kept by single band
    assert all(r["suppressed"] is False for r in senior)
    definitions = {m["code"]: m for m in client.get("/api/v1/metrics/").json()}
    assert definitions["disabled_share"]["by_band"] is True
    assert definitions["sickness_absence_rate"]["by_band"] is False
    # and the period of each figure: placements by quarter, the staff survey by year
    assert definitions["placement_fill_rate"]["period"] == "quarter"
    assert definitions["staff_engagement_score"]["period"] == "year"
    assert definitions["sickness_absence_rate"]["period"] == "month"


def test_bad_filters_are_400_problems_naming_the_field(token_for, values):
    client = token_for("analyst", values["QF7"])
    for params, field in [
        ({"metric": "happiness"}, "metric"),
        ({"month_from": "March"}, "month_from"),
        ({"profession": "wizards"}, "profession"),
        ({"band_group": "band10"}, "band_group"),
        ({"band_group": "band_1"}, "band_group"),
        ({"band_group": "band_8e"}, "band_group"),
        ({"shape": "round"}, "shape"),
        ({"page_size": "5000"}, "page_size"),
        ({"cursor": "xyz"}, "cursor"),
    ]:
        response = client.get(URL, params)
        assert response.status_code == 400, params
        assert response["Content-Type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == field


def test_an_organisation_outside_the_scope_is_404(token_for, values):
    client = token_for("analyst", values["QF7"])
    assert client.get(URL, {"organisation": "QWO"}).status_code == 404
    assert client.get(URL, {"organisation": "RR8"}).status_code == 404
    assert {r["organisation"] for r in rows(client.get(URL, {"page_size": 1000}))} <= {
        "QF7",
        "QF7-DON",
        "QF7-SHE",
        "RP5",
        "RXE",
        "RHQ",
    }


def test_the_wide_shape_has_one_row_per_organisation_and_month(token_for, values):
    client = token_for("analyst", values["QF7"])
    results = rows(client.get(URL, {"organisation": "QF7", "shape": "wide", "page_size": 100}))
    assert len(results) == len(MONTHS)
    first = results[0]
    assert first["organisation"] == "QF7" and first["month"] == "2024-01"
    assert first["values"]["sickness_absence_rate"] == 4.0
    assert first["values"]["appraisal_rate"] == 85.0
    assert first["values"]["vacancy_rate"] is None
    assert first["suppressed"] == []


def test_the_wide_shape_pages_without_splitting_a_row(token_for, values):
    client = token_for("analyst", values["QF7"])
    seen = []
    url = URL + "?shape=wide&metric=sickness_absence_rate,appraisal_rate&page_size=7"
    while url:
        body = client.get(url).json()
        for row in body["results"]:
            assert set(row["values"]) == {"sickness_absence_rate", "appraisal_rate"}
            assert None not in row["values"].values()
        seen.extend((r["organisation"], r["month"]) for r in body["results"])
        url = body["next"]
    assert len(seen) == len(set(seen)) == 6 * len(MONTHS)


def test_cursor_pagination_walks_every_row_once(token_for, values):
    client = token_for("analyst", values["QF7"])
    ids, url, pages = [], URL + "?page_size=50", 0
    while url:
        body = client.get(url).json()
        ids.extend(r["id"] for r in body["results"])
        url, pages = body["next"], pages + 1
    assert len(ids) == len(set(ids)) == 6 * 2 * len(MONTHS)
    assert pages == -(-len(ids) // 50)


def test_a_page_of_values_takes_a_constant_number_of_queries(
    token_for, values, django_assert_max_num_queries
):
    client = token_for("analyst", values["ENG"])
    with django_assert_max_num_queries(8):
        assert len(rows(client.get(URL, {"page_size": 400}))) == 400


def test_small_numbers_are_suppressed_for_organisations_outside_the_users_own(tree, make_user):
    from rest_framework.test import APIRequestFactory

    from dashboard.api.metric_values import MetricValueViewSet

    (small,) = add_values(tree["RR8"], months=[dt.date(2025, 1, 1)], people=3)
    analyst = make_user("analyst", tree["QF7"])  # RR8 is outside this user's view scope
    request = APIRequestFactory().get(URL)
    request.user = analyst
    view = MetricValueViewSet(request=request, format_kwarg=None)
    hidden = view.serialize_rows([_values_row(small)])[0]
    assert hidden["value"] is None and hidden["numerator"] is None and hidden["suppressed"]
    above = make_user("analyst", tree["QWO"])  # RR8's ICS: a role above is not a role at it
    request.user = above
    assert view.serialize_rows([_values_row(small)])[0]["suppressed"] is True
    insider = make_user("analyst", tree["RR8"])
    request.user = insider
    shown = view.serialize_rows([_values_row(small)])[0]
    assert shown["value"] == small.value and shown["suppressed"] is False


def _values_row(value):
    from dashboard.api.metric_values import _values

    return _values(MetricValue.objects.filter(pk=value.pk)).get()


def test_definitions_list_the_catalogue(token_for, tree):
    from dashboard.metrics import CATALOGUE

    client = token_for("analyst", tree["QF7"])
    body = client.get("/api/v1/metrics/").json()
    assert [m["code"] for m in body] == [m.code for m in CATALOGUE]
    one = client.get("/api/v1/metrics/sickness_absence_rate/").json()
    assert one["direction"] == "lower" and one["unit"] == "percent"
    assert client.get("/api/v1/metrics/nope/").status_code == 404
    staff = client.get("/api/v1/metrics/", {"domain": "supporting_staff"}).json()
    assert {m["domain"] for m in staff} == {"supporting_staff"}


def test_the_api_gives_the_dashboards_numbers(token_for, values):
    from dashboard import selectors

    client = token_for("analyst", values["QF7"])
    card = selectors.scorecard_for(client.user, values["QF7"], selectors.Filters())
    month = card.month.strftime("%Y-%m")
    api = {
        r["metric"]: r["value"]
        for r in rows(
            client.get(URL, {"organisation": "QF7", "month_from": month, "month_to": month})
        )
    }
    shown = {
        row.metric.code: row.figure.value
        for _, _, metric_rows in card.domains
        for row in metric_rows
        if row.figure.value is not None
    }
    assert shown and shown == api
