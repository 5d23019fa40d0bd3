"""A chair opens a cycle; a chief AHP fills the employer toolkit in two sittings (signing out in
between: the autosaved draft survives), submits; the chair returns it; it is resubmitted and
signed off; the action plan and the heat map show it and the XLSX downloads. axe on every page."""

import datetime
import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from readiness import services
from readiness.models import Answer, Section, Status, Submission
from tests.browser.conftest import fill_date

QUESTIONS = 19


def _log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()


def _wait_saved(page, count):
    """Every field typed has been autosaved and ``count`` answers say so."""
    page.wait_for_function(
        "n => document.querySelector('form[data-autosave-url]')"
        ".getAttribute('data-autosave-pending') === '0' && "
        "[...document.querySelectorAll('[id$=\"-status\"]')]"
        ".filter(e => e.textContent.startsWith('Saved')).length >= n",
        arg=count,
    )


def _answer(page, n, yes=True):
    group = page.get_by_role("group", name=f"Y/N for question {n}", exact=True)
    group.get_by_label("Yes" if yes else "No", exact=True).check()
    page.get_by_label(f"Response to question {n}", exact=True).fill(f"Response {n}")
    page.get_by_label(f"Next steps for question {n}", exact=True).fill(f"Next step {n}")


def test_employer_toolkit_from_opening_to_sign_off(page, login, axe, tree, make_user):
    make_user("chair", tree["QF7"], email="chair@syb.test", full_name="Chris Chair")
    make_user("respondent", tree["RP5"], email="chief@dbth.test", full_name="Dana Chief")
    section = Section.objects.get(template__code="support_workforce", code="employer")

    # the chair opens a cycle
    login("chair@syb.test")
    page.goto("/readiness/")
    axe(page)
    page.get_by_role("link", name=f"Open a cycle for {tree['QF7'].name}").click()
    expect(page.get_by_label("Cycle name")).to_be_visible()
    axe(page)
    page.get_by_label("Toolkit").select_option(str(section.pk))
    page.get_by_label("Cycle name").fill("2026/27")
    due = datetime.date.today() + datetime.timedelta(days=30)
    fill_date(page, "Due date", due)
    page.get_by_role("button", name="Open cycle").click()
    expect(page.get_by_text("Opened 2026/27 for 3 organisations.")).to_be_visible()
    expect(page.get_by_role("row", name=tree["RP5"].name).get_by_text("0 of 19")).to_be_visible()
    axe(page)
    _log_out(page)

    # first sitting: half the questions, keyboard for the first; autosave, then sign out
    login("chief@dbth.test")
    page.goto("/readiness/")
    axe(page)
    page.get_by_role("link", name="2026/27: Section 3").click()
    expect(page.get_by_role("group", name="Y/N for question 1", exact=True)).to_be_visible()
    axe(page)
    page.get_by_role("group", name="Y/N for question 1", exact=True).get_by_label("Yes").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.type("Typed with the keyboard only")
    _wait_saved(page, 1)
    for n in range(2, 10):
        _answer(page, n, yes=n % 3 != 0)
    _wait_saved(page, 9)
    assert page.locator("#progress-count").inner_text() == f"9 of {QUESTIONS}"
    # submitting now lists what is missing and keeps everything typed
    page.get_by_role("button", name="Submit for sign-off").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary.get_by_text("10 not answered yet")).to_be_visible()
    expect(
        summary.get_by_role("link", name="Question 10 (Roles and responsibilities)")
    ).to_be_visible()
    expect(page.get_by_label("Response to question 1", exact=True)).to_have_value(
        "Typed with the keyboard only"
    )
    axe(page)
    _log_out(page)

    # second sitting: the draft survived; finish and submit
    login("chief@dbth.test")
    page.goto("/readiness/")
    page.get_by_role("link", name="2026/27: Section 3").click()
    expect(page.get_by_label("Response to question 1", exact=True)).to_have_value(
        "Typed with the keyboard only"
    )
    assert page.get_by_label("Response to question 5", exact=True).input_value() == "Response 5"
    for n in range(10, QUESTIONS + 1):
        _answer(page, n)
    _wait_saved(page, QUESTIONS - 9)
    page.get_by_role("button", name="Submit for sign-off").click()
    expect(page.get_by_text("Submitted 2026/27")).to_be_visible()
    axe(page)
    _log_out(page)

    # the chair returns it with a comment
    submission = Submission.objects.get(organisation=tree["RP5"])
    login("chair@syb.test")
    page.goto(f"/readiness/submissions/{submission.pk}/")
    axe(page)
    page.get_by_label("Comment").fill("Please add vacancy figures to question 5.")
    page.get_by_role("button", name="Return with comment").click()
    expect(page.get_by_text("Returned:")).to_be_visible()
    _log_out(page)

    # resubmitted
    login("chief@dbth.test")
    page.goto(f"/readiness/submissions/{submission.pk}/")
    expect(page.get_by_text("Please add vacancy figures to question 5.").first).to_be_visible()
    axe(page)
    page.get_by_label("Response to question 5", exact=True).fill("Vacancy rate 7% (March)")
    _wait_saved(page, 1)
    page.get_by_role("button", name="Submit for sign-off").click()
    expect(page.get_by_text("Resubmitted 2026/27")).to_be_visible()
    _log_out(page)

    # signed off; the action plan, heat map and XLSX show it
    login("chair@syb.test")
    page.goto(f"/readiness/submissions/{submission.pk}/")
    page.get_by_role("button", name="Sign off").click()
    expect(page.get_by_text("Signed off:")).to_be_visible()
    submission.refresh_from_db()
    assert submission.status == Status.SIGNED_OFF
    axe(page)

    page.goto("/org/QF7/readiness/actions/")
    expect(page.get_by_role("cell", name="Next step 19").first).to_be_visible()
    assert (
        page.get_by_role("caption").inner_text() == f"Actions ({QUESTIONS - 1})"
    )  # Q1 had no next steps
    axe(page)
    page.get_by_role("link", name="Edit action 1", exact=True).click()
    expect(page.get_by_label("Owner", exact=True)).to_be_visible()
    axe(page)
    page.get_by_label("Owner", exact=True).select_option(label="Dana Chief (chief@dbth.test)")
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    fill_date(page, "Due date", yesterday)
    page.get_by_label("Six-step approach stage").select_option(label="Design and plan")
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_text("Action updated.")).to_be_visible()
    late = page.get_by_role("row", name="Dana Chief")
    expect(late.get_by_text("Overdue")).to_be_visible()
    expect(late.get_by_role("cell", name="Design and plan")).to_be_visible()
    page.get_by_label("Overdue only").check(force=True)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("caption")).to_have_text("Actions (1)")
    axe(page)

    page.goto(f"/readiness/cycles/{submission.cycle_id}/")
    expect(page.get_by_role("row", name=tree["RP5"].name).get_by_text("Signed off")).to_be_visible()
    page.get_by_role("link", name="Heat map of answers").click()
    row = page.get_by_role("row", name=tree["RP5"].name)
    assert row.get_by_role("cell", name="N", exact=True).count() == 3  # questions 3, 6, 9
    assert row.get_by_role("cell", name="Y", exact=True).count() == QUESTIONS - 3
    assert (
        page.get_by_role("row", name=tree["RXE"].name)
        .get_by_role("cell", name="Not answered")
        .count()
        == QUESTIONS
    )
    axe(page)

    page.goto(f"/readiness/cycles/{submission.cycle_id}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download answers (XLSX)").click()
    assert download.value.suggested_filename == "readiness-2026-27-employer.xlsx"
    with open(download.value.path(), "rb") as f:
        wb = load_workbook(io.BytesIO(f.read()))
    assert wb.sheetnames[1:] == [
        "Strategy",
        "Workforce planning",
        "Roles and responsibilities",
        "Recruitment and retention",
        "Training and education",
    ]

    page.goto(f"/readiness/submissions/{submission.pk}/print/")
    expect(page.get_by_text("Vacancy rate 7% (March)")).to_be_visible()
    axe(page)


