"""The metric page: accessible XmR chart with a table of the same numbers, drill-down to the
children, benchmarking against siblings and England with a rank, suppression and query counts."""

import re

import pytest
from django.urls import reverse

from dashboard import metrics as catalogue
from tests.dashboard.pages_data import LATEST, make_values, tree_values

SICKNESS = catalogue.get("sickness_absence_rate")


def _url(org, metric="sickness_absence_rate", **params):
    from urllib.parse import urlencode

    url = reverse("dashboard:metric", kwargs={"code": org.code, "metric": metric})
    return f"{url}?{urlencode(params)}" if params else url


@pytest.fixture
def figures(tree):
    """Sickness absence: level 4% with a spike to 9% in the last month at QF7 (special cause of
    concern); sibling ICS QWO 3.5%, QMJ 6%; RXE rests on 3 people."""

    def override(org, metric, k):
        if metric.code != "sickness_absence_rate":
            return None
        if org.code == "QF7":
            return {"value": 9.0 if k == 23 else 4.0 + (k % 3) * 0.1}
        if org.code == "QWO":
            return {"value": 3.5}
        if org.code == "QMJ":
            return {"value": 6.0}
        if org.code == "RXE":
            return {"value": 2.75, "people": 3}
        return None

    return tree_values(tree, metrics=[SICKNESS, catalogue.get("vacancy_rate")], override=override)


def test_the_chart_is_an_accessible_svg_with_a_table_of_the_same_numbers(tree, figures, client_for):
    page = client_for("chair", tree["QF7"]).get(_url(tree["QF7"])).content.decode()
    svg = re.search(r"<svg[^>]*aria-labelledby=\"xmr-[^>]*>.*?</svg>", page, re.S).group(0)
    assert 'role="img"' in svg
    assert '<title id="xmr-sickness_absence_rate-title">' in svg
    assert '<desc id="xmr-sickness_absence_rate-desc">' in svg
    assert "Jul 2023 (4.0%) to Jun 2025 (9.0%)" in svg
    table = page[page.index("by month, ") :]
    assert table.count('<th class="nhsuk-table__cell" scope="row">') >= 24
    assert "June 2025" in table and "9.0%" in table and "July 2023" in table


def test_special_cause_points_are_marked_by_shape_and_in_words(tree, figures, client_for):
    page = client_for("chair", tree["QF7"]).get(_url(tree["QF7"])).content.decode()
    # a diamond (concerning) polygon, and the words in the table
    assert re.search(r'<polygon points="[^"]+" fill="#b35900"', page)
    assert "Special cause, concerning: outside the process limits" in page
    assert "Special cause variation: concerning" in page
    assert "Upper process limit" in page and "Mean" in page


def test_it_drills_down_to_each_child_organisation(tree, figures, client_for):
    page = client_for("chair", tree["QF7"]).get(_url(tree["QF7"])).content.decode()
    drill = page[page.index('id="drill-down"') : page.index('id="benchmarking"')]
    assert "Doncaster" in drill and "Sheffield" in drill
    assert reverse("dashboard:metric", args=["QF7-DON", "sickness_absence_rate"]) in drill


def test_it_benchmarks_against_sibling_systems_and_england_with_a_rank(tree, figures, client_for):
    page = client_for("chair", tree["QF7"]).get(_url(tree["QF7"])).content.decode()
    bench = page[page.index('id="benchmarking"') :]
    assert "West Yorkshire Integrated Care System" in bench and "3.5%" in bench
    assert "North Central London" not in bench  # another region's ICS is not a sibling
    # lower is better: QWO 3.5% first, QF7 9.0% second of two
    assert "ranks <strong>2 of 2</strong>" in bench
    assert "England: <strong>" in bench
    # a sibling is a benchmark, not a link into its pages
    assert reverse("dashboard:metric", args=["QWO", "sickness_absence_rate"]) not in bench


def test_a_provider_sees_a_small_sibling_value_as_fewer_than_5(tree, figures, client_for):
    page = client_for("viewer", tree["RP5"]).get(_url(tree["RP5"])).content.decode()
    bench = page[page.index('id="benchmarking"') :]
    row = bench[bench.index("Rotherham Doncaster") :]
    row = row[: row.index("</tr>")]
    assert "fewer than 5" in row
    assert "2.8%" not in page


def test_only_the_owner_sees_the_small_value_itself(tree, figures, client_for):
    own = client_for("viewer", tree["RXE"]).get(_url(tree["RXE"])).content.decode()
    assert "2.8%" in own and "fewer than 5" not in own[: own.index('id="benchmarking"')]
    # those above see "fewer than 5" (PRODUCT.md 3.4: parents included)
    place = client_for("viewer", tree["QF7-DON"]).get(_url(tree["QF7-DON"])).content.decode()
    drill = place[place.index('id="drill-down"') :]
    assert "2.8%" not in drill
    row = drill[drill.index("Rotherham Doncaster") :]
    assert "fewer than 5" in row[: row.index("</tr>")]


def test_a_sibling_cannot_open_the_metric_page_of_a_sibling(tree, figures, client_for):
    assert client_for("viewer", tree["RXE"]).get(_url(tree["RP5"])).status_code == 404
    assert client_for("viewer", tree["QWO"]).get(_url(tree["QF7"])).status_code == 404


def test_an_unknown_metric_is_404(tree, figures, client_for):
    response = client_for("viewer", tree["QF7"]).get(_url(tree["QF7"], metric="no_such_metric"))
    assert response.status_code == 404


def test_a_metric_not_recorded_by_profession_says_so(tree, figures, client_for):
    url = _url(tree["QF7"], metric="bank_agency_spend_rate", profession="physiotherapist")
    page = client_for("viewer", tree["QF7"]).get(url).content.decode()
    assert "Not recorded by profession" in page


def test_filters_apply_to_the_chart_and_the_benchmarks(tree, figures, client_for):
    make_values(
        [tree["QF7"], tree["QWO"]],
        metrics=[SICKNESS],
        profession="physiotherapist",
        override=lambda o, m, k: {"value": 7.25 if o.code == "QF7" else 1.5},
    )
    url = _url(tree["QF7"], profession="physiotherapist", month=LATEST.strftime("%Y-%m"))
    page = client_for("viewer", tree["QF7"]).get(url).content.decode()
    assert "7.2%" in page and "1.5%" in page
    assert "ranks <strong>2 of 2</strong>" in page


@pytest.mark.parametrize("code", ["ENG", "Y63", "QF7", "QF7-DON", "RP5"])
def test_the_metric_page_makes_a_fixed_number_of_queries(
    code, tree, figures, client_for, django_assert_max_num_queries
):
    client = client_for("viewer", tree[code])
    with django_assert_max_num_queries(20):
        assert client.get(_url(tree[code])).status_code == 200
