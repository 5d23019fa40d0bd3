"""Issue 19 on the pages: sex and age (with the people each share rests on) and the age profile
(a chart with its table) on the diversity page; placements, retirement risk, qualifications,
clinical time and apprentices by level on the supply page; a quarterly metric shown per
quarter on its metric page; all within a fixed number of queries."""

import datetime as dt

import pytest
from django.urls import reverse

from dashboard import metrics as catalogue
from dashboard import services
from dashboard.selectors import Filters, diversity_for
from tests.dashboard.conftest import d
from tests.dashboard.pages_data import make_values
from tests.dashboard.test_pages_diversity_supply import _row, _section

FEMALE = catalogue.get("female_share")
OLDER = catalogue.get("aged_55_plus_share")
AGES = catalogue.group_metrics("age_profile")


def _url(name, org, *args):
    return reverse(name, args=[org.code, *args])


def _value(metric, org, band_group, value, people=120):
    make_values(
        [org],
        metrics=[metric],
        months=1,
        band_group=band_group,
        people=people,
        override=lambda o, m, k: {"value": value, "numerator": value},
    )


@pytest.fixture
def sex_age_figures(tree):
    qf7 = tree["QF7"]
    for band_group, female, older in (("all", 78.5, 21.0), ("support", 84.0, 30.5)):
        _value(FEMALE, qf7, band_group, female, people=400)
        _value(OLDER, qf7, band_group, older, people=380)
    for metric, count in zip(AGES, (40, 120, 110, 90, 70, 3), strict=True):
        _value(metric, qf7, "all", float(count), people=count)


def test_diversity_shows_sex_and_age_with_the_people_they_rest_on(
    tree, sex_age_figures, client_for
):
    qf7 = tree["QF7"]
    page = client_for("viewer", qf7).get(_url("dashboard:diversity", qf7)).content.decode()
    table = _section(page, "Sex and age by band group")
    support = _row(table, "Support workforce (bands 2-4)")
    assert "84.0%" in support and "30.5%" in support and ">400<" in support and ">380<" in support
    assert table.index("Support workforce") < table.index(">All bands<")
    assert "78.5%" in _row(table, "All bands")


def test_the_age_profile_is_a_chart_with_its_table(tree, sex_age_figures, client_for):
    qf7 = tree["QF7"]
    page = client_for("viewer", qf7).get(_url("dashboard:diversity", qf7)).content.decode()
    table = _section(page, "Staff in post by age band")
    labels = ["Under 25", "25 to 34", "35 to 44", "45 to 54", "55 to 64", "65 and over"]
    positions = [table.index(f">{label}<") for label in labels]
    assert positions == sorted(positions)
    assert ">120<" in _row(table, "25 to 34") and ">3<" in _row(table, "65 and over")
    assert 'id="diversity-ages-title"' in page and "25 to 34 120" in page


def test_a_small_age_band_is_hidden_outside_the_organisation(tree, sex_age_figures, make_user):
    outsider = make_user("viewer", tree["QWO"])
    data = diversity_for(outsider, tree["QF7"], Filters())
    over_65 = next(a for a in data.age_profile if a.label == "65 and over")
    assert over_65.display == "fewer than 5"
    assert next(a for a in data.age_profile if a.label == "Under 25").display == "40"
    assert "65 and over fewer than 5 or no data" in data.age_chart


@pytest.fixture
def placements(tree, data):
    """Placements at RP5 and RHQ for two quarters, through the engine; monthly data (the
    establishment) from January to June 2025 sets the month range."""
    rp5, rhq = tree["RP5"], tree["RHQ"]
    data.placement(rp5, d("2025-01-01"), 20, 25, 15)
    data.placement(rp5, d("2025-04-01"), 20, 30, 18)
    data.placement(rhq, d("2025-04-01"), 10, 10, 2)
    for month in range(1, 7):
        data.establishment(rp5, dt.date(2025, month, 1), "5.0")
        data.staff(rp5, start=d("2020-01-01"), age_band="55_64", sex="female")
    run = services.recompute_all()
    assert run.status == "succeeded", run.error
    return tree


def test_a_quarterly_metric_shows_one_figure_per_quarter(placements, client_for):
    rp5 = placements["RP5"]
    client = client_for("viewer", rp5)
    page = client.get(
        _url("dashboard:metric", rp5, "placement_fill_rate"), {"month": "2025-05"}
    ).content.decode()
    # May 2025 shows the quarter from April: 18 of 20 filled
    assert "Latest value (April to June 2025)" in page
    assert "90.0%" in page
    table = page[page.index("Placement fill rate % by quarter, ") :]
    table = table[: table.index("</table>")]
    assert ">Quarter from January 2025<" in table and ">Quarter from April 2025<" in table
    assert "February 2025" not in table  # never repeated month by month
    assert "Not enough quarters for an XmR chart (2 of at least" in page


def test_the_supply_page_shows_capacity_and_apprentices_by_level(placements, client_for):
    qf7 = placements["QF7"]
    page = client_for("viewer", qf7).get(_url("dashboard:supply", qf7), {"month": "2025-06"})
    page = page.content.decode()
    capacity = page[page.index('id="supply-capacity"') : page.index('id="apprentice-levels"')]
    fill = _row(capacity, catalogue.get("placement_fill_rate").name)
    # SYB: (18 + 2) of (20 + 10) offered in the quarter from April
    assert "66.7%" in fill and "April to June 2025" in fill and "2 of 3 providers" in fill
    assert "75.0%" in _row(capacity, catalogue.get("placement_capacity_rate").name)  # 30 of 40
    assert catalogue.get("support_qualified_l3").name in capacity
    assert catalogue.get("dcc_sessions_per_fte").name in capacity
    levels = page[page.index('id="apprentice-levels"') : page.index('id="small-professions"')]
    for metric in catalogue.group_metrics("apprentice_levels"):
        assert metric.name in levels


@pytest.mark.parametrize("name", ["dashboard:diversity", "dashboard:supply"])
@pytest.mark.parametrize("code", ["ENG", "QF7", "RP5"])
def test_the_pages_make_a_fixed_number_of_queries(
    name, code, placements, client_for, django_assert_max_num_queries
):
    client = client_for("viewer", placements[code])
    with django_assert_max_num_queries(20):
        assert client.get(_url(name, placements[code])).status_code == 200
