"""Reads of bodies' meetings, escalations and faculty programmes shared by the pages, the API
and the home page. Every object comes through councils.scoping; nothing is computed here that
the dashboard's store already holds (a linked metric is read by delivery.selectors.live_metrics,
exactly as a delivery plan's measure is).

A meeting page reads a constant number of queries whatever the length of its agenda.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from councils.models import Body
from councils.scoping import covers, get_in_scope_or_404
from dashboard import metrics as catalogue
from readiness.models import Cycle, Status

from . import selectors as plan_selectors
from .meeting_models import (
    AgendaItem,
    Escalation,
    FacultyProgramme,
    Meeting,
    MeetingAction,
    Paper,
    QuarterlyReport,
)


def body_for(user, pk, action: str = "view") -> Body:
    return get_in_scope_or_404(Body.objects.select_related("organisation"), user, action, pk=pk)


def meeting_for(user, pk, action: str = "view") -> Meeting:
    return get_in_scope_or_404(
        Meeting.objects.select_related("body__organisation"), user, action, pk=pk
    )


def _child_for(model, user, pk, action, *related):
    return get_in_scope_or_404(
        model.objects.select_related("meeting__body__organisation", *related), user, action, pk=pk
    )


def item_for(user, pk, action: str = "view") -> AgendaItem:
    return _child_for(AgendaItem, user, pk, action)


def paper_for(user, pk, action: str = "view") -> Paper:
    return _child_for(Paper, user, pk, action)


def action_for(user, pk, action: str = "view") -> MeetingAction:
    return _child_for(MeetingAction, user, pk, action, "owner")


def escalation_received_for(user, pk, action: str = "view") -> Escalation:
    """An escalation, for the people of the board it was sent to (their scope covers the
    escalating council's organisation, which lies below the region)."""
    return get_in_scope_or_404(
        Escalation.objects.select_related(
            "to_body__organisation", "from_meeting__body__organisation", "target_item__meeting"
        ).filter(to_body__in=Body.objects.in_scope(user, action)),
        user,
        action,
        pk=pk,
    )


def programme_for(user, pk, action: str = "view") -> FacultyProgramme:
    return get_in_scope_or_404(
        FacultyProgramme.objects.select_related("body__organisation", "lead"), user, action, pk=pk
    )


def can_govern(user, body: Body) -> bool:
    return covers(user, "govern", body.organisation)


# --- a body's meetings ---------------------------------------------------------------------------


@dataclass
class BodyMeetings:
    upcoming: list[Meeting]
    past: list[Meeting]
    waiting_escalations: list[Escalation]
    waiting_reports: list[QuarterlyReport]
    programmes: list[FacultyProgramme]


def body_meetings(body: Body) -> BodyMeetings:
    now = timezone.now()
    meetings = list(
        Meeting.objects.filter(body=body)
        .annotate(n_items=Count("items", distinct=True))
        .order_by("starts_at")
    )
    waiting_reports = []
    if body.kind == Body.Kind.ICS_COUNCIL:
        waiting_reports = list(
            QuarterlyReport.objects.filter(
                programme__body__organisation=body.organisation, target_item__isnull=True
            ).select_related("programme")
        )
    return BodyMeetings(
        upcoming=[m for m in meetings if m.starts_at >= now],
        past=[m for m in reversed(meetings) if m.starts_at < now],
        waiting_escalations=list(
            Escalation.objects.filter(to_body=body, target_item__isnull=True).select_related(
                "from_meeting__body", "escalated_by"
            )
        ),
        waiting_reports=waiting_reports,
        programmes=list(
            FacultyProgramme.objects.filter(body=body).select_related("lead").order_by("title")
        )
        if body.kind == Body.Kind.ICS_FACULTY
        else [],
    )


# --- one meeting ----------------------------------------------------------------------------------


@dataclass
class CycleProgress:
    cycle: Cycle
    organisations: int
    submitted: int  # submitted or signed off
    signed_off: int

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.organisations) if self.organisations else 0


def cycle_progress(cycle_ids: list[int]) -> dict[int, CycleProgress]:
    """How far each readiness cycle has got: organisations asked, submitted, signed off (one
    query for every cycle)."""
    if not cycle_ids:
        return {}
    done = (Status.SUBMITTED, Status.SIGNED_OFF)
    rows = (
        Cycle.objects.filter(pk__in=cycle_ids)
        .select_related("section")
        .annotate(
            n_orgs=Count("submissions", distinct=True),
            n_submitted=Count("submissions", filter=Q(submissions__status__in=done), distinct=True),
            n_signed=Count(
                "submissions", filter=Q(submissions__status=Status.SIGNED_OFF), distinct=True
            ),
        )
    )
    return {c.pk: CycleProgress(c, c.n_orgs, c.n_submitted, c.n_signed) for c in rows}


