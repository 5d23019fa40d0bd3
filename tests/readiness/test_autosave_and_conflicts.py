"""Drafts save as the respondent types, survive a new sign-in, and never silently overwrite."""

import re

from django.test import Client
from django.urls import reverse

from readiness.models import Answer
from tests.readiness.conftest import client_of, post_fields


def _sub(cycle, tree):
    return cycle.submissions.get(organisation=tree["RP5"])


def _autosave(client, sub, answer, field, value, version, original=None):
    data = {"answer": answer.pk, "field": field, "value": value, "version": version}
    if original is not None:
        data["original"] = original
    return client.post(reverse("readiness:autosave", args=[sub.pk]), data)


def test_autosave_stores_the_field_and_returns_the_new_version_and_progress(
    employer_cycle, tree, people
):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    client = client_of(people["rp5"])
    response = _autosave(client, sub, answer, "yes_no", "y", 0)
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert (response.json()["answered"], response.json()["total"]) == (1, 19)
    response = _autosave(client, sub, answer, "response", "We have a plan", 1)
    assert response.json()["version"] == 2
    answer.refresh_from_db()
    assert (answer.yes_no, answer.response, answer.updated_by) == (
        "Y",
        "We have a plan",
        people["rp5"],
    )


def test_the_draft_survives_signing_out_and_back_in(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    first = client_of(people["rp5"])
    _autosave(first, sub, answer, "response", "Half-written thought", 0)
    first.logout()
    later = Client()
    later.force_login(people["rp5"])
    page = later.get(reverse("readiness:submission", args=[sub.pk])).content.decode()
    assert "Half-written thought" in page


def test_an_expired_session_saves_nothing_and_is_told_to_sign_in(employer_cycle, tree):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    response = _autosave(Client(), sub, answer, "response", "lost?", 0)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    answer.refresh_from_db()
    assert answer.response == ""


def test_a_stale_version_is_a_conflict_showing_their_text(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    alice, bob = client_of(people["rp5"]), client_of(people["rp5b"])
    assert _autosave(alice, sub, answer, "response", "Alice's words", 0).status_code == 200
    response = _autosave(bob, sub, answer, "response", "Bob's words", 0)
    assert response.status_code == 409
    body = response.json()
    assert body["conflict"] and body["theirs"] == "Alice's words" and body["by"] == "Dana"
    answer.refresh_from_db()
    assert answer.response == "Alice's words"
    # having seen it, Bob saves again against the current version
    assert (
        _autosave(bob, sub, answer, "response", "Bob's words", body["version"]).status_code == 200
    )
    answer.refresh_from_db()
    assert answer.response == "Bob's words"


def test_saving_the_same_text_twice_is_not_a_conflict(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    client = client_of(people["rp5"])
    _autosave(client, sub, answer, "response", "Same", 0)
    assert _autosave(client, sub, answer, "response", "Same", 0).status_code == 200


def test_plain_form_saves_without_javascript(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    data = post_fields(sub, **{f"a{answer.pk}-yes_no": "N", f"a{answer.pk}-response": "Typed"})
    response = client_of(people["rp5"]).post(
        reverse("readiness:submission", args=[sub.pk]), {**data, "save": "1"}, follow=True
    )
    assert "Draft saved." in response.content.decode()
    answer.refresh_from_db()
    assert (answer.yes_no, answer.response, answer.version) == ("N", "Typed", 1)
    # answers the person did not touch are not re-saved
    assert Answer.objects.filter(submission=sub, version__gt=0).count() == 1


def test_plain_form_conflict_shows_both_texts_and_keeps_the_other_answers(
    employer_cycle, tree, people
):
    sub = _sub(employer_cycle, tree)
    first, second = list(sub.answers.all()[:2])
    stale = post_fields(sub)
    _autosave(client_of(people["rp5b"]), sub, first, "response", "Saved by the deputy", 0)
    stale.update({f"a{first.pk}-response": "Mine", f"a{second.pk}-response": "Not contested"})
    response = client_of(people["rp5"]).post(
        reverse("readiness:submission", args=[sub.pk]), {**stale, "save": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed these answers while you were editing" in page
    assert "Saved by the deputy" in page  # theirs
    assert ">Mine</textarea>" in page  # yours, still in the box
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.response == "Saved by the deputy"
    assert second.response == "Not contested"


def test_autosave_refuses_bad_input_clearly(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    client = client_of(people["rp5"])
    refused = _autosave(client, sub, answer, "yes_no", "maybe", 0)
    assert refused["Content-Type"] == "application/problem+json"
    assert (refused.json()["detail"], refused.json()["field"]) == ("Y/N must be Y or N.", "yes_no")
    assert _autosave(client, sub, answer, "owner", "x", 0).status_code == 400
    response = client.post(
        reverse("readiness:autosave", args=[sub.pk]), {"answer": answer.pk, "field": "response"}
    )
    assert response.json()["detail"] == "A version number is required."


def test_a_sibling_cannot_autosave_into_another_organisation(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    assert _autosave(client_of(people["rxe"]), sub, answer, "response", "x", 0).status_code == 404
    other = employer_cycle.submissions.get(organisation=tree["RXE"]).answers.first()
    # an answer id from another submission, posted to one's own submission's endpoint
    own = employer_cycle.submissions.get(organisation=tree["RXE"])
    assert _autosave(client_of(people["rp5"]), sub, other, "response", "x", 0).status_code == 404
    assert own.answers.filter(response="x").count() == 0


def test_two_people_editing_different_fields_of_one_answer_both_keep_their_text(
    employer_cycle, tree, people
):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    alice, bob = client_of(people["rp5"]), client_of(people["rp5b"])
    assert _autosave(alice, sub, answer, "response", "Alice", 0, original="").status_code == 200
    # Bob loaded the page at version 0 and types into next steps, which Alice did not touch
    response = _autosave(bob, sub, answer, "next_steps", "Bob", 0, original="")
    assert response.status_code == 200 and response.json()["version"] == 2
    # but Bob's stale edit of the response Alice changed is a conflict, not an overwrite
    conflict = _autosave(bob, sub, answer, "response", "Bob's response", 0, original="")
    assert conflict.status_code == 409 and conflict.json()["theirs"] == "Alice"
    answer.refresh_from_db()
    assert (answer.response, answer.next_steps) == ("Alice", "Bob")


def test_after_signing_in_again_a_fresh_token_from_the_page_lets_the_old_tab_save(
    employer_cycle, tree, people
):
    """What the page's script does when a save is refused: signing in again changes the CSRF
    token, so the old tab's token gets 403; the page fetched again gives the new one."""
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    url = reverse("readiness:submission", args=[sub.pk])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(people["rp5"])
    old_token = _token(browser.get(url).content.decode())
    browser.logout()  # the session ends
    data = {"answer": answer.pk, "field": "response", "value": "Typed", "version": 0}
    autosave = reverse("readiness:autosave", args=[sub.pk])
    assert browser.post(autosave, data, HTTP_X_CSRFTOKEN=old_token).status_code in (302, 403)
    assert browser.get(url).status_code == 302  # still signed out: no fresh token to be had
    browser.force_login(people["rp5"])  # signed in again (in another tab)
    assert browser.post(autosave, data, HTTP_X_CSRFTOKEN=old_token).status_code == 403
    fresh = _token(browser.get(url).content.decode())
    assert browser.post(autosave, data, HTTP_X_CSRFTOKEN=fresh).status_code == 200
    answer.refresh_from_db()
    assert answer.response == "Typed"


def _token(html):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_the_page_keeps_unsaved_typing_per_person_and_links_back_after_signing_in(
    employer_cycle, tree, people
):
    sub = _sub(employer_cycle, tree)
    page = client_of(people["rp5"]).get(reverse("readiness:submission", args=[sub.pk]))
    text = page.content.decode()
    assert f'data-autosave-key="{people["rp5"].pk}:{sub.pk}"' in text
    next_url = reverse("readiness:submission", args=[sub.pk])
    assert f'href="/accounts/login/?next={next_url}" target="_blank"' in text
    assert 'id="autosave-notice" class="app-autosave-notice" role="status"' in text
