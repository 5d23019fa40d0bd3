"""A council chair runs a quarterly meeting end to end: schedules it, builds an agenda with the
live turnover metric and the readiness cycle, uploads a paper and downloads it, writes the
minutes, records two decisions and three actions, escalates one to the regional board, and the
board's chair sees it on the board's next agenda. A chair of another ICS's council gets 404 for
the meeting and its paper. Every page passes axe at 1,280 px and 320 px without sideways scroll."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from councils.models import Body
from delivery import meeting_services
from tests.api.conftest import seed_readiness
from tests.browser.conftest import fill_date
from tests.browser.test_browser_delivery import turnover_series

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


def check_both_widths(page, axe):
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        assert page.evaluate(OVERFLOW) <= 0, f"{page.url} scrolls sideways at {width} px"
        axe(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def add_item(page, axe, title, link_label, field_label, value):
    page.get_by_role("link", name="Add an agenda item").click()
    expect(page.get_by_role("heading", name="Add an agenda item")).to_be_visible()
    page.get_by_label("Item", exact=True).fill(title)
    page.get_by_label(link_label, exact=True).check(force=True)  # NHS.UK styles the label over it
    page.get_by_label(field_label, exact=True).select_option(value)
    page.get_by_role("button", name="Add the item").click()
    expect(page.get_by_text(f": {title}.")).to_be_visible()


def test_a_council_chair_runs_a_quarterly_meeting_end_to_end(page, login, axe, tree, make_user):
    ics, region = tree["QF7"], tree["Y63"]
    Body.objects.create(organisation=ics, kind="ics_council", name="SYB ICS AHP council")
    board = Body.objects.create(organisation=region, kind="regional_board", name="NEY AHP board")
    Body.objects.create(organisation=tree["QWO"], kind="ics_council", name="WY ICS AHP council")
    make_user("chair", ics, email="chair@syb.test", full_name="Chris Chair")
    make_user("respondent", ics, email="lead@syb.test", full_name="Ira Lead")
    make_user("chair", region, email="region@ney.test", full_name="Rae Regional")
    make_user("chair", tree["QWO"], email="chair@wy.test", full_name="Wes Chair")
    turnover_series(ics)
    cycle = seed_readiness(ics, make_user)
    board_day = timezone.localdate() + dt.timedelta(days=20)
    board_meeting = meeting_services.meeting_schedule(
        body=board,
        title="Regional AHP board",
        starts_at=dt.datetime.combine(
            board_day, dt.time(14), tzinfo=timezone.get_current_timezone()
        ),
        location="Online",
        online_link="https://meet.example/ney",
    )

    login("chair@syb.test")
    page.goto("/org/QF7/")
    page.get_by_role("link", name="Meetings of SYB ICS AHP council").click()
    expect(page.get_by_role("heading", name="SYB ICS AHP council", level=1)).to_be_visible()
    check_both_widths(page, axe)

    page.get_by_role("link", name="Schedule a meeting").click()
    page.get_by_label("Title").fill("Quarterly council meeting")
    fill_date(page, "Date", timezone.localdate() + dt.timedelta(days=1))
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time (optional)").fill("12:00")
    page.get_by_label("Location").fill("Oak House, Rotherham")
    check_both_widths(page, axe)
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text("Scheduled Quarterly council meeting.")).to_be_visible()
    meeting_url = page.url

    add_item(page, axe, "AHP turnover", "A dashboard metric", "Dashboard metric", "turnover_rate")
    add_item(page, axe, "State of readiness", "A readiness cycle", "Readiness cycle", str(cycle.pk))
    expect(page.get_by_text("12.5%")).to_be_visible()
    expect(page.get_by_text("Special cause variation: concerning")).to_be_visible()
    expect(page.get_by_text("1 of 1 organisations submitted (100%)")).to_be_visible()
    check_both_widths(page, axe)

    page.get_by_role("link", name="Upload a paper").click()
    page.get_by_label("Agenda item (optional)").select_option(label="1. AHP turnover")
    page.get_by_label("Paper", exact=True).set_input_files(
        {"name": "turnover-report.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    check_both_widths(page, axe)
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Uploaded turnover-report.pdf.")).to_be_visible()
    papers = page.get_by_role("table", name="Papers for this meeting")
    with page.expect_download() as download:
        papers.get_by_role("link", name="turnover-report").click()
    assert download.value.suggested_filename == "turnover-report.pdf"
    with open(download.value.path(), "rb") as got:
        assert got.read() == PDF
    paper_url = papers.get_by_role("link", name="turnover-report").get_attribute("href")

    page.get_by_role("link", name="Write the minutes").click()
    page.get_by_label("Minutes").fill("Turnover is above target. Readiness returns are in.")
    check_both_widths(page, axe)
    page.get_by_role("button", name="Save the minutes").click()
    expect(page.get_by_text("Saved the minutes.")).to_be_visible()

    for text in ("Set up a retention task and finish group.", "Every provider returns by March."):
        page.get_by_role("link", name="Record a decision").click()
        page.get_by_label("Decision", exact=True).fill(text)
        page.get_by_role("button", name="Record").click()
        expect(page.get_by_text("Recorded the decision.")).to_be_visible()
    check_both_widths(page, axe)

    for n, text in enumerate(
        ("Draft the group's terms of reference.", "Remind every chief AHP of the deadline.",
         "Ask the regional board for help with Doncaster vacancies.")
    ):  # fmt: skip
        page.get_by_role("link", name="Add an action").click()
        page.get_by_label("Action", exact=True).fill(text)
        page.get_by_label("Owner").select_option(label="Ira Lead (lead@syb.test)")
        fill_date(page, "Due date", timezone.localdate() + dt.timedelta(days=14 + n))
        if n == 0:
            check_both_widths(page, axe)
        page.get_by_role("button", name="Add").click()
        expect(page.get_by_text("Added an action for Ira Lead.")).to_be_visible()
    actions = page.get_by_role("table", name="Actions from this meeting, soonest due first")
    expect(actions.get_by_role("row")).to_have_count(4)

    page.get_by_role(
        "link", name=re.compile(r"^Escalate the action Ask the regional board")
    ).click()
    expect(page.get_by_role("heading", name="Escalate to the regional board")).to_be_visible()
    page.get_by_label("What the regional board is asked to consider, and why").fill(
        "Doncaster's therapy vacancies are above 15%; the council asks for regional support."
    )
    check_both_widths(page, axe)
    page.get_by_role("button", name="Escalate").click()
    expect(page.get_by_text(f"on the agenda for {board_day:%-d %B %Y}")).to_be_visible()
    expect(page.get_by_role("heading", name="Escalated to the regional board")).to_be_visible()
    check_both_widths(page, axe)

    page.get_by_role("link", name="Printable agenda and minutes").click()
    expect(page.get_by_text("Use your browser's print command")).to_be_visible()
    check_both_widths(page, axe)

    # The chair of another ICS's council: the meeting and its paper do not exist for them.
    page.context.clear_cookies()
    login("chair@wy.test")
    assert page.goto(meeting_url).status == 404
    assert page.request.get(paper_url).status == 404

    # The regional board's chair sees the escalation on the board's next agenda.
    page.context.clear_cookies()
    login("region@ney.test")
    page.goto(f"/bodies/{board.pk}/meetings/")
    page.get_by_role("link", name="Regional AHP board").click()
    page.wait_for_url(f"**/meetings/{board_meeting.pk}/")
    expect(page.get_by_role("heading", name="1. Escalated by SYB ICS AHP council")).to_be_visible()
    expect(page.get_by_text("Doncaster's therapy vacancies are above 15%")).to_be_visible()
    expect(page.get_by_text("by Chris Chair")).to_be_visible()
    check_both_widths(page, axe)
    page.get_by_role("link", name="Record the outcome of item 1").click()
    page.get_by_label("Outcome").fill("A regional recruitment campaign will include Doncaster.")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text("Recorded the outcome")).to_be_visible()

    page.context.clear_cookies()
    login("chair@syb.test")
    page.goto(meeting_url)
    expect(
        page.get_by_text("A regional recruitment campaign will include Doncaster.")
    ).to_be_visible()