def test_state_of_readiness_conflict_comparison_and_action_editing(
    page, chromium, live_server, login, axe, tree, make_user
):
    make_user("chair", tree["QF7"], email="chair@syb.test", full_name="Chris Chair")
    make_user("respondent", tree["RP5"], email="chief@dbth.test", full_name="Dana Chief")
    make_user("respondent", tree["RP5"], email="deputy@dbth.test", full_name="Dev Deputy")
    section = Section.objects.get(template__code="state_of_readiness")

    login("chair@syb.test")
    page.goto("/org/QF7/readiness/")
    axe(page)
    page.get_by_role("link", name="Open a cycle").click()
    page.get_by_label("Toolkit").select_option(str(section.pk))
    page.get_by_label("Cycle name").fill("SoR 2026")
    due = datetime.date.today() + datetime.timedelta(days=30)
    fill_date(page, "Due date", due)
    page.get_by_role("button", name="Open cycle").click()
    # state of readiness needs providers chosen: a clear message, nothing opened
    expect(
        page.get_by_text("Choose at least one provider for state of readiness.").first
    ).to_be_visible()
    axe(page)
    page.get_by_label(f"{tree['RP5'].name} (RP5)").check(force=True)
    page.get_by_label(f"{tree['RHQ'].name} (RHQ)").check(force=True)
    page.get_by_role("button", name="Open cycle").click()
    expect(page.get_by_text("Opened SoR 2026 for 2 organisations.")).to_be_visible()
    cycle_url = page.url
    _log_out(page)

    sub = Submission.objects.get(organisation=tree["RP5"])
    field = "Physiotherapists: question 1"
    login("chief@dbth.test")
    page.goto(f"/readiness/submissions/{sub.pk}/")
    axe(page)

    # a deputy opens the same draft in another browser before the chief types
    other = chromium.new_context(base_url=live_server.url)
    deputy = other.new_page()
    deputy.goto("/accounts/login/")
    deputy.get_by_label("Email").fill("deputy@dbth.test")
    deputy.get_by_label("Password").fill("correct horse battery")
    deputy.get_by_role("button", name="Sign in").click()
    deputy.goto(f"/readiness/submissions/{sub.pk}/")

    page.get_by_label(field).fill("Chief's answer")
    # and answers a question the deputy's open page never touches, over two lines
    page.get_by_label("Occupational therapists: question 1").fill("OT line one\nOT line two")
    _wait_saved(page, 2)
    # the trust employs no orthoptists: one tick (keyboard only) answers their four questions
    page.get_by_label("Orthoptists: not employed here").focus()
    page.keyboard.press("Space")
    expect(page.locator("#not-applicable-status")).to_contain_text(
        "Orthoptists: marked not employed here"
    )
    expect(page.get_by_label("Orthoptists: question 1")).to_be_hidden()
    expect(page.get_by_text("Orthoptists: not applicable (not employed here)")).to_have_count(4)
    expect(page.locator("#progress-count")).to_have_text("6 of 60")
    axe(page)
    deputy.get_by_label(field).fill("Deputy's answer")
    deputy.wait_for_function(
        "() => [...document.querySelectorAll('[role=status]')]"
        ".some(e => e.textContent.includes('changed this answer'))"
    )
    status = deputy.get_by_text("Dana Chief changed this answer while you were typing")
    assert "Their text: Chief's answer" in status.inner_text()
    answer = sub.answers.get(question__number="1", profession__code="physiotherapist")
    assert answer.response == "Chief's answer"  # nothing silently overwritten
    # having seen it, the deputy keeps theirs with Save draft
    deputy.get_by_role("button", name="Save draft").click()
    expect(deputy.get_by_text("Draft saved.")).to_be_visible()
    other.close()
    answer.refresh_from_db()
    assert answer.response == "Deputy's answer"
    # the deputy's stale page did not write its empty box over the chief's OT answer
    ot = sub.answers.get(question__number="1", profession__code="occupational_therapist")
    assert ot.response == "OT line one\nOT line two"
    _log_out(page)

    login("chair@syb.test")
    page.goto(cycle_url)
    page.get_by_role("link", name="Answers side by side by profession").click()
    row = page.get_by_role("row", name="Physiotherapists").first
    expect(row.get_by_role("cell", name="Deputy's answer")).to_be_visible()
    orthoptists = page.get_by_role("row", name="Orthoptists").first
    expect(orthoptists.get_by_role("cell").first).to_have_text("Not applicable")
    expect(orthoptists.get_by_role("cell").nth(1)).to_have_text("Not answered")
    axe(page)


