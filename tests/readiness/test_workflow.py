"""Draft > submitted > signed off, or returned with a comment > resubmitted; reopening keeps
the history."""

from django.core import mail
from django.urls import reverse

from readiness.models import ActionItem, Status, Transition
from tests.readiness.conftest import answer_all, client_of, post_fields


def _sub(cycle, tree):
    return cycle.submissions.get(organisation=tree["RP5"])


def _submit(client, sub, **overrides):
    return client.post(
        reverse("readiness:submission", args=[sub.pk]),
        {**post_fields(sub, **overrides), "submit": "1"},
    )


def _review(client, sub, decision, comment=""):
    return client.post(
        reverse("readiness:review", args=[sub.pk]),
        {"decision": decision, "comment": comment},
        follow=True,
    )


def test_submitting_with_unanswered_questions_lists_them_and_keeps_what_was_typed(
    employer_cycle, tree, people
):
    sub = _sub(employer_cycle, tree)
    answers = list(sub.answers.select_related("question"))
    typed = {f"a{answers[0].pk}-yes_no": "Y", f"a{answers[0].pk}-response": "Typed before submit"}
    response = _submit(client_of(people["rp5"]), sub, **typed)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Answer every question before submitting" in page
    assert "18 not answered yet" in page
    assert f'href="#a{answers[1].pk}-yes_no">Question 2 (Strategy): choose Y or N' in page
    assert (
        f"#a{answers[0].pk}-yes_no" not in page.split("Answer every question")[1].split("</ul>")[0]
    )
    assert "Typed before submit" in page
    sub.refresh_from_db()
    assert sub.status == Status.DRAFT
    answers[0].refresh_from_db()
    assert answers[0].response == "Typed before submit"


def test_the_whole_workflow_records_who_when_and_why_and_emails_the_people_concerned(
    employer_cycle, tree, people, django_capture_on_commit_callbacks
):
    sub = _sub(employer_cycle, tree)
    answer_all(sub)
    respondent, chair = client_of(people["rp5"]), client_of(people["chair"])
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert _submit(respondent, sub).status_code == 302
    assert [m.to for m in mail.outbox] == [["chair@syb.test"]]
    assert "submitted" in mail.outbox[0].subject

    with django_capture_on_commit_callbacks(execute=True):
        page = _review(chair, sub, "return").content.decode()
    assert "Enter a comment saying what needs to change" in page
    with django_capture_on_commit_callbacks(execute=True):
        _review(chair, sub, "return", "Please add your vacancy figures")
    sub.refresh_from_db()
    assert sub.status == Status.RETURNED
    returned_mail = mail.outbox[-1]
    assert set(returned_mail.to) == {"chief@rp5.test", "deputy@rp5.test"}
    assert "Please add your vacancy figures" in returned_mail.body
    page = respondent.get(reverse("readiness:submission", args=[sub.pk])).content.decode()
    assert "Returned by Chris Chair" in page and "Please add your vacancy figures" in page

    with django_capture_on_commit_callbacks(execute=True):
        _submit(respondent, sub)
    assert "resubmitted" in mail.outbox[-1].subject
    with django_capture_on_commit_callbacks(execute=True):
        _review(chair, sub, "sign_off", "Thank you")
    sub.refresh_from_db()
    assert sub.status == Status.SIGNED_OFF and sub.signed_off_at
    assert "signed off" in mail.outbox[-1].subject

    _review(chair, sub, "reopen", "New data arrived")
    sub.refresh_from_db()
    assert sub.status == Status.DRAFT
    history = list(sub.history.values_list("action", "actor__email", "comment"))
    assert history == [
        ("submitted", "chief@rp5.test", ""),
        ("returned", "chair@syb.test", "Please add your vacancy figures"),
        ("resubmitted", "chief@rp5.test", ""),
        ("signed_off", "chair@syb.test", "Thank you"),
        ("reopened", "chair@syb.test", "New data arrived"),
    ]
    assert all(t.at for t in Transition.objects.all())
    page = chair.get(reverse("readiness:submission", args=[sub.pk])).content.decode()
    for label in ("Submitted", "Returned", "Resubmitted", "Signed off", "Reopened"):
        assert f'<td class="nhsuk-table__cell">{label}</td>' in page


def test_a_signed_off_submission_cannot_be_edited_without_reopening(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer_all(sub)
    respondent, chair = client_of(people["rp5"]), client_of(people["chair"])
    _submit(respondent, sub)
    _review(chair, sub, "sign_off")
    answer = sub.answers.first()

    page = respondent.get(reverse("readiness:submission", args=[sub.pk])).content.decode()
    assert "<textarea" not in page and "Our response" in page
    response = respondent.post(
        reverse("readiness:submission", args=[sub.pk]),
        post_fields(sub, **{f"a{answer.pk}-response": "Sneaky edit"}),
        follow=True,
    )
    assert "This submission cannot be edited now." in response.content.decode()
    autosave = respondent.post(
        reverse("readiness:autosave", args=[sub.pk]),
        {"answer": answer.pk, "field": "response", "value": "Sneaky", "version": answer.version},
    )
    assert autosave.status_code == 400
    assert "cannot be edited without reopening it" in autosave.json()["detail"]
    answer.refresh_from_db()
    assert answer.response == "Our response"


def test_respondents_cannot_review_and_chairs_cannot_submit(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer_all(sub)
    assert _review(client_of(people["rp5"]), sub, "sign_off").status_code == 404
    chair_post = client_of(people["chair"]).post(
        reverse("readiness:submission", args=[sub.pk]), {**post_fields(sub), "submit": "1"}
    )
    assert chair_post.status_code == 404
    sub.refresh_from_db()
    assert sub.status == Status.DRAFT


def test_only_a_submitted_toolkit_can_be_signed_off(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    page = _review(client_of(people["chair"]), sub, "sign_off").content.decode()
    assert "Only a submitted toolkit can be signed off." in page
    assert not ActionItem.objects.exists()
