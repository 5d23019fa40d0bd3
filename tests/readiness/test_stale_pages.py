"""A page loaded before a colleague saved: Save draft and Submit from it write only what this
person changed. Fields they did not touch never overwrite the colleague's answer and are never
a conflict; a field both changed differently is a conflict showing both texts, and saving again
from the conflict page keeps what this person typed. These are the plain form posts a browser
without JavaScript makes (tests/browser/test_browser_readiness.py covers the scripted page)."""

from django.urls import reverse

from readiness import services
from readiness.models import Answer, Status
from tests.readiness.conftest import answer_all, client_of, form_data


def _sub(cycle, tree):
    return cycle.submissions.get(organisation=tree["RP5"])


def _url(sub):
    return reverse("readiness:submission", args=[sub.pk])


def _load(client, sub):
    """The page as the person opened it (before anyone else's save)."""
    return client.get(_url(sub)).content.decode()


def _colleague_saves(sub, answer, colleague, **fields):
    for field, value in fields.items():
        version, conflict = services.answer_save_field(
            submission=sub,
            answer=answer,
            field=field,
            value=value,
            version=Answer.objects.get(pk=answer.pk).version,
            actor=colleague,
        )
        assert conflict is None


def test_save_draft_from_a_stale_page_keeps_a_colleagues_answers(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    theirs, changed, mine = list(sub.answers.order_by("question__position")[:3])
    Answer.objects.filter(pk=changed.pk).update(response="Agreed last week")
    chief = client_of(people["rp5"])
    stale = form_data(_load(chief, sub), "save")
    # while the chief's page is open, the deputy answers one question and rewrites another
    _colleague_saves(sub, theirs, people["rp5b"], yes_no="Y", response="The deputy's answer")
    _colleague_saves(sub, changed, people["rp5b"], response="Agreed by the board")
    stale[f"a{mine.pk}-response"] = "The chief's answer"

    response = chief.post(_url(sub), stale, follow=True)

    assert "Draft saved." in response.content.decode()
    assert "Someone else changed" not in response.content.decode()
    values = {a.pk: (a.yes_no, a.response) for a in sub.answers.all()}
    assert values[theirs.pk] == ("Y", "The deputy's answer")
    assert values[changed.pk] == ("", "Agreed by the board")
    assert values[mine.pk] == ("", "The chief's answer")
    assert Answer.objects.get(pk=mine.pk).updated_by == people["rp5"]


def test_submit_from_a_stale_page_is_not_blocked_and_keeps_a_colleagues_answer(
    tree, people, sor_section, due, open_cycle
):
    cycle = open_cycle(sor_section, "SoR 2026", organisations=[tree["RP5"]])
    sub = _sub(cycle, tree)
    last = sub.answers.get(question__number="4", profession__code="physiotherapist")
    sub.answers.exclude(pk=last.pk).update(response="Filled in")
    chief = client_of(people["rp5"])
    stale = form_data(_load(chief, sub), "submit")
    assert stale[f"a{last.pk}-response"] == ""
    # the deputy writes the last answer, and the chief then submits the page opened before it
    _colleague_saves(sub, last, people["rp5b"], response="Shared skills with nursing")

    response = chief.post(_url(sub), stale, follow=True)

    assert "Submitted SoR 2026" in response.content.decode()
    sub.refresh_from_db()
    assert sub.status == Status.SUBMITTED
    last.refresh_from_db()
    assert last.response == "Shared skills with nursing"
    assert last.updated_by == people["rp5b"]


def test_a_true_conflict_shows_both_texts_and_saving_again_keeps_what_was_typed(
    employer_cycle, tree, people
):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.order_by("question__position").first()
    chief = client_of(people["rp5"])
    stale = form_data(_load(chief, sub), "submit")
    _colleague_saves(sub, answer, people["rp5b"], response="The deputy's text")
    stale[f"a{answer.pk}-response"] = "The chief's text"

    response = chief.post(_url(sub), stale)

    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed these answers while you were editing" in page
    assert "The deputy&#x27;s text" in page  # theirs, beside the box
    assert "&gt;The chief&#x27;s text</textarea>" not in page
    assert ">The chief&#x27;s text</textarea>" in page  # yours, in the box
    answer.refresh_from_db()
    assert answer.response == "The deputy's text"  # nothing silently overwritten
    sub.refresh_from_db()
    assert sub.status == Status.DRAFT  # a conflict blocks Submit

    # having seen theirs, the chief saves again from the conflict page: theirs is replaced
    again = chief.post(_url(sub), form_data(page, "save"), follow=True)
    assert "Draft saved." in again.content.decode()
    answer.refresh_from_db()
    assert answer.response == "The chief's text"
    assert answer.updated_by == people["rp5"]


def test_the_same_change_by_both_is_not_a_conflict(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    chief = client_of(people["rp5"])
    stale = form_data(_load(chief, sub), "save")
    _colleague_saves(sub, answer, people["rp5b"], yes_no="N")
    stale[f"a{answer.pk}-yes_no"] = "N"
    assert chief.post(_url(sub), stale).status_code == 302


def test_a_conflict_on_one_field_does_not_hold_back_the_persons_other_edits(
    employer_cycle, tree, people
):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    chief = client_of(people["rp5"])
    stale = form_data(_load(chief, sub), "save")
    _colleague_saves(sub, answer, people["rp5b"], response="Deputy")
    stale[f"a{answer.pk}-response"] = "Chief"
    stale[f"a{answer.pk}-next_steps"] = "Chief's next step"
    assert chief.post(_url(sub), stale).status_code == 409
    answer.refresh_from_db()
    assert (answer.response, answer.next_steps) == ("Deputy", "Chief's next step")


def test_a_page_sending_no_originals_is_checked_against_the_version(employer_cycle, tree, people):
    """A page opened before originals were sent: an edit applies only at the loaded version."""
    sub = _sub(employer_cycle, tree)
    first, second = list(sub.answers.order_by("question__position")[:2])
    chief = client_of(people["rp5"])
    stale = {k: v for k, v in form_data(_load(chief, sub), "save").items() if "-original" not in k}
    _colleague_saves(sub, first, people["rp5b"], response="Deputy")
    stale[f"a{first.pk}-response"] = "Chief"
    stale[f"a{second.pk}-response"] = "Chief on question 2"
    assert chief.post(_url(sub), stale).status_code == 409
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.response, second.response) == ("Deputy", "Chief on question 2")


def test_a_stale_submit_still_lists_what_is_missing(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer_all(sub)
    missing = sub.answers.order_by("question__position").last()
    Answer.objects.filter(pk=missing.pk).update(yes_no="")
    chief = client_of(people["rp5"])
    stale = form_data(_load(chief, sub), "submit")
    page = chief.post(_url(sub), stale).content.decode()
    assert "1 not answered yet" in page
