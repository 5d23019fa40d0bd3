"""A council chair (with no role but their seat) manages the council's members; a regional lead
keeps the leadership register; the toolkit's supporting resources; an England admin records
changes of structure. Every page at 1,280 px and at 320 px: no sideways scroll, no axe-core
violations (WCAG 2.2 A and AA)."""

import datetime as dt

from playwright.sync_api import expect

from councils.demo import current_totp_code
from councils.models import BodyMember, LeadershipPost
from tests.browser.conftest import fill_date
from tests.councils.body_data import body_of

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
REFLOWED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def check_both_widths(page, axe):
    for width in (1280, 320):
        page.set_viewport_size({"width": width, "height": 900})
        page.evaluate(REFLOWED)
        assert page.evaluate(OVERFLOW) <= 0, f"{page.url} scrolls sideways at {width} px"
        axe(page)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_council_chair_manages_the_members(page, login, axe, tree, make_user):
    council = body_of(tree["QF7"])
    council.name = "SYB ICS AHP council"
    council.save(update_fields=["name"])
    chair = make_user(email="chair@syb.test", full_name="Chris Chair")
    BodyMember.objects.create(
        body=council, user=chair, position="chair", term_start=dt.date(2025, 4, 1)
    )
    make_user(email="nia@syb.test", full_name="Nia Newcomer")

    login("chair@syb.test")
    page.goto("/org/QF7/")
    page.get_by_role("link", name="SYB ICS AHP council", exact=True).first.click()
    expect(page.get_by_role("heading", name="SYB ICS AHP council", level=1)).to_be_visible()
    check_both_widths(page, axe)

    page.get_by_role("link", name="Add a member").click()
    page.get_by_label("Email address").fill("nobody@syb.test")
    page.get_by_role("button", name="Add the member").click()
    expect(page.get_by_role("alert")).to_contain_text("No one with the email nobody@syb.test")
    expect(page.get_by_label("Email address")).to_have_value("nobody@syb.test")
    check_both_widths(page, axe)  # the form with its error summary

    page.get_by_label("Email address").fill("nia@syb.test")
    page.get_by_label("Vice chair", exact=True).check(force=True)  # NHS.UK styles the label over it
    fill_date(page, "Term start", dt.date(2026, 4, 1))
    page.get_by_role("button", name="Add the member").click()
    expect(
        page.get_by_text("Nia Newcomer is now vice chair of SYB ICS AHP council.")
    ).to_be_visible()
    history = page.get_by_role("region", name="Member history")
    added = history.get_by_role("row").filter(has_text="Nia Newcomer")
    expect(added).to_contain_text("Added")
    expect(added).to_contain_text("Position: Vice chair; Term start: 1 April 2026")
    expect(added).to_contain_text("Chris Chair")
    check_both_widths(page, axe)

    page.get_by_role("link", name="Change the seat of Nia Newcomer").click()
    fill_date(page, "Term end", dt.date(2026, 3, 1))
    page.get_by_role("button", name="Save the seat").click()
    expect(page.get_by_role("alert")).to_contain_text("The term must end on or after")
    check_both_widths(page, axe)


def test_a_regional_lead_keeps_the_leadership_register(page, login, axe, tree, make_user):
    make_user("chair", tree["Y63"], email="region@ney.test", full_name="Rae Regional")
    LeadershipPost.objects.create(
        organisation=tree["RP5"], post="chief_ahp", status="substantive", holder_name="Dana Chief"
    )
    LeadershipPost.objects.create(organisation=tree["RHQ"], post="chief_ahp", status="vacant")
    council = body_of(tree["QF7"])
    LeadershipPost.objects.create(
        organisation=tree["QF7"], body=council, post="chair", status="interim", holder_name="Cy"
    )

    login("region@ney.test")
    page.goto("/org/Y63/")
    page.get_by_role("link", name="Leadership register").click()
    expect(page.get_by_text("Chief AHP in post at 1 of 4 providers")).to_be_visible()
    check_both_widths(page, axe)

    page.get_by_role("link", name="Change the chief AHP of Rotherham Doncaster").click()
    page.get_by_label("Interim", exact=True).check(force=True)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the post holder's email address")
    check_both_widths(page, axe)
    page.get_by_label("Name of the post holder").fill("Owen Clarke")
    fill_date(page, "Start date", dt.date(2026, 10, 1))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Chief AHP in post at 2 of 4 providers")).to_be_visible()
    expect(page.get_by_role("cell", name="Owen Clarke Interim")).to_be_visible()


def test_the_supporting_resources(page, login, axe, tree, make_user):
    make_user("viewer", tree["QF7"], email="viewer@syb.test")
    login("viewer@syb.test")
    page.goto("/readiness/")
    page.get_by_role("link", name="Supporting resources of the AHP support workforce").click()
    expect(page.get_by_role("heading", name="Workforce planning")).to_be_visible()
    expect(page.get_by_role("link", name="HEE Star")).to_have_attribute(
        "href", "https://www.hee.nhs.uk/our-work/hee-star"
    )
    check_both_widths(page, axe)


def test_an_england_admin_records_a_move_and_a_merger(page, login, axe, tree, make_user):
    make_user("org_admin", tree["ENG"], email="admin@england.test")
    login("admin@england.test")
    page.get_by_label("Code", exact=True).fill(current_totp_code())
    page.get_by_role("button", name="Sign in").click()
    page.goto("/org/ENG/")
    page.get_by_role("link", name="Changes of structure").click()
    expect(page.get_by_role("heading", name="Changes of structure", level=1)).to_be_visible()
    check_both_widths(page, axe)

    move = page.locator("form").filter(has=page.get_by_role("button", name="Record the move"))
    rxe = f"{tree['RXE'].name} (Provider, RXE)"
    move.get_by_label("Organisation that moves").select_option(label=rxe)
    move.get_by_label("New parent").select_option(
        label=f"{tree['QF7'].name} (Integrated care system, QF7)"
    )
    move.get_by_label("Month").fill("4")
    move.get_by_label("Year").fill("2025")
    move.get_by_label("Reason").fill("Services moved to Sheffield")
    move.get_by_role("button", name="Record the move").click()
    expect(page.get_by_role("alert")).to_contain_text("A provider moves to a place")
    expect(move.get_by_label("Reason")).to_have_value("Services moved to Sheffield")
    check_both_widths(page, axe)  # the form with its error summary

    move.get_by_label("New parent").select_option(label="Sheffield (Place, QF7-SHE)")
    move.get_by_role("button", name="Record the move").click()
    expect(
        page.get_by_text("Recorded: " + tree["RXE"].name + " moves from Doncaster")
    ).to_be_visible()

    merger = page.locator("form").filter(has=page.get_by_role("button", name="Record the merger"))
    merger.get_by_label(f"{tree['RP5'].name} (RP5)").check(force=True)  # NHS.UK styles the label
    merger.get_by_label(f"{tree['RHQ'].name} (RHQ)").check(force=True)
    merger.get_by_label("New provider's code").fill("RX1")
    merger.get_by_label("New provider's name").fill("South Yorkshire Teaching Hospitals")
    merger.get_by_label("Month").fill("7")
    merger.get_by_label("Year").fill("2025")
    merger.get_by_label("Reason").fill("Trusts merged")
    merger.get_by_role("button", name="Record the merger").click()
    expect(page.get_by_text("Recorded: RP5, RHQ merge into")).to_be_visible()
    expect(page.get_by_role("region", name="Mergers recorded")).to_contain_text("July 2025")
    check_both_widths(page, axe)
