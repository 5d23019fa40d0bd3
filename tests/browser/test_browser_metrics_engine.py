"""A chair reads the metric catalogue, sets a target for their ICS and recomputes the figures."""

import re

from playwright.sync_api import expect

from dashboard.models import RecomputeRun, Target


def test_chair_sets_a_target_and_recomputes(page, login, axe, tree, make_user):
    make_user("chair", tree["QF7"], email="chair@syb.test")
    login("chair@syb.test")

    page.goto("/metrics/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quality Dashboard metrics")
    expect(
        page.get_by_role("rowheader", name="Turnover rate % (12 months rolling)")
    ).to_be_visible()
    axe(page)

    page.goto(f"/org/{tree['QF7'].code}/targets/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Targets")
    axe(page)
    page.get_by_label("Appraisal rate % (appraisal_rate)").fill("150")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(
        page.get_by_role("alert").get_by_text("Enter a target between 0 and 100 for")
    ).to_be_visible()
    axe(page)
    page.get_by_label("Appraisal rate % (appraisal_rate)").fill("85")
    page.get_by_role("button", name="Save targets").click()
    expect(page.get_by_text("Targets saved").first).to_be_visible()
    assert Target.objects.get(organisation=tree["QF7"], metric="appraisal_rate").value == 85
    axe(page)

    page.get_by_role("button", name="Recompute figures").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Recompute "))
    run = RecomputeRun.objects.get()
    assert run.organisation == tree["QF7"]
    # eager in tests: done by the time the page shows
    expect(page.get_by_role("status").get_by_text("The figures are up to date.")).to_be_visible()
    axe(page)
