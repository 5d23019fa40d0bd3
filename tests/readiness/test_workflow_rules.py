"""The person who submitted cannot sign off or return it; chairs close and reopen cycles (who and
when recorded); respondents of a closed cycle cannot save or submit; reminders a week before the
due date and on it, once each."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from readiness import services
from readiness.models import CycleEvent, ReminderSent, Status, Transition
from readiness.services import TRANSITIONS
from readiness.tasks import send_due_reminders
from tests.readiness.conftest import answer_all, client_of, post_fields


def _sub(cycle, tree):
    return cycle.submissions.get(organisation=tree["RP5"])


@pytest.fixture
def both_roles(tree, make_user):
    """Someone who is a respondent at RP5 and a chair at the ICS above it."""
    user = make_user("respondent", tree["RP5"], email="both@rp5.test", full_name="Bo Both")
    from councils.models import Membership

    Membership.objects.create(user=user, organisation=tree["QF7"], role="chair")
    from councils.scoping import forget_scope

    forget_scope(user)
    return user


def test_the_transition_table_names_every_move():
    assert {name: (r.from_statuses, r.to_status) for name, r in TRANSITIONS.items()} == {
        "submit": ((Status.DRAFT, Status.RETURNED), Status.SUBMITTED),
        "return": ((Status.SUBMITTED,), Status.RETURNED),
        "sign_off": ((Status.SUBMITTED,), Status.SIGNED_OFF),
        "reopen": ((Status.SIGNED_OFF,), Status.DRAFT),
    }


@pytest.mark.parametrize("decision", ["sign_off", "return"])
def test_the_submitter_cannot_sign_off_or_return_their_own_submission(
    employer_cycle, tree, people, both_roles, decision
):
    sub = _sub(employer_cycle, tree)
    answer_all(sub)
    services.submission_submit(submission=sub, actor=both_roles)
    response = client_of(both_roles).post(
        reverse("readiness:review", args=[sub.pk]),
        {"decision": decision, "comment": "Please add the figures"},
        follow=True,
    )
    page = response.content.decode()
    assert "You submitted this toolkit, so you cannot sign it off or return it yourself" in page
    assert "another chair covering this organisation must review it" in page
    sub.refresh_from_db()
    assert sub.status == Status.SUBMITTED
    # another chair can
    services.submission_transition(
        submission=sub, actor=people["chair"], move=decision, comment="Please add the figures"
    )
    sub.refresh_from_db()
    assert sub.status == (Status.SIGNED_OFF if decision == "sign_off" else Status.RETURNED)


def test_a_chair_who_did_not_submit_this_time_may_review(employer_cycle, tree, people, both_roles):
    sub = _sub(employer_cycle, tree)
    answer_all(sub)
    services.submission_submit(submission=sub, actor=both_roles)
    services.submission_return(submission=sub, actor=people["chair"], comment="Add figures")
    services.submission_submit(submission=sub, actor=people["rp5"])  # resubmitted by another
    transition = services.submission_sign_off(submission=sub, actor=both_roles)
    assert transition.action == Transition.Action.SIGNED_OFF


def _close(client, cycle, decision="close"):
    return client.post(
        reverse("readiness:cycle_state", args=[cycle.pk]), {"decision": decision}, follow=True
    )


def test_a_chair_closes_a_cycle_and_respondents_cannot_save_or_submit(employer_cycle, tree, people):
    sub = _sub(employer_cycle, tree)
    answer_all(sub)
    page = _close(client_of(people["chair"]), employer_cycle).content.decode()
    assert "Closed 2026/27: respondents can no longer save or submit." in page
    assert "Closed</strong> by Chris Chair" in page
    employer_cycle.refresh_from_db()
    assert employer_cycle.closed_by == people["chair"]

    respondent = client_of(people["rp5"])
    page = respondent.get(reverse("readiness:submission", args=[sub.pk])).content.decode()
    assert "This cycle is closed" in page
    assert "Submit for sign-off" not in page
    home = respondent.get(reverse("readiness:home")).content.decode()
    assert 'nhsuk-tag--grey">Closed' in home

    answer = sub.answers.first()
    autosave = respondent.post(
        reverse("readiness:autosave", args=[sub.pk]),
        {"answer": answer.pk, "field": "response", "value": "Late", "version": answer.version},
    )
    assert autosave.status_code == 400
    assert autosave["Content-Type"] == "application/problem+json"
    assert "was closed by the chair" in autosave.json()["detail"]

    posted = respondent.post(
        reverse("readiness:submission", args=[sub.pk]),
        {**post_fields(sub, **{f"a{answer.pk}-response": "Late"}), "submit": "1"},
        follow=True,
    )
    assert "2026/27 is closed: answers can no longer be saved or submitted." in (
        posted.content.decode()
    )
    sub.refresh_from_db()
    answer.refresh_from_db()
    assert (sub.status, answer.response) == (Status.DRAFT, "Our response")
    with pytest.raises(services.WorkflowError, match="was closed by the chair"):
        services.submission_submit(submission=sub, actor=people["rp5"])


def test_reopening_a_cycle_is_recorded_with_who_and_when(employer_cycle, tree, people, make_user):
    chair = client_of(people["chair"])
    _close(chair, employer_cycle)
    other_chair = make_user("chair", tree["QF7"], email="other@syb.test", full_name="Olu Other")
    before = timezone.now()
    page = _close(client_of(other_chair), employer_cycle, "reopen").content.decode()
    assert "Reopened 2026/27: respondents can save and submit again." in page
    events = list(CycleEvent.objects.filter(cycle=employer_cycle))
    assert [(e.action, e.actor) for e in events] == [
        (CycleEvent.Action.CLOSED, people["chair"]),
        (CycleEvent.Action.REOPENED, other_chair),
    ]
    assert events[1].at >= before
    assert "Reopened by Olu Other on" in page
    employer_cycle.refresh_from_db()
    assert employer_cycle.closed_at is None
    sub = _sub(employer_cycle, tree)
    answer_all(sub)
    assert services.submission_submit(submission=sub, actor=people["rp5"])


def test_closing_twice_or_by_a_respondent_is_refused(employer_cycle, tree, people):
    services.cycle_close(cycle=employer_cycle, actor=people["chair"])
    with pytest.raises(services.WorkflowError, match="already closed"):
        services.cycle_close(cycle=employer_cycle, actor=people["chair"])
    with pytest.raises(services.WorkflowError, match="Only a chair"):
        services.cycle_reopen(cycle=employer_cycle, actor=people["rp5"])
    response = client_of(people["rp5"]).post(
        reverse("readiness:cycle_state", args=[employer_cycle.pk]), {"decision": "reopen"}
    )
    assert response.status_code == 404


# --- reminders ---------------------------------------------------------------------------------


def _reminders(django_capture_on_commit_callbacks, today):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.reminders_send(today=today)
    return sent, list(mail.outbox)


def test_reminders_go_a_week_before_and_on_the_due_date_once_each(
    employer_cycle, tree, people, django_capture_on_commit_callbacks
):
    due = employer_cycle.due_date
    signed = employer_cycle.submissions.get(organisation=tree["RXE"])
    answer_all(signed)
    services.submission_submit(submission=signed, actor=people["rxe"])
    n_open = 1  # RP5: RXE has submitted, and the third provider has no respondent to tell

    sent, outbox = _reminders(django_capture_on_commit_callbacks, due - datetime.timedelta(days=8))
    assert (sent, outbox) == (0, [])

    sent, outbox = _reminders(django_capture_on_commit_callbacks, due - datetime.timedelta(days=7))
    assert sent == n_open
    rp5 = [m for m in outbox if "chief@rp5.test" in m.to]
    assert len(rp5) == 1
    assert rp5[0].subject == (f"Reminder: 2026/27 for {tree['RP5'].name} is due on {due:%-d %B %Y}")
    assert set(rp5[0].to) == {"chief@rp5.test", "deputy@rp5.test"}
    assert not [m for m in outbox if "chief@rxe.test" in m.to]  # submitted already

    sent, outbox = _reminders(django_capture_on_commit_callbacks, due - datetime.timedelta(days=7))
    assert (sent, outbox) == (0, [])  # idempotent

    sent, outbox = _reminders(django_capture_on_commit_callbacks, due)
    assert sent == n_open
    assert any(
        m.subject == f"Reminder: 2026/27 for {tree['RP5'].name} is due today" for m in outbox
    )
    sent, outbox = _reminders(django_capture_on_commit_callbacks, due)
    assert (sent, outbox) == (0, [])
    assert ReminderSent.objects.filter(submission=_sub(employer_cycle, tree)).count() == 2


def test_no_reminders_for_a_closed_cycle(
    employer_cycle, tree, people, django_capture_on_commit_callbacks
):
    services.cycle_close(cycle=employer_cycle, actor=people["chair"])
    sent, outbox = _reminders(django_capture_on_commit_callbacks, employer_cycle.due_date)
    assert (sent, outbox) == (0, [])


def test_the_beat_task_sends_through_the_eager_path(
    employer_cycle, tree, settings, django_capture_on_commit_callbacks
):
    assert settings.CELERY_BEAT_SCHEDULE["readiness-due-reminders"]["task"] == (
        "readiness.tasks.send_due_reminders"
    )
    employer_cycle.due_date = timezone.localdate()
    employer_cycle.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_due_reminders.delay().get()
    assert sent == 2  # RP5 and RXE; the third provider has no respondent to tell
    assert len(mail.outbox) == sent
    assert ReminderSent.objects.count() == 2
