"""A council chair seeds the SYB delivery plan, updates two actions for the quarter, links a
measure of success to the turnover metric, and the board summary shows all of it."""

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from ahpportal.months import month_range
from dashboard.models import MetricValue
from delivery import quarters


def turnover_series(org):
    """Two years of ICS turnover: steady around 10%, the latest month 12.5%."""
    now = timezone.now()
    values = [10.0, 10.3] * 11 + [10.1, 12.5]
    months = month_range(dt.date(2024, 10, 1), dt.date(2026, 9, 1))
    MetricValue.objects.bulk_create(
        MetricValue(
            organisation=org,
            metric="turnover_rate",
            month=month,
            numerator=value * 4,
            denominator=400,
            value=value,
            people=400,
            providers_reporting=3,
            providers_total=3,
            computed_at=now,
        )
        for month, value in zip(months, values, strict=True)
    )
    return months[-1]


def add_update(page, axe, ref, quarter, status, narrative):
    page.get_by_role("link", name=f"Add a progress update for action {ref}").click()
    expect(page.get_by_role("heading", name="Add a progress update")).to_be_visible()
    axe(page)
    page.get_by_label("Quarter", exact=True).select_option(quarter)
    page.get_by_label(status, exact=True).check(force=True)  # NHS.UK styles the label over it
    page.get_by_label("Progress this quarter").fill(narrative)
    page.get_by_role("button", name="Save the update").click()
    expect(page.get_by_text(f"Recorded {quarter} progress for action {ref}")).to_be_visible()
    expect(page.get_by_role("cell", name=narrative)).to_be_visible()
    axe(page)  # the action's history


def test_chair_runs_the_delivery_plan_for_a_board_meeting(page, login, axe, tree, make_user):
    make_user("chair", tree["QF7"], email="chair@syb.test", full_name="Chris Chair")
    latest = turnover_series(tree["QF7"])
    quarter = quarters.quarter_of(timezone.localdate())
    plan_url = f"/org/QF7/plan/?quarter={quarter}"

    login("chair@syb.test")
    page.goto("/org/QF7/")
    page.get_by_role("link", name="Delivery plan").click()
    expect(page.get_by_text("has no delivery plan yet")).to_be_visible()
    axe(page)

    page.get_by_role("button", name="Start from the South Yorkshire and Bassetlaw strategy").click()
    expect(
        page.get_by_text("Added 5 themes, 26 actions and 32 measures of success")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Theme 5: Workforce for the Future")).to_be_visible()
    axe(page)

    add_update(page, axe, "1.1", quarter, "At risk", "Two providers paused job planning.")
    page.goto(plan_url)
    add_update(page, axe, "5.1", quarter, "Off track", "No workforce analyst in post yet.")

    page.goto(plan_url)
    page.get_by_role(
        "link", name="Change measure: Improve recruitment and retention within the ICS"
    ).click()
    expect(page.get_by_role("heading", name="Change the measure of success")).to_be_visible()
    axe(page)
    page.get_by_label("Quality Dashboard metric").select_option("turnover_rate")
    page.get_by_label("Target (optional)").fill("10")
    page.get_by_role("button", name="Save the measure").click()
    expect(
        page.get_by_text(
            "Saved the measure of success, linked to Turnover rate % (12 months rolling)."
        )
    ).to_be_visible()
    axe(page)

    page.goto(plan_url)
    expect(page.get_by_text("12.5%").first).to_be_visible()
    axe(page)

    page.get_by_role("link", name=f"Board summary for {quarter}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Delivery plan board summary, {quarter}"
    )
    changed = page.get_by_role("table", name=f"Actions updated in {quarter}")
    expect(changed.get_by_role("link", name="1.1 To Implement Job Planning")).to_be_visible()
    expect(
        changed.get_by_role("link", name="5.1 To develop a detailed AHP workforce plan")
    ).to_be_visible()
    expect(changed.get_by_text("Two providers paused job planning.")).to_be_visible()
    attention = page.get_by_role("table", name=f"Actions off track or at risk as at {quarter}")
    expect(attention.get_by_text("Off track", exact=True)).to_be_visible()
    expect(attention.get_by_text("At risk", exact=True)).to_be_visible()
    metrics = page.get_by_role(
        "table", name="Latest values of the metrics linked to measures of success"
    )
    expect(metrics.get_by_role("cell", name="Turnover rate % (12 months rolling)")).to_be_visible()
    expect(metrics.get_by_role("cell", name="12.5%")).to_be_visible()
    expect(metrics.get_by_role("cell", name=latest.strftime("%B %Y"))).to_be_visible()
    expect(metrics.get_by_text("Not met")).to_be_visible()
    expect(metrics.get_by_text("Special cause variation: concerning")).to_be_visible()
    axe(page)

    page.get_by_role("link", name="Printable version").click()
    expect(page.get_by_text("Use your browser's print command")).to_be_visible()
    axe(page)
    page.emulate_media(media="print")
    expect(page.get_by_role("banner")).not_to_be_visible()
    page.emulate_media(media="screen")

    with page.expect_download() as download:
        page.goto("/org/QF7/plan/")
        page.get_by_role("link", name="Download as CSV").click()
    assert download.value.suggested_filename.endswith(".csv")


def test_a_viewer_reads_but_cannot_edit_and_a_sibling_chair_sees_nothing(
    page, login, axe, tree, make_user
):
    from delivery.services import plan_seed_from_appendix

    plan_seed_from_appendix(organisation=tree["QF7"])
    make_user("viewer", tree["QF7"], email="viewer@syb.test")
    make_user("chair", tree["QWO"], email="chair@wy.test")

    login("viewer@syb.test")
    page.goto("/org/QF7/plan/")
    expect(page.get_by_role("heading", name="Theme 1: Value")).to_be_visible()
    assert page.get_by_role("link", name="Add a progress update for action 1.1").count() == 0
    axe(page)
    assert page.goto("/org/QF7/plan/themes/new/").status == 404

    page.context.clear_cookies()
    login("chair@wy.test")
    response = page.goto("/org/QF7/plan/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
