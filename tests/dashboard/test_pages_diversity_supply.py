"""The diversity page (ethnic minority share by band against the overall share, disability
declaration) and the workforce supply page (small and vulnerable professions, support workforce,
apprentices, advanced practitioners, return-to-practice starters)."""

import pytest
from django.urls import reverse

from dashboard import metrics as catalogue
from tests.dashboard.pages_data import LATEST, make_values

SHARE = catalogue.get("ethnic_minority_share")


def _url(name, org):
    return reverse(name, kwargs={"code": org.code})


@pytest.fixture
def diversity_figures(tree):
    qf7 = tree["QF7"]
    make_values([qf7], metrics=[SHARE], months=1, override=lambda o, m, k: {"value": 20.0})
    for band, value in (("band_5", 24.0), ("band_8c", 9.5), ("band_9", 4.0)):
        make_values(
            [qf7],
            metrics=[SHARE],
            months=1,
            band_group=band,
            override=lambda o, m, k, v=value: {"value": v},
        )
    make_values(
        [qf7],
        metrics=[catalogue.get("ethnic_minority_share_senior")],
        months=1,
        override=lambda o, m, k: {"value": 11.0},
    )


def test_diversity_shows_each_band_against_the_overall_share(tree, diversity_figures, client_for):
    page = client_for("chair", tree["QF7"]).get(_url("dashboard:diversity", tree["QF7"]))
    page = page.content.decode()
    assert "<strong>20.0%</strong>" in page
    assert page.index("Band 5") < page.index("Band 8c") < page.index("Band 9")
    assert "+4.0 percentage points" in page
    assert "-10.5 percentage points" in page
    assert "-16.0 percentage points" in page
    assert "Bands 8a-9" in page and "11.0%" in page
    assert 'role="img"' in page and "Overall share 20.0%" in page


def test_diversity_shows_disability_declaration_when_the_store_has_it(
    tree, diversity_figures, client_for
):
    client = client_for("chair", tree["QF7"])
    page = client.get(_url("dashboard:diversity", tree["QF7"])).content.decode()
    assert "Disability declaration has not been computed" in page
    from dashboard.models import MetricValue

    row = MetricValue.objects.filter(metric="ethnic_minority_share", band_group="all").get()
    row.pk, row.metric, row.value = None, "disability_declared_share", 71.5
    row.save()
    page = client.get(_url("dashboard:diversity", tree["QF7"])).content.decode()
    assert "71.5%" in page


def test_diversity_without_single_band_rows_shows_the_band_groups(tree, client_for):
    qf7 = tree["QF7"]
    make_values([qf7], metrics=[SHARE], months=1, override=lambda o, m, k: {"value": 20.0})
    make_values(
        [qf7],
        metrics=[SHARE],
        months=1,
        band_group="registered",
        override=lambda o, m, k: {"value": 18.0},
    )
    page = client_for("viewer", qf7).get(_url("dashboard:diversity", qf7)).content.decode()
    assert "Registered workforce (bands 5-9)" in page and "-2.0 percentage points" in page
    assert "not yet in the figures store" in page


@pytest.fixture
def supply_figures(tree):
    rp5 = tree["RP5"]
    codes = [
        "support_workforce_share",
        "apprentices",
        "advanced_practitioners",
        "return_to_practice_starters",
    ]
    make_values([rp5], metrics=[catalogue.get(c) for c in codes])
    podiatry = [catalogue.get(c) for c in ("vacancy_rate", "turnover_rate", "job_plan_coverage")]
    make_values(
        [rp5],
        metrics=podiatry,
        months=1,
        profession="podiatrist",
        override=lambda o, m, k: {"value": 14.0, "denominator": 37.0},
    )
    make_values(
        [rp5],
        metrics=[catalogue.get("apprentices")],
        months=1,
        profession="orthoptist",
        people=2,
        override=lambda o, m, k: {"value": 2.0},
    )


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


@pytest.mark.parametrize("name", ["dashboard:diversity", "dashboard:supply"])
@pytest.mark.parametrize("code", ["ENG", "Y63", "QF7", "QF7-DON", "RP5"])
def test_diversity_and_supply_make_a_fixed_number_of_queries(
    name,
    code,
    tree,
    supply_figures,
    diversity_figures,
    client_for,
    django_assert_max_num_queries,
):
    client = client_for("viewer", tree[code])
    with django_assert_max_num_queries(20):
        assert client.get(_url(name, tree[code])).status_code == 200
