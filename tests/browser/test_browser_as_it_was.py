"""A viewer at a place switches the metric page to the structure "as it was" after a provider
moved away, and back: the figures change, the page says which view it shows, and both views
pass at 1,280 and 320 px (no sideways scroll, no axe-core violations)."""

from playwright.sync_api import expect

from dashboard import as_it_was
from tests.browser.test_browser_councils import check_both_widths
from tests.dashboard.conftest import data  # noqa: F401 (a fixture)
from tests.dashboard.test_as_it_was import moved, raw  # noqa: F401 (fixtures)


def test_a_viewer_reads_doncaster_as_it_was_and_on_todays_structure(
    page,
    login,
    axe,
    tree,
    make_user,
    moved,  # noqa: F811
):
    make_user("viewer", tree["QF7-DON"], email="viewer@don.test")
    login("viewer@don.test")
    page.goto("/org/QF7-DON/dashboard/job_plan_coverage/?month=2025-02")
    expect(page.locator("#structure-view")).to_have_text(as_it_was.SENTENCES["current"])
    table = page.get_by_role("table").filter(has_text="January 2025").first
    expect(table.get_by_role("row").filter(has_text="January 2025")).to_contain_text("100.0%")
    check_both_widths(page, axe)

    page.get_by_label("Structure").select_option(label="As it was")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("#structure-view")).to_have_text(as_it_was.SENTENCES["as_it_was"])
    table = page.get_by_role("table").filter(has_text="January 2025").first
    # RXE's 1 of 4 with a job plan, counted in Doncaster before it moved in March
    expect(table.get_by_role("row").filter(has_text="January 2025")).to_contain_text("57.1%")
    check_both_widths(page, axe)

    page.get_by_role("link", name="Back to the scorecard for Doncaster").click()
    expect(page.locator("#structure-view")).to_have_text(as_it_was.SENTENCES["as_it_was"])
    check_both_widths(page, axe)
