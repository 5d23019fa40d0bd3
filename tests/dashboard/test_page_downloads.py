"""CSV and XLSX downloads of the metric page (XmR series, drill-down, benchmarking), the diversity
page and the supply page: what is on screen for the same filters, with the computed-at time,
the same suppression and completeness, scoped like the pages."""

import csv
import io
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboard import metrics as catalogue
from tests.dashboard.pages_data import LATEST, make_values, tree_values

SICKNESS = catalogue.get("sickness_absence_rate")
SHARE = catalogue.get("ethnic_minority_share")
DECLARED = catalogue.get("disability_declared_share")
DISABLED = catalogue.get("disabled_share")


def _metric_url(org, extension, metric="sickness_absence_rate", **params):
    url = reverse(
        "dashboard:metric_download",
        kwargs={"code": org.code, "metric": metric, "extension": extension},
    )
    return f"{url}?{urlencode(params)}" if params else url


def _url(name, org, extension, **params):
    url = reverse(name, kwargs={"code": org.code, "extension": extension})
    return f"{url}?{urlencode(params)}" if params else url


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def _meta(rows):
    meta = {}
    for row in rows[1:]:
        if not row:
            break
        meta[row[0]] = row[1]
    return meta


def _section(rows, title):
    """The rows of the section titled ``title``: header first."""
    start = rows.index([title]) + 1
    end = next((i for i in range(start, len(rows)) if not rows[i]), len(rows))
    return rows[start:end]


def _row(section, first):
    return next(row for row in section if row[0] == first)


def _cells(rows):
    return {cell for row in rows for cell in row}


@pytest.fixture
def figures(tree):
    """As on the metric page's tests: QF7 4% with a spike to 9% in June 2025; sibling ICS QWO
    3.5%; RXE (a provider under Doncaster) rests on 3 people."""

    def override(org, metric, k):
        if metric.code != "sickness_absence_rate":
            return None
        if org.code == "QF7":
            return {"value": 9.0 if k == 23 else 4.0 + (k % 3) * 0.1}
        if org.code == "QWO":
            return {"value": 3.5}
        if org.code == "RXE":
            return {"value": 2.75, "people": 3}
        return None

    return tree_values(tree, metrics=[SICKNESS], override=override)


def test_the_metric_csv_holds_the_series_drill_down_and_benchmarks(tree, figures, client_for):
    client = client_for("chair", tree["QF7"])
    response = client.get(_metric_url(tree["QF7"], "csv", month="2025-06"))
    assert "sickness_absence_rate-QF7-2025-06.csv" in response["Content-Disposition"]
    rows = _csv(response)
    meta = _meta(rows)
    assert meta["Metric code"] == "sickness_absence_rate"
    assert meta["Organisation code"] == "QF7"
    assert meta["Month"] == "June 2025"
    assert meta["Profession"] == "All professions"
    assert meta["Band group"] == "All bands"
    assert meta["Figures computed at"].startswith("2025-07-02 03:15")
    assert meta["Latest value"] == "9.0%"
    assert meta["Rank"] == "2 of 2 (1 is best)"
    assert meta["Completeness"] == "2 of 3 providers"
    series = _section(rows, "Sickness absence rate % by month")
    assert series[0] == ["Month", "Value", "Special cause", "Change point", "Providers reporting"]
    assert len(series) == 25  # header and 24 months, as the page's table
    june = _row(series, "June 2025")
    assert june[1] == "9.0%"
    assert june[2] == "Special cause, concerning: outside the process limits"
    assert june[4] == "2 of 3 providers"
    assert _row(series, "July 2023")[1] == "4.0%"
    chart = _section(rows, "Chart")
    assert _row(chart, "Mean") and _row(chart, "Upper process limit")
    drill = _section(
        rows, "Drill down: organisations below South Yorkshire and Bassetlaw Integrated Care System"
    )
    assert [row[1] for row in drill[1:]] == ["QF7-DON", "QF7-SHE"]
    bench = _section(rows, "Benchmarking: organisations at the same level")
    assert bench[0] == [
        "Organisation",
        "Organisation code",
        "Value",
        "Rank (1 is best)",
        "Completeness",
    ]
    assert _row(bench, "West Yorkshire Integrated Care System")[2:4] == ["3.5%", "1"]
    assert _row(bench, "South Yorkshire and Bassetlaw Integrated Care System")[2:4] == [
        "9.0%",
        "2",
    ]
    assert _row(bench, "NHS England")[3] == ""  # England is beside the ranking, not in it


