"""What every readiness write shares: the refusal error, names and emails."""

from __future__ import annotations

from django.db import transaction

from councils.models import Membership
from councils.tasks import send_email


class WorkflowError(Exception):
    """A transition that is not allowed now; the message is shown to the person."""


def _who(user) -> str:
    return user.get_full_name() or user.email


def _queue_email(*, subject: str, message: str, recipients) -> None:
    recipients = sorted({r for r in recipients if r})
    if recipients:
        transaction.on_commit(
            lambda: send_email.delay(subject=subject, message=message, recipients=recipients)
        )


def _emails_of_role_covering(organisations, role: str) -> dict[int, set[str]]:
    """For each organisation id: emails of people holding ``role`` at it or an ancestor."""
    organisations = list(organisations)
    chains = {org.id: set(org.ancestor_paths(include_self=True)) for org in organisations}
    holders = list(
        Membership.objects.filter(
            role=role, organisation__path__in=set().union(*chains.values()), user__is_active=True
        ).values_list("organisation__path", "user__email")
    )
    return {
        org_id: {email for path, email in holders if path in chain}
        for org_id, chain in chains.items()
    }
