"""A data manager uploads a broken file, reads the problems, downloads the error report, then
uploads a corrected file, previews it, confirms it and finds it in the import history."""

import csv

from playwright.sync_api import expect

from tests.workforce.conftest import csv_bytes, good_row


def test_data_manager_imports_a_file_after_fixing_it(page, login, axe, tree, make_user):
    make_user("data_manager", tree["QF7"], email="data@syb.test")
    login("data@syb.test")

    page.goto("/imports/")
    expect(page.get_by_role("heading", name="Workforce data imports")).to_be_visible()
    axe(page)
    page.get_by_role("link", name=f"Upload a file for {tree['QF7'].name}").click()
    expect(page.get_by_role("heading", name="Upload a workforce data file")).to_be_visible()
    axe(page)

    broken = [
        good_row("spend", month="2025-04"),
        good_row("spend", month="2025-05", pay_bill="lots"),
        good_row("spend", month="2025-06", provider_code="RR8"),
    ]
    page.get_by_label("Spend").check(force=True)
    page.get_by_label("File").set_input_files(
        {"name": "spend.csv", "mimeType": "text/csv", "buffer": csv_bytes(broken)}
    )
    page.get_by_role("button", name="Check file").click()
    expect(page.get_by_role("heading", name="There is a problem with the file")).to_be_visible()
    table = page.get_by_role("table", name="Problems found in spend.csv")
    expect(table.get_by_role("cell", name="'lots' is not a number")).to_be_visible()
    expect(table.get_by_role("cell", name="provider_code")).to_be_visible()
    assert page.get_by_role("button", name="Confirm import").count() == 0
    axe(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download all problems as a CSV file").first.click()
    report = download_info.value
    with open(report.path(), encoding="utf-8") as f:
        lines = list(csv.reader(f))
    assert [line[:2] for line in lines] == [
        ["row", "column"],
        ["3", "pay_bill"],
        ["4", "provider_code"],
    ]

    page.get_by_role("link", name="Upload a corrected file").click()
    fixed = [
        dict(broken[0]),
        dict(broken[1], pay_bill="1000"),
        dict(broken[2], provider_code="RHQ"),
    ]
    page.get_by_label("Spend").check(force=True)
    page.get_by_label("File").set_input_files(
        {"name": "spend-fixed.csv", "mimeType": "text/csv", "buffer": csv_bytes(fixed)}
    )
    page.get_by_role("button", name="Check file").click()
    expect(page.get_by_role("heading", name="Check before importing")).to_be_visible()
    summary = page.locator(".nhsuk-summary-list")
    assert "Rows to add" in summary.inner_text() and "3" in summary.inner_text()
    axe(page)

    page.get_by_role("button", name="Confirm import").click()
    expect(
        page.get_by_text("Imported spend-fixed.csv: 3 added, 0 updated, 0 unchanged.")
    ).to_be_visible()
    axe(page)

    page.get_by_role("link", name=f"Import history for {tree['QF7'].name}").click()
    history = page.get_by_role("table", name="Imports, newest first")
    expect(history.get_by_text("spend-fixed.csv")).to_be_visible()
    expect(history.get_by_text("Imported")).to_be_visible()
    expect(history.get_by_text("Rejected")).to_be_visible()
    axe(page)

    response = page.goto(f"/org/{tree['QWO'].code}/imports/")
    assert response.status == 404
