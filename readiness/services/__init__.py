"""Every readiness write with a rule: opening cycles, saving drafts, the workflow, actions.

Callers use ``from readiness import services`` and ``services.<name>``; the code lives in the
modules of this package, by what it writes.
"""

from .actions import action_update, actions_from_next_steps
from .common import WorkflowError
from .cycles import (
    SECTION_LEVEL_NAMES,
    cycle_close,
    cycle_open,
    cycle_reopen,
    eligible_organisations,
)
from .drafts import (
    Conflict,
    answer_save_field,
    answers_mark_not_applicable,
    submission_save,
    too_long_fields,
    unanswered,
)
from .reminders import REMINDER_DAYS, reminders_send
from .transitions import (
    CHAIR_ONLY,
    SUBMITTED_ACTIONS,
    TRANSITIONS,
    Rule,
    submission_reopen,
    submission_return,
    submission_sign_off,
    submission_submit,
    submission_transition,
    submitted_by,
)

__all__ = [
    "CHAIR_ONLY",
    "REMINDER_DAYS",
    "SECTION_LEVEL_NAMES",
    "SUBMITTED_ACTIONS",
    "TRANSITIONS",
    "Conflict",
    "Rule",
    "WorkflowError",
    "action_update",
    "actions_from_next_steps",
    "answer_save_field",
    "answers_mark_not_applicable",
    "cycle_close",
    "cycle_open",
    "cycle_reopen",
    "eligible_organisations",
    "reminders_send",
    "submission_reopen",
    "submission_return",
    "submission_save",
    "submission_sign_off",
    "submission_submit",
    "submission_transition",
    "submitted_by",
    "too_long_fields",
    "unanswered",
]