def test_nothing_typed_is_lost_when_the_session_ends(page, login, axe, tree, make_user):
    """Typed after the session ended: kept in the browser, saved once signed in again, either
    in another tab (the old tab fetches a fresh CSRF token) or in this one (put back on load);
    a colleague's answer given meanwhile is a conflict, not overwritten."""
    chair = make_user("chair", tree["QF7"], email="chair@syb.test")
    make_user("respondent", tree["RP5"], email="chief@dbth.test", full_name="Dana Chief")
    deputy = make_user("respondent", tree["RP5"], email="deputy@dbth.test", full_name="Dev")
    cycle = services.cycle_open(
        actor=chair,
        organisation=tree["QF7"],
        section=Section.objects.get(template__code="support_workforce", code="employer"),
        name="2026/27",
        due_date=datetime.date.today() + datetime.timedelta(days=30),
    )
    sub = cycle.submissions.get(organisation=tree["RP5"])
    answers = {a.question.number: a for a in sub.answers.select_related("question")}
    url = f"/readiness/submissions/{sub.pk}/"
    callout = page.locator("#autosave-signed-out")
    notice = page.locator("#autosave-notice")

    def response(number):
        return page.get_by_label(f"Response to question {number}", exact=True)

    def stored(number):
        return Answer.objects.get(pk=answers[str(number)].pk).response

    def status(number):
        return page.locator(f"#a{answers[str(number)].pk}-status")

    login("chief@dbth.test")
    page.goto(url)
    response(1).fill("Saved before the session ended")
    _wait_saved(page, 1)

    # the session ends: what is typed next cannot be saved, and the page says so
    page.context.clear_cookies()
    response(2).fill("Typed after the session ended")
    expect(callout).to_be_visible()
    expect(status(2)).to_contain_text("you have been signed out")
    expect(notice).to_contain_text("You have been signed out")
    axe(page)
    assert stored(2) == ""

    # signed in again in another tab; back here, the old tab saves with a fresh CSRF token
    other = page.context.new_page()
    other.goto("/accounts/login/")
    other.get_by_label("Email").fill("chief@dbth.test")
    other.get_by_label("Password").fill("correct horse battery")
    other.get_by_role("button", name="Sign in").click()
    other.wait_for_load_state()
    other.close()
    page.bring_to_front()
    retry = page.get_by_role("button", name="Try saving again")
    if retry.is_visible():
        retry.focus()
        page.keyboard.press("Enter")
    expect(status(2)).to_contain_text("Saved at")
    expect(callout).to_be_hidden()
    assert stored(2) == "Typed after the session ended"
    # and Save draft from this old tab works too
    page.get_by_label("Next steps for question 2", exact=True).fill("A next step")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert Answer.objects.get(pk=answers["2"].pk).next_steps == "A next step"

    # the session ends again; Save draft while signed out sends nothing and loses nothing
    page.context.clear_cookies()
    response(3).fill("Typed, then signed in from this tab")
    response(4).fill("The chief's answer to 4")
    expect(callout).to_be_visible()
    page.get_by_role("button", name="Save draft").click()
    expect(notice).to_contain_text("You are still signed out, so nothing was sent.")
    assert page.url.endswith(url)
    # meanwhile the deputy answers question 4
    services.answer_save_field(
        submission=sub,
        answer=answers["4"],
        field="response",
        value="The deputy's answer to 4",
        version=Answer.objects.get(pk=answers["4"].pk).version,
        actor=deputy,
    )

    # signing in from this tab: the page opens with what was typed put back and saved
    page.goto(f"/accounts/login/?next={url}")
    page.get_by_label("Email").fill("chief@dbth.test")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(notice).to_contain_text("2 answers you typed in this browser had not been saved")
    expect(notice).to_contain_text("1 answer saved.")
    expect(notice).to_contain_text("1 answer had been changed by someone else meanwhile")
    assert response(3).input_value() == "Typed, then signed in from this tab"
    assert response(4).input_value() == "The chief's answer to 4"
    expect(status(4)).to_contain_text("Dev changed this answer")
    assert stored(3) == "Typed, then signed in from this tab"
    assert stored(4) == "The deputy's answer to 4"  # not overwritten
    axe(page)
    # having seen it, the chief keeps theirs; then nothing is left waiting in the browser
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    assert stored(4) == "The chief's answer to 4"
    waiting = "Object.keys(localStorage).filter(k => k.startsWith('ahp-readiness:')).length"
    assert page.evaluate(waiting) == 0