def test_the_metric_xlsx_has_the_same_rows_with_numbers(tree, figures, client_for):
    client = client_for("chair", tree["QF7"])
    response = client.get(_metric_url(tree["QF7"], "xlsx", month="2025-06"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    june = next(row for row in rows if row[0] == "June 2025")
    assert june[1] == 9.0
    west = next(row for row in rows if row[0] == "West Yorkshire Integrated Care System")
    assert west[2:4] == [3.5, 1]


def test_the_metric_download_follows_the_filters(tree, figures, client_for):
    make_values(
        [tree["QF7"], tree["QWO"]],
        metrics=[SICKNESS],
        profession="physiotherapist",
        override=lambda o, m, k: {"value": 7.25 if o.code == "QF7" else 1.5},
    )
    url = _metric_url(tree["QF7"], "csv", profession="physiotherapist", month="2025-05")
    response = client_for("viewer", tree["QF7"]).get(url)
    assert (
        "sickness_absence_rate-QF7-2025-05-physiotherapist.csv" in (response["Content-Disposition"])
    )
    rows = _csv(response)
    meta = _meta(rows)
    assert (meta["Month"], meta["Profession"]) == ("May 2025", "Physiotherapists")
    series = _section(rows, "Sickness absence rate % by month")
    assert series[-1][0] == "May 2025" and series[-1][1] == "7.2%"
    bench = _section(rows, "Benchmarking: organisations at the same level")
    assert _row(bench, "West Yorkshire Integrated Care System")[2] == "1.5%"


def test_a_hidden_figure_stays_hidden_in_the_metric_download_of_a_parent(tree, figures, client_for):
    client = client_for("viewer", tree["QF7-DON"])
    # the place's own download: RXE in the drill-down is "fewer than 5"
    rows = _csv(client.get(_metric_url(tree["QF7-DON"], "csv")))
    drill = _section(rows, "Drill down: organisations below Doncaster")
    rxe = _row(drill, "Rotherham Doncaster and South Humber NHS Foundation Trust")
    assert rxe[2:] == ["fewer than 5", ""]
    assert "2.8%" not in _cells(rows) and "2.75" not in response_text(rows)
    # RXE's own download, opened from above: every month and the latest value hidden
    rows = _csv(client.get(_metric_url(tree["RXE"], "csv")))
    assert _meta(rows)["Latest value"] == "fewer than 5"
    series = _section(rows, "Sickness absence rate % by month")
    assert {row[1] for row in series[1:]} == {"fewer than 5"}
    assert "2.8%" not in _cells(rows) and "2.75" not in response_text(rows)
    sheet = load_workbook(io.BytesIO(client.get(_metric_url(tree["RXE"], "xlsx")).content)).active
    values = {cell for row in sheet.iter_rows(values_only=True) for cell in row}
    assert 2.75 not in values and "fewer than 5" in values
    # the owner sees its own figure
    own = _csv(client_for("viewer", tree["RXE"]).get(_metric_url(tree["RXE"], "csv")))
    assert _meta(own)["Latest value"] == "2.8%"


def response_text(rows):
    return "\n".join(",".join(row) for row in rows)


def test_a_hidden_sibling_gets_no_rank_and_does_not_move_the_others(tree, figures, client_for):
    """RXE (2.75%, on 3 people) is better than RP5 at sickness absence: ranked by true values
    RP5 would be "2 of 2", which tells RP5 that the hidden figure is lower than its own."""
    client = client_for("viewer", tree["RP5"])
    page = client.get(
        reverse("dashboard:metric", args=["RP5", "sickness_absence_rate"])
    ).content.decode()
    bench = page[page.index('id="benchmarking"') :]
    assert "ranks <strong>1 of 1</strong>" in bench
    row = bench[bench.index("Rotherham Doncaster") :]
    row = row[: row.index("</tr>")]
    assert "fewer than 5" in row
    assert row.count('nhsuk-table__cell--numeric">') == 2
    assert 'nhsuk-table__cell--numeric"></td>' in row  # no position
    rows = _csv(client.get(_metric_url(tree["RP5"], "csv")))
    assert _meta(rows)["Rank"] == "1 of 1 (1 is best)"
    bench = _section(rows, "Benchmarking: organisations at the same level")
    rxe = _row(bench, "Rotherham Doncaster and South Humber NHS Foundation Trust")
    assert rxe[2:4] == ["fewer than 5", ""]
    assert _row(bench, "Doncaster and Bassetlaw Teaching Hospitals NHS Foundation Trust")[3] == "1"
    # RXE, who may see its own figure, is ranked against RP5
    own = _csv(client_for("viewer", tree["RXE"]).get(_metric_url(tree["RXE"], "csv")))
    assert _meta(own)["Rank"] == "1 of 2 (1 is best)"


def test_a_viewer_whose_own_figure_is_hidden_is_not_ranked(tree, figures, client_for):
    """Seen from above, RXE's page gives RXE no rank at all: its position would reveal it."""
    client = client_for("viewer", tree["QF7-DON"])
    page = client.get(
        reverse("dashboard:metric", args=["RXE", "sickness_absence_rate"])
    ).content.decode()
    bench = page[page.index('id="benchmarking"') :]
    assert "is not ranked" in bench and "ranks <strong>" not in bench
    rows = _csv(client.get(_metric_url(tree["RXE"], "csv")))
    assert _meta(rows)["Rank"] == "Not ranked"


@pytest.fixture
def diversity_figures(tree):
    qf7 = tree["QF7"]

    def value(metric, band_group, value, **kw):
        make_values(
            [qf7],
            metrics=[metric],
            months=1,
            band_group=band_group,
            override=lambda o, m, k: {"value": value},
            **kw,
        )

    value(SHARE, "all", 20.0)
    value(SHARE, "band_5", 24.0)
    value(SHARE, "band_9", 25.0, people=3)
    value(SHARE, "registered", 18.0)
    value(DECLARED, "all", 71.5)
    value(DISABLED, "all", 5.5)
    value(DECLARED, "band_9", 66.7, people=3)
    value(DISABLED, "band_9", 50.0, people=2)


def test_the_diversity_download_holds_both_tables(tree, diversity_figures, client_for):
    response = client_for("chair", tree["QF7"]).get(
        _url("dashboard:diversity_download", tree["QF7"], "csv")
    )
    assert "diversity-QF7-2025-06.csv" in response["Content-Disposition"]
    rows = _csv(response)
    meta = _meta(rows)
    assert meta["Month"] == "June 2025"
    assert meta["Figures computed at"].startswith("2025-07-02 03:15")
    bands = _section(rows, "Ethnic minority share by band")
    assert bands[0][:3] == ["Band", "Ethnic minority share", "People in post"]
    assert [row[0] for row in bands[1:]][-1] == "All bands"  # single bands, groups, then all
    assert [row[0] for row in bands[1:3]] == ["Band 5", "Band 9"]
    assert _row(bands, "Band 5") == [
        "Band 5",
        "24.0%",
        "120",
        "'+4.0 percentage points",  # formula-safe: a leading "+" is quoted
        "2 of 3 providers",
    ]
    assert _row(bands, "Band 9")[1:3] == ["25.0%", "3"]  # the chair's own organisation
    assert _row(bands, "All bands")[3] == "(the overall share)"
    disability = _section(rows, "Disability declaration by band")
    assert _row(disability, "All bands")[1:3] == ["71.5%", "5.5%"]
    sheet = load_workbook(
        io.BytesIO(
            client_for("chair", tree["QF7"])
            .get(_url("dashboard:diversity_download", tree["QF7"], "xlsx"))
            .content
        )
    ).active
    band_5 = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Band 5")
    assert band_5[1] == 24.0


def test_a_hidden_band_stays_hidden_in_the_diversity_download(
    tree, diversity_figures, client_for, make_user
):
    """A user above the owner (England) sees band 9 as "fewer than 5", with no count or gap."""
    client = client_for("viewer", tree["Y63"])
    rows = _csv(client.get(_url("dashboard:diversity_download", tree["QF7"], "csv")))
    band_9 = _row(_section(rows, "Ethnic minority share by band"), "Band 9")
    assert band_9[1:4] == ["fewer than 5", "fewer than 5", ""]
    declared = _row(_section(rows, "Disability declaration by band"), "Band 9")
    assert declared[1:4] == ["fewer than 5", "fewer than 5", "fewer than 5"]
    assert not {"25.0%", "66.7%", "50.0%"} & _cells(rows)
    sheet = load_workbook(
        io.BytesIO(client.get(_url("dashboard:diversity_download", tree["QF7"], "xlsx")).content)
    ).active
    values = {cell for row in sheet.iter_rows(values_only=True) for cell in row}
    assert not {25.0, 66.7, 50.0} & values


def test_the_supply_download_holds_both_tables(tree, supply_figures, client_for):
    response = client_for("chair", tree["RP5"]).get(
        _url("dashboard:supply_download", tree["RP5"], "csv")
    )
    assert "supply-RP5-2025-06.csv" in response["Content-Disposition"]
    rows = _csv(response)
    assert _meta(rows)["Figures computed at"].startswith("2025-07-02 03:15")
    totals = _section(rows, "Support workforce and new routes into the professions")
    assert [row[1] for row in totals[1:]] == [
        "support_workforce_share",
        "apprentices",
        "advanced_practitioners",
        "return_to_practice_starters",
    ]
    assert all(row[5] == "1 of 1 provider" for row in totals[1:])
    small = _section(rows, "Small and vulnerable professions")
    assert small[0][:4] == [
        "Profession",
        "Staff in post",
        "Staff in post: providers reporting",
        "Vacancy rate %",
    ]
    podiatry = _row(small, "Podiatrists")
    assert podiatry[1] == "37" and podiatry[3] == "14.0%"
    assert podiatry[4] == "1 of 1 provider"
    orthoptists = _row(small, "Orthoptists")
    assert "2" in orthoptists and "fewer than 5" not in orthoptists  # the owner's own figure
    sheet = load_workbook(
        io.BytesIO(
            client_for("chair", tree["RP5"])
            .get(_url("dashboard:supply_download", tree["RP5"], "xlsx"))
            .content
        )
    ).active
    assert any(row[0] == "Podiatrists" for row in sheet.iter_rows(values_only=True))


def test_a_hidden_figure_stays_hidden_in_the_supply_download_of_a_parent(
    tree, supply_figures, client_for
):
    rows = _csv(
        client_for("viewer", tree["QF7-DON"]).get(
            _url("dashboard:supply_download", tree["RP5"], "csv")
        )
    )
    orthoptists = _row(_section(rows, "Small and vulnerable professions"), "Orthoptists")
    header = _section(rows, "Small and vulnerable professions")[0]
    assert orthoptists[header.index("Apprentices in post")] == "fewer than 5"


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("dashboard:metric_download", {"metric": "sickness_absence_rate"}),
        ("dashboard:diversity_download", {}),
        ("dashboard:supply_download", {}),
    ],
)
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_a_sibling_gets_404(name, kwargs, extension, tree, figures, client_for):
    for viewer, owner in (("RXE", "RP5"), ("QWO", "QF7")):
        url = reverse(name, kwargs={"code": owner, "extension": extension, **kwargs})
        assert client_for("viewer", tree[viewer]).get(url).status_code == 404


