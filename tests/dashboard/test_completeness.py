"""Completeness ("2 of 3 providers") beside every rolled-up figure in every table: the
small-professions table, the per-band diversity rows and the metric page's table by month."""

import pytest
from django.urls import reverse

from tests.dashboard.conftest import MARCH, d
from tests.dashboard.test_suppression_rule import small_provider_world


@pytest.fixture
def world(tree, data):
    for _ in range(6):
        data.staff(tree["RP5"], "podiatrist", band="6", start=d("2020-01-01"))
    small_provider_world(tree, data)


def _page(client, name, org, **kwargs):
    url = reverse(name, kwargs={"code": org.code, **kwargs}) + "?month=2025-03"
    return client.get(url).content.decode()


def test_the_small_professions_table_says_how_many_providers_reported(tree, world, client_for):
    page = _page(client_for("viewer", tree["QF7"]), "dashboard:supply", tree["QF7"])
    table = page[page.index('id="small-professions"') :]
    row = table[table.index(">Podiatrists<") :]
    row = row[: row.index("</tr>")]
    assert "3 of 3 providers" in row  # staff in post: every provider with staff that month
    assert ">6<" in row or "6<br>" in row


def test_each_band_row_of_the_diversity_page_says_how_many_providers_reported(
    tree, world, client_for
):
    page = _page(client_for("viewer", tree["QF7"]), "dashboard:diversity", tree["QF7"])
    for band in ("Band 6", "Band 8d", "All bands"):
        start = page.index(f'scope="row">{band}<')
        row = page[start : page.index("</tr>", start)]
        assert "of 3 providers" in row, band


def test_the_metric_pages_table_by_month_says_how_many_providers_reported(tree, world, client_for):
    page = _page(
        client_for("viewer", tree["QF7"]), "dashboard:metric", tree["QF7"], metric="dna_rate"
    )
    table = page[page.index('id="chart-table-caption"') :]
    row = table[table.index(f">{MARCH:%B %Y}<") :]
    assert "1 of 3 providers" in row[: row.index("</tr>")]
