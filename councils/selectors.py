"""Reads of the organisation tree shared by pages and the API. All go through councils.scoping."""

from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby, pairwise

from .models import Body, BodyMember, Membership, Organisation, ParentPeriod, Role
from .scoping import covers, get_in_scope_or_404


def organisation_for(user, code: str, action: str = "view") -> Organisation:
    return get_in_scope_or_404(Organisation, user, action, code=code)


def breadcrumb(user, organisation: Organisation) -> list[tuple[Organisation, bool]]:
    """Ancestors of ``organisation`` (root first), each with whether the user may open it.

    Ancestors outside the user's scope are shown as plain text, never as links.
    """
    return [(org, covers(user, "view", org)) for org in organisation.ancestors()]


def children_of(organisation: Organisation):
    """The open organisations directly below ``organisation`` (today's structure: a closed
    provider's data counts under its successor, which is listed instead)."""
    return organisation.children().filter(closed_on__isnull=True)


def closed_children_of(organisation: Organisation):
    """The closed organisations directly below ``organisation``, each with its successor."""
    return (
        organisation.children()
        .filter(closed_on__isnull=False)
        .select_related("successor")
        .order_by("-closed_on", "name")
    )


def bodies_of(organisation: Organisation):
    """The organisation's bodies, each with its current members (chair first) prefetched."""
    from django.db.models import Prefetch

    from .bodies import POSITION_RANK

    seats = (
        BodyMember.objects.current()
        .select_related("user")
        .annotate(rank=POSITION_RANK)
        .order_by("rank", "user__full_name", "user__email")
    )
    return Body.objects.filter(organisation=organisation).prefetch_related(
        Prefetch("members", queryset=seats, to_attr="current_members")
    )


def memberships_of(user):
    return Membership.objects.filter(user=user).select_related("organisation", "granted_by")


@dataclass(frozen=True)
class RoleChange:
    """One line of an organisation's role history, from the audit log."""

    when: datetime
    change: str  # "Granted", "Removed" or "Left" (removed by the person themselves)
    person: str
    role: str
    organisation: str
    by: str  # who granted or removed it; "" when no one signed in did (a command, a data load)


def role_history(user, organisation: Organisation, limit: int = 50) -> list[RoleChange]:
    """Who granted or removed which role, and when, at ``organisation`` and below: the newest
    ``limit`` entries of the audit log about memberships, only for organisations in ``user``'s
    admin scope. Two queries, however long the history."""
    from auditlog.models import LogEntry

    names = dict(
        organisation.subtree().in_scope(user, "admin").values_list("pk", "name").order_by()
    )
    entries = (
        LogEntry.objects.filter(
            content_type__app_label="councils",
            content_type__model="membership",
            action__in=[LogEntry.Action.CREATE, LogEntry.Action.DELETE],
            additional_data__organisation_id__in=list(names),
        )
        .select_related("actor")
        .order_by("-timestamp", "-pk")[:limit]
    )
    roles = dict(Role.choices)
    history = []
    for entry in entries:
        data = entry.additional_data or {}
        actor = entry.actor.email if entry.actor else (entry.actor_email or "")
        if entry.action == LogEntry.Action.CREATE:
            change, by = "Granted", data.get("granted_by") or actor
        else:
            change, by = ("Left" if actor == data.get("user") else "Removed"), actor
        history.append(
            RoleChange(
                when=entry.timestamp,
                change=change,
                person=data.get("user", ""),
                role=roles.get(data.get("role"), data.get("role", "")),
                organisation=names[data["organisation_id"]],
                by=by,
            )
        )
    return history


@dataclass(frozen=True)
class Move:
    """A recorded move: ``period`` keeps the old parent and the month the move took effect
    (``valid_to``); ``to`` is the parent it moved to."""

    period: ParentPeriod
    to: Organisation


def recorded_moves(user) -> list[Move]:
    """Every move recorded for organisations in ``user``'s admin scope, newest first. The
    parent an organisation moved to is the parent of its next period, or for its latest move
    today's parent. Two queries, however many moves."""
    periods = list(
        ParentPeriod.objects.in_scope(user, "admin")
        .select_related("organisation", "parent", "recorded_by")
        .order_by("organisation_id", "valid_to")
    )
    moved_to = {
        earlier.pk: later.parent
        for earlier, later in pairwise(periods)
        if later.organisation_id == earlier.organisation_id
    }
    parents = Organisation.objects.filter(path__in={p.organisation.parent_path for p in periods})
    today = {parent.path: parent for parent in parents}
    moves = [
        Move(period=p, to=moved_to.get(p.pk) or today[p.organisation.parent_path]) for p in periods
    ]
    moves.sort(key=lambda move: (move.period.valid_to, move.period.recorded_at), reverse=True)
    return moves


@dataclass(frozen=True)
class Merger:
    """Organisations closed on ``effective`` with ``successor`` taking them over."""

    successor: Organisation
    effective: date
    closed: list[Organisation]

    @property
    def record(self) -> Organisation:
        """The closed organisation the merger's reason, recorder and time are read from (each
        closed one holds the same)."""
        return self.closed[0]


def recorded_mergers(user) -> list[Merger]:
    """Every merger of organisations in ``user``'s admin scope, newest first: one query."""
    closed = (
        Organisation.objects.in_scope(user, "admin")
        .filter(successor__isnull=False)
        .select_related("successor", "closure_recorded_by")
        .order_by("-closed_on", "successor__code", "path")
    )
    mergers = []
    for (effective, _successor), rows in groupby(closed, lambda o: (o.closed_on, o.successor_id)):
        rows = list(rows)
        mergers.append(Merger(successor=rows[0].successor, effective=effective, closed=rows))
    return mergers
