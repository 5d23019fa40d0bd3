"""The action plan: actions from signed-off next steps, and editing them."""

from __future__ import annotations

from ahpportal.limits import too_long

from ..models import ActionItem, Question, Submission
from .common import WorkflowError


def actions_from_next_steps(*, submission: Submission) -> int:
    """Each answered next step becomes an action (once per answer; a later sign-off updates the
    wording but keeps the owner, due date, status and stage). Returns actions created."""
    answers = list(
        submission.answers.filter(question__kind=Question.Kind.YES_NO)
        .exclude(next_steps="")
        .select_related("action")
    )
    new, changed = [], []
    for answer in answers:
        existing = getattr(answer, "action", None)
        if existing is None:
            new.append(
                ActionItem(
                    organisation_id=submission.organisation_id,
                    submission=submission,
                    answer=answer,
                    description=answer.next_steps.strip(),
                )
            )
        elif existing.description != answer.next_steps.strip():
            existing.description = answer.next_steps.strip()
            changed.append(existing)
    ActionItem.objects.bulk_create(new)
    ActionItem.objects.bulk_update(changed, ["description"])
    return len(new)


def action_update(*, action: ActionItem, actor, **fields) -> ActionItem:
    allowed = {"owner", "owner_name", "due_date", "status", "stage", "description"}
    for key, value in fields.items():
        if key not in allowed:
            raise WorkflowError(f"Unknown action field {key!r}.")
        if key == "description" and (message := too_long("Action", value)):
            raise WorkflowError(message)
        setattr(action, key, value)
    if action.owner_id:
        action.owner_name = ""
    action.save()
    return action
