"""A chair of the SYB ICS prepares for a board meeting: opens the ICS scorecard, filters to
physiotherapists, drills into Doncaster place and a provider, compares with sibling ICSs on a
metric page, downloads the XLSX and opens the board report; axe-core on every page."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.dashboard.pages_data import make_values, tree_values


@pytest.fixture(autouse=True)
def professions(transactional_db):
    """The 15 professions of the data migration (a transactional test's flush removes them)."""
    from importlib import import_module

    from workforce.models import Profession

    rows = import_module("workforce.migrations.0002_professions").PROFESSIONS
    for order, (code, name, small) in enumerate(rows, start=1):
        Profession.objects.update_or_create(
            code=code, defaults={"name": name, "small_and_vulnerable": small, "sort_order": order}
        )


def _figures(tree):
    def sickness_spike(org, metric, k):
        if org.code == "QF7" and metric.code == "sickness_absence_rate":
            return {"value": 9.0 if k == 23 else 4.0 + (k % 3) * 0.1}
        return None

    tree_values(tree, override=sickness_spike)
    physio = [tree[c] for c in ("QF7", "QF7-DON", "QF7-SHE", "RP5", "RXE", "QWO", "QMJ")]
    make_values(physio, profession="physiotherapist")


def test_chair_reviews_the_ics_before_the_board(page, login, axe, tree, make_user):
    _figures(tree)
    make_user("chair", tree["QF7"], email="chair@syb.test")
    login("chair@syb.test")

    page.get_by_role("link", name=tree["QF7"].name).first.click()
    page.get_by_role("link", name="Quality Dashboard scorecard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Quality Dashboard: {tree['QF7'].name}"
    )
    expect(page.get_by_role("heading", name="Supporting staff")).to_be_visible()
    axe(page)

    page.get_by_label("Profession").select_option(label="Physiotherapists")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "profession=physiotherapist" in page.url
    summary = page.locator(".nhsuk-summary-list")
    expect(summary.get_by_text("Physiotherapists", exact=True)).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Doncaster", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quality Dashboard: Doncaster")
    assert "profession=physiotherapist" in page.url
    axe(page)

    page.get_by_role("link", name=tree["RP5"].name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(tree["RP5"].name)
    axe(page)

    page.goto(f"/org/{tree['QF7'].code}/dashboard/")
    page.get_by_role("link", name="Sickness absence rate %").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sickness absence rate %")
    chart = page.get_by_role("img", name="Sickness absence rate %, ")
    expect(chart.first).to_be_visible()
    benchmarking = page.locator("#benchmarking ~ div table").first
    assert "West Yorkshire Integrated Care System" in benchmarking.inner_text()
    expect(page.get_by_text("ranks").first).to_be_visible()
    axe(page)

    page.goto(f"/org/{tree['QF7'].code}/dashboard/?profession=physiotherapist")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel (XLSX) of the scorecard").click()
    download = download_info.value
    assert download.suggested_filename.startswith("scorecard-QF7-2025-06-physiotherapist")
    with open(download.path(), "rb") as f:
        book = load_workbook(f)
    rows = [tuple(row[:2]) for row in book.active.iter_rows(values_only=True)]
    assert ("Profession", "Physiotherapists") in rows

    page.get_by_role("link", name="Board report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("AHP Quality Dashboard")
    expect(page.get_by_role("heading", name="Exceptions")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Show report")).not_to_be_visible()
    page.emulate_media(media="screen")
    axe(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this report as a PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("board-report-QF7-")
    with open(download.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"

    response = page.goto(f"/org/{tree['QWO'].code}/dashboard/")
    assert response.status == 404


def test_provider_lead_reads_diversity_and_supply(page, login, axe, tree, make_user):
    from dashboard import metrics as catalogue

    share = catalogue.get("ethnic_minority_share")
    rp5 = tree["RP5"]
    make_values([rp5], override=lambda o, m, k: {"value": 20.0} if m is share else None)
    for band, value in (("band_5", 24.0), ("band_7", 15.0), ("band_8c", 6.0)):
        make_values(
            [rp5],
            metrics=[share],
            months=1,
            band_group=band,
            override=lambda o, m, k, v=value: {"value": v},
        )
    for code, value in (("disability_declared_share", 81.5), ("disabled_share", 7.5)):
        make_values(
            [rp5],
            metrics=[catalogue.get(code)],
            months=1,
            band_group="band_7",
            override=lambda o, m, k, v=value: {"value": v},
        )
    make_values(
        [rp5],
        metrics=[catalogue.get("vacancy_rate")],
        months=1,
        profession="podiatrist",
        override=lambda o, m, k: {"value": 14.0},
    )
    make_user("respondent", rp5, email="lead@dbth.test")
    login("lead@dbth.test")

    page.goto(f"/org/{rp5.code}/dashboard/")
    page.get_by_role("link", name="Diversity").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Diversity: {rp5.name}")
    expect(page.get_by_role("img", name="Ethnic minority share by band")).to_be_visible()
    expect(page.get_by_role("cell", name="-14.0 percentage points")).to_be_visible()
    disability = page.get_by_role("table", name="Disability declaration by band")
    expect(disability.get_by_role("row", name="Band 7 81.5% 7.5%")).to_be_visible()
    axe(page)

    # one profession: its band groups, and a way back to every single band
    page.get_by_label("Profession").select_option(label="Physiotherapists")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("kept for all professions together only")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="see each single band for all professions").click()
    expect(page.get_by_role("cell", name="-14.0 percentage points")).to_be_visible()

    page.get_by_role("link", name="Workforce supply").click()
    expect(page.get_by_role("heading", name="Small and vulnerable professions")).to_be_visible()
    expect(page.get_by_role("link", name="Podiatrists")).to_be_visible()
    axe(page)

    assert page.goto(f"/org/{tree['RXE'].code}/dashboard/supply/").status == 404
