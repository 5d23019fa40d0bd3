"""CSV and XLSX exports of exactly what the scorecard shows, and the printable board report."""

import csv
import io

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from openpyxl import load_workbook

from dashboard import metrics as catalogue
from dashboard.models import MetricValue
from tests.dashboard.pages_data import LATEST, make_values, tree_values


def _url(name, org, **params):
    from urllib.parse import urlencode

    url = reverse(name, kwargs={"code": org.code})
    return f"{url}?{urlencode(params)}" if params else url


def _exceptional(org, metric, k):
    if org.code == "QF7" and metric.code == "sickness_absence_rate":
        return {"value": 9.0 if k == 23 else 4.0 + (k % 3) * 0.1}
    return None


@pytest.fixture
def figures(tree):
    return tree_values(tree, override=_exceptional)


def _csv_rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_has_the_filters_the_computed_at_time_and_every_metric(tree, figures, client_for):
    make_values(
        [tree["QF7"]], profession="physiotherapist", override=lambda o, m, k: {"value": 61.25}
    )
    client = client_for("chair", tree["QF7"])
    response = client.get(
        _url("dashboard:scorecard_csv", tree["QF7"], profession="physiotherapist", month="2025-06")
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "scorecard-QF7-2025-06-physiotherapist.csv" in response["Content-Disposition"]
    rows = _csv_rows(response)
    meta = {row[0]: row[1] for row in rows[1:8] if len(row) > 1}
    assert meta["Organisation code"] == "QF7"
    assert meta["Month"] == "June 2025"
    assert meta["Profession"] == "Physiotherapists"
    assert meta["Band group"] == "All bands"
    assert meta["Figures computed at"].startswith("2025-07-02 03:15")
    header = rows.index(
        [
            "Domain",
            "Metric",
            "Metric code",
            "Value",
            "Unit",
            "Target",
            "Status",
            "Variation (SPC)",
            "Assurance (SPC)",
            "Completeness",
            "Computed at",
        ]
    )
    body = rows[header + 1 :]
    assert [r[2] for r in body] == [
        m.code for _, _, ms in catalogue.by_domain(catalogue.SCORECARD) for m in ms
    ]
    vacancy = next(r for r in body if r[2] == "vacancy_rate")
    assert vacancy[3] == "61.2%" and vacancy[5] == "8.0%"
    engagement = next(r for r in body if r[2] == "staff_engagement_score")
    assert engagement[3] == "Not recorded by profession"


def test_the_csv_matches_the_page(tree, figures, client_for):
    client = client_for("chair", tree["QF7"])
    page = client.get(_url("dashboard:scorecard", tree["QF7"])).content.decode()
    for row in _csv_rows(client.get(_url("dashboard:scorecard_csv", tree["QF7"])))[10:]:
        assert row[1] in page and row[3] in page and row[6] in page


def test_the_xlsx_has_the_same_rows_with_numbers(tree, figures, client_for):
    client = client_for("chair", tree["QF7"])
    response = client.get(_url("dashboard:scorecard_xlsx", tree["QF7"], band_group="all"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Quality Dashboard scorecard"
    assert ["Organisation", tree["QF7"].name] == rows[1][:2]
    header = next(i for i, r in enumerate(rows) if r[0] == "Domain")
    sickness = next(r for r in rows[header + 1 :] if r[2] == "sickness_absence_rate")
    assert sickness[3] == 9.0 and sickness[5] == 4.0
    assert sickness[6] == "Not met"
    assert sickness[7] == "Special cause variation: concerning"


def test_exports_neutralise_formulas_in_names(tree, figures, client_for):
    qf7 = tree["QF7"]
    qf7.name = '=HYPERLINK("http://example.test")'
    qf7.save(update_fields=["name"])
    client = client_for("chair", qf7)
    rows = _csv_rows(client.get(_url("dashboard:scorecard_csv", qf7)))
    assert rows[1][1].startswith("'=")
    sheet = load_workbook(io.BytesIO(client.get(_url("dashboard:scorecard_xlsx", qf7)).content))
    assert sheet.active["B2"].value.startswith("'=")


def test_exports_of_a_small_figure_outside_scope_cannot_happen(tree, figures, client_for):
    """Exports are of the user's own organisation only: a sibling gets 404, not suppressed data."""
    MetricValue.objects.filter(organisation=tree["RP5"]).update(people=2)
    assert (
        client_for("chair", tree["RXE"])
        .get(_url("dashboard:scorecard_csv", tree["RP5"]))
        .status_code
        == 404
    )
    own = _csv_rows(
        client_for("chair", tree["RP5"]).get(_url("dashboard:scorecard_csv", tree["RP5"]))
    )
    assert "fewer than 5" not in {cell for row in own for cell in row}


def test_the_board_report_lists_exceptions_with_their_charts(tree, figures, client_for):
    client = client_for("chair", tree["QF7"])
    page = client.get(_url("dashboard:board_report", tree["QF7"], month="2025-06")).content
    page = page.decode()
    assert (
        "AHP Quality Dashboard: South Yorkshire and Bassetlaw Integrated Care System, June 2025"
        in page
    )
    exceptions = page[page.index(">Exceptions</h2>") :]
    assert "Sickness absence rate %: 9.0% (target 4.0%)" in exceptions
    assert 'id="exception-sickness_absence_rate-title"' in exceptions
    assert "Sickness absence rate %: last 12 months" in exceptions  # the chart's table
    assert ">Jun 25</th>" in exceptions and ">9.0%</td>" in exceptions
    assert "need the board&#x27;s attention" in page or "need the board's attention" in page


def test_the_board_report_prints_to_a4(tree, figures, client_for):
    page = client_for("chair", tree["QF7"]).get(_url("dashboard:board_report", tree["QF7"]))
    page = page.content.decode()
    head = page[: page.index("</head>")]
    # The print layout is a stylesheet of its own (no inline style under the CSP).
    assert "dashboard/board-report" in head and 'rel="stylesheet"' in head
    css = finders.find("dashboard/board-report.css")
    with open(css, encoding="utf-8") as f:
        css = f.read()
    assert "@media print" in css and "size: A4 landscape" in css and "size: A4 portrait" in css
    assert "break-inside: avoid" in css


@pytest.mark.parametrize(
    "name", ["dashboard:board_report", "dashboard:scorecard_csv", "dashboard:scorecard_xlsx"]
)
@pytest.mark.parametrize("code", ["ENG", "QF7", "RP5"])
def test_exports_make_a_fixed_number_of_queries(
    name, code, tree, figures, client_for, django_assert_max_num_queries
):
    client = client_for("viewer", tree[code])
    with django_assert_max_num_queries(20):
        assert client.get(_url(name, tree[code], month=LATEST.strftime("%Y-%m"))).status_code == 200