def live_for_items(
    organisation, items: list[AgendaItem], user
) -> dict[int, plan_selectors.LiveMetric]:
    """The live figures of every item linked to a metric or an exception, as the delivery plan
    shows a measure's metric (its latest value, target status and SPC verdicts from the store)."""
    probes = [
        SimpleNamespace(pk=item.pk, metric=item.metric, target=None)
        for item in items
        if item.metric in catalogue.BY_CODE
    ]
    return plan_selectors.live_metrics(organisation, probes, user) if probes else {}


def meeting_page(user, meeting: Meeting) -> dict:
    """Everything the meeting page, its printable agenda and minutes show."""
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related(
            "cycle",
            "delivery_action__theme",
            "escalation__from_meeting__body",
            "escalation__escalated_by",
            "report__programme",
        )
        .prefetch_related(Prefetch("papers", queryset=Paper.objects.order_by("uploaded_at", "pk")))
        .order_by("position")
    )
    live = live_for_items(meeting.body.organisation, items, user)
    progress = cycle_progress([i.cycle_id for i in items if i.cycle_id])
    sent = list(
        Escalation.objects.filter(from_meeting=meeting)
        .select_related(
            "to_body", "escalated_by", "target_item__meeting", "from_item", "from_action"
        )
        .order_by("escalated_at", "pk")
    )
    escalated_items = {e.from_item_id for e in sent if e.from_item_id}
    escalated_actions = {e.from_action_id for e in sent if e.from_action_id}
    for item in items:
        item.live = live.get(item.pk)
        item.progress = progress.get(item.cycle_id)
        item.papers_list = list(item.papers.all())
        item.was_escalated = item.pk in escalated_items
        item.received = _received(item)
    actions = list(
        MeetingAction.objects.filter(meeting=meeting)
        .select_related("owner", "item")
        .order_by("due_date", "pk")
    )
    for action in actions:
        action.was_escalated = action.pk in escalated_actions
    return {
        "items": items,
        "papers": list(Paper.objects.filter(meeting=meeting).select_related("item", "uploaded_by")),
        "decisions": list(meeting.decisions.select_related("item").order_by("decided_on", "pk")),
        "actions": actions,
        "escalations_sent": sent,
    }


def _received(item: AgendaItem):
    try:
        return item.escalation
    except Escalation.DoesNotExist:
        return None


def exception_choices(user, organisation) -> list[tuple[str, str]]:
    """The board report's exceptions for ``organisation`` now (all professions, all bands):
    metrics not meeting target or showing concerning special cause, as (metric code, reason)."""
    from dashboard import selectors as dashboard_selectors

    card = dashboard_selectors.scorecard_for(user, organisation, dashboard_selectors.Filters())
    choices = []
    for row in card.exceptions:
        reasons = []
        if row.status == "not_met":
            reasons.append(f"not meeting its target ({row.display} against {row.target_display})")
        if row.variation == "special_cause_concerning":
            reasons.append("special cause variation: concerning")
        choices.append((row.metric.code, f"{row.metric.name}: {' and '.join(reasons)}"))
    return choices


def cycle_choices(user, organisation):
    return (
        Cycle.objects.in_scope(user, "view")
        .below(organisation)
        .select_related("section")
        .order_by("-opened_at")
    )


def plan_action_choices(user, organisation):
    from .models import Action

    return (
        Action.objects.in_scope(user, "view")
        .filter(theme__plan__organisation=organisation)
        .select_related("theme")
        .order_by("theme__number", "position")
    )


# --- a person's open actions, the API ---------------------------------------------------------


def open_actions_for(user, limit: int = 20) -> list[MeetingAction]:
    """The user's own open meeting actions (open or in progress) within their scope, soonest due
    first: for their home page."""
    return list(
        MeetingAction.objects.in_scope(user, "view")
        .filter(owner=user, status__in=MeetingAction.OPEN_STATUSES)
        .select_related("meeting__body")
        .order_by("due_date", "pk")[:limit]
    )


def programme_page(programme: FacultyProgramme) -> dict:
    return {
        "milestones": list(programme.milestones.order_by("due_date", "pk")),
        "reports": list(
            programme.reports.select_related("submitted_by", "target_item__meeting").order_by(
                "-quarter"
            )
        ),
    }