def test_an_unknown_format_is_404(tree, figures, client_for):
    client = client_for("viewer", tree["QF7"])
    assert client.get(_metric_url(tree["QF7"], "pdf")).status_code == 404
    assert client.get(_url("dashboard:supply_download", tree["QF7"], "txt")).status_code == 404


def test_each_page_links_to_its_downloads(tree, figures, client_for):
    client = client_for("viewer", tree["QF7"])
    for page, name, kwargs in (
        ("dashboard:metric", "dashboard:metric_download", {"metric": "sickness_absence_rate"}),
        ("dashboard:diversity", "dashboard:diversity_download", {}),
        ("dashboard:supply", "dashboard:supply_download", {}),
    ):
        html = client.get(
            reverse(page, kwargs={"code": "QF7", **kwargs}), {"month": "2025-05"}
        ).content.decode()
        for extension in ("csv", "xlsx"):
            url = reverse(name, kwargs={"code": "QF7", "extension": extension, **kwargs})
            assert f'href="{url}?month=2025-05"' in html


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("dashboard:metric_download", {"metric": "sickness_absence_rate"}),
        ("dashboard:diversity_download", {}),
        ("dashboard:supply_download", {}),
    ],
)
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize("code", ["ENG", "QF7", "RP5"])
def test_downloads_make_a_fixed_number_of_queries(
    name, kwargs, extension, code, tree, figures, client_for, django_assert_max_num_queries
):
    client = client_for("viewer", tree[code])
    url = reverse(name, kwargs={"code": code, "extension": extension, **kwargs})
    with django_assert_max_num_queries(20):
        assert client.get(url, {"month": LATEST.strftime("%Y-%m")}).status_code == 200
