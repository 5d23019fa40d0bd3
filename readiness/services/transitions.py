"""The readiness workflow in one table, and each move of a submission's status."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from councils.scoping import covers

from ..models import EDITABLE, Status, Submission, Transition
from .actions import actions_from_next_steps
from .common import WorkflowError, _emails_of_role_covering, _queue_email, _who
from .drafts import _check_editable, _comment, unanswered

CHAIR_ONLY = "Only a chair covering this organisation can do this."


@dataclass(frozen=True)
class Rule:
    """One move of a submission's status: who may make it, from where, and who is told."""

    action: str  # Transition.Action
    from_statuses: tuple[str, ...]
    to_status: str
    status_refusal: str
    subject: str  # "Readiness toolkit {subject}: <organisation>"
    role: str = "chair"  # the scoping action the actor must cover the organisation with
    role_refusal: str = CHAIR_ONLY
    notify: str = "respondents"  # or "chairs"
    comment_required: str = ""  # the message when a comment is needed but missing
    not_by_submitter: bool = False  # the person who submitted it may not make this move
    respondent_move: bool = False  # refused while the cycle is closed


def _chair_move(action, from_status, to_status, subject, **extra) -> Rule:
    """A chair's move out of one status (refused from any other), told to the respondents. A
    submitted toolkit is reviewed by a chair other than the one who submitted it."""
    from_word = {Status.SUBMITTED: "submitted", Status.SIGNED_OFF: "signed-off"}[from_status]
    return Rule(
        action=action,
        from_statuses=(from_status,),
        to_status=to_status,
        status_refusal=f"Only a {from_word} toolkit can be {subject}.",
        subject=subject,
        not_by_submitter=from_status == Status.SUBMITTED,
        **extra,
    )


# The readiness workflow, in one table: draft/returned -> submitted -> signed off or returned;
# signed off -> draft (reopened). The views, the emails and the history all follow it.
TRANSITIONS: dict[str, Rule] = {
    "submit": Rule(
        action=Transition.Action.SUBMITTED,
        from_statuses=EDITABLE,
        to_status=Status.SUBMITTED,
        role="respond",
        role_refusal="Only a respondent for this organisation can submit it.",
        status_refusal="",  # _check_editable says why
        subject="submitted",
        notify="chairs",
        respondent_move=True,
    ),
    "return": _chair_move(
        Transition.Action.RETURNED,
        Status.SUBMITTED,
        Status.RETURNED,
        "returned",
        comment_required="Enter a comment saying what needs to change before returning it.",
    ),
    "sign_off": _chair_move(
        Transition.Action.SIGNED_OFF, Status.SUBMITTED, Status.SIGNED_OFF, "signed off"
    ),
    "reopen": _chair_move(Transition.Action.REOPENED, Status.SIGNED_OFF, Status.DRAFT, "reopened"),
}

SUBMITTED_ACTIONS = (Transition.Action.SUBMITTED, Transition.Action.RESUBMITTED)


def _record(*, submission, actor, action, to_status, comment="") -> Transition:
    from_status = submission.status
    submission.status = to_status
    now = timezone.now()
    submission.updated_at = now
    if to_status == Status.SUBMITTED:
        submission.submitted_at = now
    if to_status == Status.SIGNED_OFF:
        submission.signed_off_at = now
    submission.save(update_fields=["status", "updated_at", "submitted_at", "signed_off_at"])
    return Transition.objects.create(
        submission=submission,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=now,
        comment=comment,
    )


def _lock(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update()
        .select_related("cycle", "organisation")
        .get(pk=submission.pk)
    )


def submitted_by(submission: Submission):
    """The person who last submitted (or resubmitted) the submission, or None."""
    last = (
        submission.history.filter(action__in=SUBMITTED_ACTIONS)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    return last.actor if last else None


@transaction.atomic
def submission_transition(*, submission: Submission, actor, move: str, comment: str = ""):
    """Make ``move`` (a key of :data:`TRANSITIONS`) on the submission, or raise WorkflowError
    saying why not. Records the transition and queues the emails of the rule."""
    rule = TRANSITIONS[move]
    submission = _lock(submission)
    if not covers(actor, rule.role, submission.organisation):
        raise WorkflowError(rule.role_refusal)
    if rule.respondent_move:
        _check_editable(submission)
    elif submission.status not in rule.from_statuses:
        raise WorkflowError(rule.status_refusal)
    if rule.not_by_submitter and submitted_by(submission) == actor:
        raise WorkflowError(
            "You submitted this toolkit, so you cannot sign it off or return it yourself: "
            "another chair covering this organisation must review it."
        )
    comment = _comment(comment)
    if rule.comment_required and not comment:
        raise WorkflowError(rule.comment_required)
    action = rule.action
    if move == "submit":
        missing = unanswered(submission)
        if missing:
            raise WorkflowError(f"{len(missing)} questions are not answered yet.")
        if submission.status == Status.RETURNED:
            action = Transition.Action.RESUBMITTED
    transition = _record(
        submission=submission,
        actor=actor,
        action=action,
        to_status=rule.to_status,
        comment=comment,
    )
    if move == "sign_off":
        actions_from_next_steps(submission=submission)
    _notify(submission, transition, rule)
    return transition


def _notify(submission: Submission, transition: Transition, rule: Rule) -> None:
    org, cycle_name, actor = submission.organisation, submission.cycle.name, transition.actor
    verb = transition.get_action_display().lower()
    subject = f"Readiness toolkit {verb}: {org.name}"
    done = f"{_who(actor)} has {verb} {cycle_name} for {org.name}"
    if rule.notify == "chairs":
        chairs = _emails_of_role_covering([org], "chair")[org.id]
        _queue_email(
            subject=subject,
            message=f"{done}. It is ready for your sign-off in AHP Portal (Readiness).\n",
            recipients=chairs | {submission.cycle.opened_by.email},
        )
        return
    after = {
        Transition.Action.RETURNED: f" with this comment:\n\n{transition.comment}\n",
        Transition.Action.SIGNED_OFF: ". Its next steps are now on the action plan.\n",
        Transition.Action.REOPENED: "."
        + (f"\n\n{transition.comment}\n" if transition.comment else "\n"),
    }[transition.action]
    respondents = _emails_of_role_covering([org], "respondent")[org.id]
    submitters = set(
        submission.history.filter(action__in=SUBMITTED_ACTIONS).values_list(
            "actor__email", flat=True
        )
    )
    _queue_email(subject=subject, message=done + after, recipients=respondents | submitters)


def submission_submit(*, submission: Submission, actor) -> Transition:
    """Submit for sign-off. Raises WorkflowError listing unanswered questions."""
    return submission_transition(submission=submission, actor=actor, move="submit")


def submission_return(*, submission: Submission, actor, comment: str) -> Transition:
    return submission_transition(submission=submission, actor=actor, move="return", comment=comment)


def submission_sign_off(*, submission: Submission, actor, comment: str = "") -> Transition:
    return submission_transition(
        submission=submission, actor=actor, move="sign_off", comment=comment
    )


def submission_reopen(*, submission: Submission, actor, comment: str = "") -> Transition:
    return submission_transition(submission=submission, actor=actor, move="reopen", comment=comment)
