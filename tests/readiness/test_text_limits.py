"""Answers, comments and narratives hold at most 10,000 characters: a longer text is refused with
a message naming the field, nothing is saved, and what was typed stays in the form. Autosave and
the API answer problem+json, even for a body larger than Django reads."""

from django.urls import reverse

from ahpportal.limits import TEXT_MAX_CHARS
from readiness import services
from readiness.models import Answer, Status, Transition
from tests.readiness.conftest import answer_all, client_of, post_fields

LONG = "x" * (TEXT_MAX_CHARS + 1)
PROBLEM = "application/problem+json"


def _sub(cycle, tree):
    return cycle.submissions.get(organisation=tree["RP5"])


def test_autosave_refuses_a_response_over_the_limit_as_a_problem(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    response = client_of(people["rp5"]).post(
        reverse("readiness:autosave", args=[sub.pk]),
        {"answer": answer.pk, "field": "response", "value": LONG, "version": 0},
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["field"] == "response"
    assert body["detail"].startswith("Response must be 10,000 characters or fewer; it has 10,001.")
    answer.refresh_from_db()
    assert (answer.response, answer.version) == ("", 0)


def test_autosave_accepts_exactly_the_limit(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    response = client_of(people["rp5"]).post(
        reverse("readiness:autosave", args=[sub.pk]),
        {"answer": answer.pk, "field": "next_steps", "value": "y" * TEXT_MAX_CHARS, "version": 0},
    )
    assert response.status_code == 200
    answer.refresh_from_db()
    assert len(answer.next_steps) == TEXT_MAX_CHARS


def test_autosave_errors_and_conflicts_are_problems(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    url = reverse("readiness:autosave", args=[sub.pk])
    client = client_of(people["rp5"])
    missing = client.post(url, {"field": "response"})
    assert (missing.status_code, missing["Content-Type"]) == (400, PROBLEM)
    assert missing.json()["detail"] == "Say which answer to save."
    client.post(url, {"answer": answer.pk, "field": "response", "value": "Mine", "version": 0})
    other = client_of(people["rp5b"])
    conflict = other.post(
        url, {"answer": answer.pk, "field": "response", "value": "Theirs", "version": 0}
    )
    assert (conflict.status_code, conflict["Content-Type"]) == (409, PROBLEM)
    assert conflict.json()["theirs"] == "Mine"


def test_a_body_larger_than_django_reads_is_a_413_problem(employer_cycle, tree, people, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50_000
    sub = _sub(employer_cycle, tree)
    answer = sub.answers.first()
    response = client_of(people["rp5"]).post(
        reverse("readiness:autosave", args=[sub.pk]),
        {"answer": answer.pk, "field": "response", "value": "z" * 60_000, "version": 0},
    )
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM
    assert "larger than the 50,000 bytes allowed" in response.json()["detail"]
    answer.refresh_from_db()
    assert answer.response == ""


def test_the_api_answers_a_too_large_json_body_with_a_problem(client_for, tree, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    analyst = client_for("analyst", tree["QF7"])
    response = analyst.post(
        "/api/v1/workforce-imports/",
        data='{"dataset": "' + "a" * 2000 + '"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response["Content-Type"] == PROBLEM


def test_the_plain_form_keeps_every_typed_text_when_one_is_too_long(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    first, second = sub.answers.order_by("question__position")[:2]
    data = post_fields(
        sub,
        **{
            f"a{first.pk}-response": "A short answer I typed",
            f"a{second.pk}-next_steps": LONG,
            "save": "1",
        },
    )
    response = client_of(people["rp5"]).post(reverse("readiness:submission", args=[sub.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Some answers are too long" in page
    assert f"Question {second.question.number}: Next steps must be 10,000 characters" in page
    assert "A short answer I typed" in page  # shown again, not lost
    assert LONG in page
    assert not Answer.objects.filter(submission=sub).exclude(response="").exists()
    assert not Answer.objects.filter(submission=sub).exclude(next_steps="").exists()


def test_a_return_comment_over_the_limit_stays_in_the_form(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer_all(sub)
    services.submission_submit(submission=sub, actor=people["rp5"])
    response = client_of(people["chair"]).post(
        reverse("readiness:review", args=[sub.pk]), {"decision": "return", "comment": LONG}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Comment must be 10,000 characters or fewer; it has 10,001." in page
    assert LONG in page
    sub.refresh_from_db()
    assert sub.status == Status.SUBMITTED
    assert not Transition.objects.filter(action=Transition.Action.RETURNED).exists()


def test_the_service_refuses_a_long_comment_too(employer_cycle, tree, people):
    import pytest

    sub = _sub(employer_cycle, tree)
    answer_all(sub)
    services.submission_submit(submission=sub, actor=people["rp5"])
    with pytest.raises(services.WorkflowError, match="Comment must be 10,000 characters"):
        services.submission_sign_off(submission=sub, actor=people["chair"], comment=LONG)


def test_an_action_description_over_the_limit_is_refused_and_kept(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer_all(sub)
    services.submission_submit(submission=sub, actor=people["rp5"])
    services.submission_sign_off(submission=sub, actor=people["chair"])
    action = sub.actions.first()
    response = client_of(people["chair"]).post(
        reverse("readiness:action_edit", args=[action.pk]),
        {"description": LONG, "status": action.status, "stage": action.stage or ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Action must be 10,000 characters or fewer" in page
    assert LONG in page
    action.refresh_from_db()
    assert action.description == "Agree a plan"
