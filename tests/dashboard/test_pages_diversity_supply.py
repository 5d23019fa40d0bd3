"""The diversity page (ethnic minority share by band against the overall share, disability
declaration) and the workforce supply page (small and vulnerable professions, support workforce,
apprentices, advanced practitioners, return-to-practice starters)."""

import pytest
from django.urls import reverse

from dashboard import metrics as catalogue
from dashboard.charts import band_bars
from dashboard.selectors import Filters, diversity_for
from tests.dashboard.pages_data import LATEST, make_values

SHARE = catalogue.get("ethnic_minority_share")
DECLARED = catalogue.get("disability_declared_share")
DISABLED = catalogue.get("disabled_share")
# Ethnic minority share by single band, falling at the senior bands (overall 20.0%)
BAND_SHARES = {
    "band_2": 31.0,
    "band_3": 28.0,
    "band_4": 26.5,
    "band_5": 24.0,
    "band_6": 21.0,
    "band_7": 17.5,
    "band_8a": 14.0,
    "band_8b": 12.0,
    "band_8c": 9.5,
    "band_8d": 6.0,
    "band_9": 4.0,
}


def _url(name, org):
    return reverse(name, kwargs={"code": org.code})


def _value(metric, org, band_group, value, **kw):
    make_values(
        [org],
        metrics=[metric],
        months=1,
        band_group=band_group,
        override=lambda o, m, k: {"value": value},
        **kw,
    )


def _section(page, caption):
    """The table with this caption, up to its end."""
    table = page[page.index(f'<caption class="nhsuk-table__caption">{caption}') :]
    return table[: table.index("</table>")]


def _row(table, label):
    row = table[table.index(f">{label}<") :]
    return row[: row.index("</tr>")]


@pytest.fixture
def diversity_figures(tree):
    qf7 = tree["QF7"]
    _value(SHARE, qf7, "all", 20.0)
    for band in reversed(BAND_SHARES):  # stored in any order, shown in band order
        _value(SHARE, qf7, band, BAND_SHARES[band])
    _value(catalogue.get("ethnic_minority_share_senior"), qf7, "all", 11.0)
    _value(SHARE, qf7, "registered", 18.0)
    for band_group, declared, disabled in (
        ("all", 71.5, 5.5),
        ("band_5", 80.0, 6.4),
        ("band_9", 60.0, 2.0),
        ("support", 75.0, 7.0),
    ):
        _value(DECLARED, qf7, band_group, declared)
        _value(DISABLED, qf7, band_group, disabled)


def test_diversity_shows_each_band_against_the_overall_share(tree, diversity_figures, client_for):
    page = client_for("chair", tree["QF7"]).get(_url("dashboard:diversity", tree["QF7"]))
    page = page.content.decode()
    assert "<strong>20.0%</strong>" in page
    table = _section(page, "Ethnic minority share by band")
    labels = [f"Band {band[5:]}" for band in BAND_SHARES]
    positions = [table.index(f">{label}<") for label in labels]
    assert positions == sorted(positions)
    assert "+11.0 percentage points" in _row(table, "Band 2")
    assert "+4.0 percentage points" in _row(table, "Band 5")
    assert "-10.5 percentage points" in _row(table, "Band 8c")
    assert "-16.0 percentage points" in _row(table, "Band 9")
    # then the band groups, then all bands
    assert positions[-1] < table.index("Registered workforce (bands 5-9)")
    assert table.index("Registered workforce") < table.index(">Bands 8a-9<")
    assert "11.0%" in _row(table, "Bands 8a-9")
    assert table.index(">Bands 8a-9<") < table.index(">All bands<")
    assert "not computed" not in page and "kept for all professions together" not in page
    # the chart has a bar per single band, with the overall share as a line
    assert 'role="img"' in page and "Overall share 20.0%" in page
    assert "Band 8d 6.0%" in page


def test_diversity_shows_disability_declaration_by_band(tree, diversity_figures, client_for):
    page = client_for("chair", tree["QF7"]).get(_url("dashboard:diversity", tree["QF7"]))
    page = page.content.decode()
    assert "<strong>71.5%</strong> of staff in post have declared" in page
    table = _section(page, "Disability declaration by band")
    assert table.index(">Band 5<") < table.index(">Band 9<") < table.index(">Support workforce")
    assert table.index(">Support workforce") < table.index(">All bands<")
    assert "80.0%" in _row(table, "Band 5") and "6.4%" in _row(table, "Band 5")
    assert "60.0%" in _row(table, "Band 9") and "2.0%" in _row(table, "Band 9")
    assert "71.5%" in _row(table, "All bands") and "5.5%" in _row(table, "All bands")
    assert ">Band 6<" not in table  # no disability row stored for band 6 here


def test_diversity_without_disability_figures_says_so(tree, client_for):
    qf7 = tree["QF7"]
    _value(SHARE, qf7, "all", 20.0)
    page = client_for("viewer", qf7).get(_url("dashboard:diversity", qf7)).content.decode()
    assert "No disability declaration has been computed for this month." in page


def test_diversity_without_single_band_rows_shows_the_band_groups(tree, client_for):
    qf7 = tree["QF7"]
    _value(SHARE, qf7, "all", 20.0)
    _value(SHARE, qf7, "registered", 18.0)
    page = client_for("viewer", qf7).get(_url("dashboard:diversity", qf7)).content.decode()
    assert "Registered workforce (bands 5-9)" in page and "-2.0 percentage points" in page
    assert "No figures for single bands (2 to 9) have been computed for this month" in page
    assert "Figures for each single band (2 to 9) are not yet in the figures store" not in page


