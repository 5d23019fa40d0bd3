"""Reminder emails for submissions due in seven days or today."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from ..models import EDITABLE, ReminderSent, Submission
from .common import _emails_of_role_covering, _queue_email

REMINDER_DAYS = {ReminderSent.Kind.WEEK_BEFORE: 7, ReminderSent.Kind.DUE_TODAY: 0}


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Email respondents of every submission still to be submitted whose cycle (open) is due in
    seven days or today. Each submission gets each kind once (a ReminderSent row, unique), so
    running this again, or twice a day, sends nothing new. Returns the reminders sent.

    A housekeeping job over every organisation's cycles, like the nightly recompute: it reads
    no data for anyone, and each email goes only to people who can answer that submission."""
    today = today or timezone.localdate()
    sent = 0
    for kind, days in REMINDER_DAYS.items():
        due = today + datetime.timedelta(days=days)
        pending = list(
            Submission.objects.filter(
                cycle__due_date=due, cycle__closed_at__isnull=True, status__in=EDITABLE
            )
            .exclude(reminders__kind=kind, reminders__due_date=due)
            .select_related("cycle__section", "organisation")
        )
        if not pending:
            continue
        respondents = _emails_of_role_covering([s.organisation for s in pending], "respondent")
        for submission in pending:
            recipients = respondents[submission.organisation_id]
            if recipients:  # none yet: tried again on the next run, when someone may be
                sent += _remind(submission, kind, recipients)
    return sent


@transaction.atomic
def _remind(submission: Submission, kind: str, recipients: set[str]) -> int:
    cycle = submission.cycle
    _reminder, created = ReminderSent.objects.get_or_create(
        submission=submission,
        kind=kind,
        due_date=cycle.due_date,
        defaults={"recipients": len(recipients)},
    )
    if not created:
        return 0
    when = "today" if kind == ReminderSent.Kind.DUE_TODAY else f"on {cycle.due_date:%-d %B %Y}"
    _queue_email(
        subject=f"Reminder: {cycle.name} for {submission.organisation.name} is due {when}",
        message=(
            f"{cycle.name}: {cycle.section.title} for {submission.organisation.name} is due "
            f"{when} and has not been submitted yet.\n\nPlease complete and submit it in AHP "
            "Portal (Readiness).\n"
        ),
        recipients=recipients,
    )
    return 1
