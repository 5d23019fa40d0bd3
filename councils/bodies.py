"""Bodies at work: who sits on a board, council or faculty, in which position, for which term;
who may manage them; and the member history from the audit trail.

Reads go through councils.scoping: a body is seen with the view scope of its organisation (a
current seat on it is such a role) and managed only where :func:`scoping.bodies_managed_q`
allows it (an organisation admin at the body's organisation or above, or the body's chair).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Value, When
from django.http import Http404

from .models import Body, BodyMember, Position
from .scoping import bodies_managed_q, forget_scope, get_in_scope_or_404

#: Members are listed chair first, then vice chair, members, secretary, observers.
POSITION_RANK = Case(
    *(When(position=code, then=Value(rank)) for rank, code in enumerate(Position.values)),
    output_field=IntegerField(),
)


def body_for(user, pk) -> Body:
    """A body in ``user``'s view scope, else 404."""
    return get_in_scope_or_404(Body.objects.select_related("organisation"), user, "view", pk=pk)


def body_to_manage(user, pk) -> Body:
    """A body ``user`` may manage, else 404 (the same 404 as a body that does not exist)."""
    try:
        return Body.objects.select_related("organisation").filter(bodies_managed_q(user)).get(pk=pk)
    except (Body.DoesNotExist, ValueError, TypeError):
        raise Http404("No such page.") from None


def can_manage(user, body: Body) -> bool:
    return Body.objects.filter(bodies_managed_q(user), pk=body.pk).exists()


def members_of(body: Body):
    """The body's seats, current and not, chair first."""
    return (
        BodyMember.objects.filter(body=body)
        .select_related("user")
        .annotate(rank=POSITION_RANK)
        .order_by("rank", "user__full_name", "user__email")
    )


def pending_invitations(body: Body):
    """Invitations to a seat on ``body`` not yet accepted nor expired, newest first."""
    from django.utils import timezone

    from .models import Invitation

    return list(
        Invitation.objects.filter(
            body=body, accepted_at__isnull=True, expires_at__gt=timezone.now()
        ).order_by("-created_at")
    )


def current_members(body: Body):
    return members_of(body).current()


@dataclass(frozen=True)
class MemberChange:
    """One line of a body's member history, from the audit log."""

    when: datetime
    change: str  # "Added", "Changed" or "Removed"
    person: str
    details: str  # e.g. "Position: Member to Chair; term end: 31 March 2027"
    by: str  # "" when no one signed in made it (a command, a data load)


_FIELD_LABELS = {"position": "Position", "term_start": "Term start", "term_end": "Term end"}


def _describe(field: str, value) -> str:
    if value in (None, "", "None"):
        return "none"
    if field == "position":
        return Position(value).label if value in Position.values else str(value)
    try:
        return date.fromisoformat(str(value)).strftime("%-d %B %Y")
    except ValueError:
        return str(value)


def member_history(body: Body, limit: int = 50) -> list[MemberChange]:
    """Who was added to, changed on or removed from ``body``, by whom and when: the newest
    ``limit`` audit-log entries about its seats (one query)."""
    from auditlog.models import LogEntry

    entries = (
        LogEntry.objects.filter(
            content_type__app_label="councils",
            content_type__model="bodymember",
            additional_data__body_id=body.pk,
        )
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:limit]
    )
    verbs = {
        LogEntry.Action.CREATE: "Added",
        LogEntry.Action.UPDATE: "Changed",
        LogEntry.Action.DELETE: "Removed",
    }
    history = []
    for entry in entries:
        data = entry.additional_data or {}
        changes = entry.changes_dict if entry.action != LogEntry.Action.DELETE else {}
        details = []
        for field, label in _FIELD_LABELS.items():
            if field not in changes:
                continue
            old, new = changes[field]
            if entry.action == LogEntry.Action.CREATE:
                if new not in (None, "None", ""):
                    details.append(f"{label}: {_describe(field, new)}")
            else:
                details.append(f"{label}: {_describe(field, old)} to {_describe(field, new)}")
        if entry.action == LogEntry.Action.DELETE:
            details.append(f"Position: {_describe('position', data.get('position'))}")
        history.append(
            MemberChange(
                when=entry.timestamp,
                change=verbs.get(entry.action, "Changed"),
                person=data.get("user", ""),
                details="; ".join(details),
                by=entry.actor.get_full_name() if entry.actor else (entry.actor_email or ""),
            )
        )
    return history


def _check_manage(by, body: Body) -> None:
    if not can_manage(by, body):
        raise PermissionDenied("Only the body's chair or an organisation admin may do this.")


def _check_term(term_start, term_end) -> None:
    if term_start and term_end and term_end < term_start:
        raise ValidationError({"term_end": "The term must end on or after the day it starts."})


@transaction.atomic
def member_add(
    *, by, body: Body, user, position: str, term_start=None, term_end=None
) -> BodyMember:
    """Give ``user`` a seat on ``body``; ``by`` must be able to manage the body."""
    _check_manage(by, body)
    _check_term(term_start, term_end)
    if BodyMember.objects.filter(body=body, user=user).exists():
        raise ValidationError(
            {"email": f"{user.get_full_name()} already has a seat on {body.name}: change it below."}
        )
    try:
        with transaction.atomic():
            member = BodyMember.objects.create(
                body=body,
                user=user,
                position=position,
                term_start=term_start,
                term_end=term_end,
                added_by=by,
            )
    except IntegrityError:  # a second request added the same person meanwhile
        raise ValidationError({"email": f"{user.get_full_name()} already has a seat."}) from None
    forget_scope(user)
    return member


@transaction.atomic
def member_change(*, by, member: BodyMember, position: str, term_start, term_end) -> BodyMember:
    _check_manage(by, member.body)
    _check_term(term_start, term_end)
    member.position = position
    member.term_start = term_start
    member.term_end = term_end
    member.save(update_fields=["position", "term_start", "term_end"])
    forget_scope(member.user)
    return member


@transaction.atomic
def member_remove(*, by, member: BodyMember) -> None:
    _check_manage(by, member.body)
    member.delete()
    forget_scope(member.user)