def test_with_a_profession_chosen_the_page_shows_its_band_groups_and_says_why(
    tree, diversity_figures, client_for
):
    qf7 = tree["QF7"]
    physio = {"profession": "physiotherapist"}
    _value(SHARE, qf7, "all", 16.0, **physio)
    _value(SHARE, qf7, "support", 25.0, **physio)
    _value(DECLARED, qf7, "all", 90.0, **physio)
    url = _url("dashboard:diversity", qf7)
    page = client_for("chair", qf7).get(url, physio).content.decode()
    assert "kept for all professions together only" in page
    assert "For physiotherapists the page shows the band groups" in page
    table = _section(page, "Ethnic minority share by band, physiotherapists")
    assert "+9.0 percentage points" in _row(table, "Support workforce (bands 2-4)")
    assert ">Band 5<" not in table and "24.0%" not in table  # not mixed with all professions
    assert "90.0%" in _row(_section(page, "Disability declaration by band"), "All bands")
    assert 'href="?"' in page  # back to every profession, single bands included


def test_a_band_on_fewer_than_5_people_is_hidden_outside_the_organisation(
    tree, client_for, make_user
):
    qf7 = tree["QF7"]
    _value(SHARE, qf7, "all", 20.0)
    _value(SHARE, qf7, "band_5", 24.0)
    _value(SHARE, qf7, "band_9", 25.0, people=3)
    _value(DECLARED, qf7, "band_9", 66.7, people=3)
    _value(DISABLED, qf7, "band_9", 50.0, people=2)
    # inside SYB (the owner, or an organisation above it) the figure is shown
    page = client_for("viewer", qf7).get(_url("dashboard:diversity", qf7)).content.decode()
    assert "25.0%" in _row(_section(page, "Ethnic minority share by band"), "Band 9")
    assert "66.7%" in _row(_section(page, "Disability declaration by band"), "Band 9")
    # anyone else gets "fewer than 5", no gap, and no bar
    outsider = make_user("viewer", tree["QWO"])
    data = diversity_for(outsider, qf7, Filters())
    band_9 = next(b for b in data.bands if b.label == "Band 9")
    assert (band_9.display, band_9.figure.value, band_9.gap) == ("fewer than 5", None, "")
    assert next(b for b in data.bands if b.label == "Band 5").display == "24.0%"
    row = next(r for r in data.disability if r.label == "Band 9")
    assert (row.declared_display, row.disabled_display) == ("fewer than 5", "fewer than 5")
    assert "Band 9 fewer than 5 or no data" in data.chart
    assert "25.0" not in data.chart


def test_the_band_chart_draws_when_every_bar_is_hidden():
    chart = band_bars(chart_id="c", title="T", bars=[("Band 9", None)], overall=None)
    assert "<desc" in chart and "Band 9 fewer than 5 or no data" in chart


def test_supply_lists_the_small_and_vulnerable_professions(tree, supply_figures, client_for):
    page = client_for("viewer", tree["RP5"]).get(_url("dashboard:supply", tree["RP5"]))
    page = page.content.decode()
    for name in (
        "Podiatrists",
        "Orthoptists",
        "Prosthetists and orthotists",
        "Therapeutic radiographers",
    ):
        assert name in page
    assert "Physiotherapists" not in page
    podiatry = page[page.index(">Podiatrists<") :]
    podiatry = podiatry[: podiatry.index("</tr>")]
    assert ">37<" in podiatry and "14.0%" in podiatry


def test_supply_shows_support_share_apprentices_advanced_and_return_to_practice(
    tree, supply_figures, client_for
):
    page = client_for("viewer", tree["RP5"]).get(_url("dashboard:supply", tree["RP5"]))
    page = page.content.decode()
    for code in (
        "support_workforce_share",
        "apprentices",
        "advanced_practitioners",
        "return_to_practice_starters",
    ):
        assert catalogue.get(code).name in page
        assert f'id="supply-trend-{code}-title"' in page
    assert LATEST.strftime("%B %Y") in page


def test_the_owner_sees_small_numbers_on_its_own_pages(tree, supply_figures, client_for):
    page = client_for("viewer", tree["RP5"]).get(_url("dashboard:supply", tree["RP5"]))
    orthoptists = page.content.decode()
    orthoptists = orthoptists[orthoptists.index(">Orthoptists<") :]
    assert "fewer than 5" not in orthoptists[: orthoptists.index("</tr>")]


@pytest.mark.parametrize("query", [{}, {"profession": "physiotherapist"}])
@pytest.mark.parametrize("name", ["dashboard:diversity", "dashboard:supply"])
@pytest.mark.parametrize("code", ["ENG", "Y63", "QF7", "QF7-DON", "RP5"])
def test_diversity_and_supply_make_a_fixed_number_of_queries(
    name,
    query,
    code,
    tree,
    supply_figures,
    diversity_figures,
    client_for,
    django_assert_max_num_queries,
):
    client = client_for("viewer", tree[code])
    with django_assert_max_num_queries(20):
        assert client.get(_url(name, tree[code]), query).status_code == 200
