"""Every write to a body's meetings, escalations and faculty programmes. Views, the demo and
tests call these; each checks its own rules and writes all or nothing.

Scope is the caller's job: views fetch the body or meeting with the "govern" action first
(councils.scoping: the chair or an organisation admin at the body's organisation or above).
"""

from __future__ import annotations

import datetime as dt
import os

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from councils.models import Body, Membership, Organisation

from . import papers
from .meeting_models import (
    AgendaItem,
    Decision,
    Escalation,
    FacultyProgramme,
    Meeting,
    MeetingAction,
    Milestone,
    Paper,
    QuarterlyReport,
)


def next_meeting(body: Body, *, after: dt.datetime | None = None) -> Meeting | None:
    """The body's next scheduled meeting (the soonest that has not started), if any."""
    after = after or timezone.now()
    return Meeting.objects.filter(body=body, starts_at__gte=after).order_by("starts_at").first()


def council_of(organisation: Organisation) -> Body | None:
    return Body.objects.filter(organisation=organisation, kind=Body.Kind.ICS_COUNCIL).first()


def regional_board_above(body: Body) -> Body | None:
    """The regional AHP board of the region an ICS council's ICS belongs to."""
    return Body.objects.filter(
        organisation__path=body.organisation.parent_path, kind=Body.Kind.REGIONAL_BOARD
    ).first()


def eligible_owners(body: Body):
    """Who may own a meeting action or lead a programme: anyone whose scope covers the body's
    organisation (a role there or above it), so that they can open the meeting, and the body's
    current members (a current seat is a viewer role at the body's organisation)."""
    from councils.models import User

    org = body.organisation
    return (
        User.objects.filter(is_active=True)
        .filter(
            pk__in=list(Membership.objects.at_or_above(org).values_list("user_id", flat=True))
            + list(body.members.current().values_list("user_id", flat=True))
        )
        .order_by("full_name", "email")
    )


# --- meetings and their agenda ----------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *,
    body: Body,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime | None = None,
    location: str = "",
    online_link: str = "",
    actor=None,
) -> Meeting:
    """Schedule a meeting. What waits for the body's next meeting (escalations to a board, a
    faculty's quarterly reports to a council) goes onto this one's agenda if it is the next."""
    if ends_at is not None and ends_at <= starts_at:
        raise ValidationError({"ends_at": "The meeting must end after it starts."})
    if not (location or online_link):
        raise ValidationError({"location": "Enter where the meeting is, or a link to join it."})
    meeting = Meeting.objects.create(
        body=body,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        online_link=online_link,
        created_by=actor,
    )
    if meeting.starts_at >= timezone.now() and next_meeting(body) == meeting:
        place_waiting_items(meeting)
    return meeting


def _next_position(meeting: Meeting) -> int:
    top = AgendaItem.objects.filter(meeting=meeting).aggregate(top=Max("position"))["top"]
    return (top or 0) + 1


def place_waiting_items(meeting: Meeting) -> int:
    """Put every escalation and quarterly report that waits for ``meeting``'s body onto its
    agenda, oldest first. Returns how many were placed."""
    placed = 0
    for escalation in (
        Escalation.objects.filter(to_body=meeting.body, target_item__isnull=True)
        .select_related("from_meeting__body")
        .order_by("escalated_at", "pk")
    ):
        _place_escalation(escalation, meeting)
        placed += 1
    if meeting.body.kind == Body.Kind.ICS_COUNCIL:
        for report in (
            QuarterlyReport.objects.filter(
                programme__body__organisation=meeting.body.organisation, target_item__isnull=True
            )
            .select_related("programme")
            .order_by("submitted_at", "pk")
        ):
            _place_report(report, meeting)
            placed += 1
    return placed


def _place(waiting, meeting: Meeting, title: str, notes: str) -> None:
    """Put an escalation or a quarterly report onto ``meeting``'s agenda, as its last item."""
    waiting.target_item = AgendaItem.objects.create(
        meeting=meeting, position=_next_position(meeting), title=title, notes=notes
    )
    waiting.save(update_fields=["target_item"])


def _place_escalation(escalation: Escalation, meeting: Meeting) -> None:
    title = f"Escalated by {escalation.from_meeting.body.name}"
    _place(escalation, meeting, title, escalation.summary)


def _place_report(report: QuarterlyReport, meeting: Meeting) -> None:
    title = f"Faculty programme report, {report.quarter}: {report.programme.title}"
    _place(report, meeting, title, report.text)


@transaction.atomic
def agenda_item_add(
    *,
    meeting: Meeting,
    title: str,
    notes: str = "",
    presenter: str = "",
    link: str = "",
    metric: str = "",
    exception_reason: str = "",
    cycle=None,
    delivery_action=None,
) -> AgendaItem:
    """Add an item at the end of the agenda, linked to at most one thing it discusses."""
    needs = {
        AgendaItem.Link.METRIC: ("metric", metric),
        AgendaItem.Link.EXCEPTION: ("exception", metric),
        AgendaItem.Link.CYCLE: ("cycle", cycle),
        AgendaItem.Link.ACTION: ("delivery_action", delivery_action),
    }
    if link and not needs[link][1]:
        field = needs[link][0]
        raise ValidationError({field: "Choose what this item is linked to."})
    return AgendaItem.objects.create(
        meeting=meeting,
        position=_next_position(meeting),
        title=title,
        notes=notes,
        presenter=presenter,
        link=link,
        metric=metric if link in (AgendaItem.Link.METRIC, AgendaItem.Link.EXCEPTION) else "",
        exception_reason=exception_reason if link == AgendaItem.Link.EXCEPTION else "",
        cycle=cycle if link == AgendaItem.Link.CYCLE else None,
        delivery_action=delivery_action if link == AgendaItem.Link.ACTION else None,
    )


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, up: bool) -> None:
    """Swap an item with the one above (or below) it."""
    items = list(AgendaItem.objects.select_for_update().filter(meeting=item.meeting))
    items.sort(key=lambda i: i.position)
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    other_index = index - 1 if up else index + 1
    if not 0 <= other_index < len(items):
        return
    a, b = items[index], items[other_index]
    top = max(i.position for i in items) + 1
    positions = a.position, b.position
    AgendaItem.objects.filter(pk=a.pk).update(position=top)  # the unique constraint, in steps
    AgendaItem.objects.filter(pk=b.pk).update(position=positions[0])
    AgendaItem.objects.filter(pk=a.pk).update(position=positions[1])


# --- papers, minutes, decisions, actions -------------------------------------------------------


@transaction.atomic
def paper_upload(*, meeting: Meeting, upload, title: str = "", item=None, actor=None) -> Paper:
    """Keep an uploaded paper in private storage, after checking what it really is."""
    checked = papers.check(upload)
    filename = os.path.basename(upload.name)[:200]
    paper = Paper(
        meeting=meeting,
        item=item,
        title=title or filename.rsplit(".", 1)[0],
        filename=filename,
        kind=checked.kind,
        size=checked.size,
        uploaded_by=actor,
    )
    paper.file.save(f"paper.{checked.kind}", upload, save=False)
    paper.save()
    return paper


def minutes_save(*, meeting: Meeting, minutes: str) -> Meeting:
    meeting.minutes = minutes
    meeting.minutes_updated_at = timezone.now()
    meeting.save(update_fields=["minutes", "minutes_updated_at"])
    return meeting


def decision_record(
    *, meeting: Meeting, text: str, decided_on: dt.date | None = None, item=None, actor=None
) -> Decision:
    return Decision.objects.create(
        meeting=meeting,
        item=item,
        text=text,
        decided_on=decided_on or timezone.localdate(meeting.starts_at),
        recorded_by=actor,
    )


def action_add(
    *, meeting: Meeting, description: str, owner, due_date: dt.date, item=None
) -> MeetingAction:
    if not eligible_owners(meeting.body).filter(pk=owner.pk).exists():
        raise ValidationError(
            {
                "owner": f"{owner} cannot open {meeting.body.name}'s meetings: choose someone "
                f"with a role at {meeting.body.organisation.name} or above it, or a member."
            }
        )
    return MeetingAction.objects.create(
        meeting=meeting, item=item, description=description, owner=owner, due_date=due_date
    )


def action_set_status(*, action: MeetingAction, status: str) -> MeetingAction:
    if status not in MeetingAction.Status.values:
        raise ValidationError({"status": "Choose a status."})
    action.status = status
    action.save(update_fields=["status", "updated_at"])
    return action


# --- escalation --------------------------------------------------------------------------------


@transaction.atomic
def escalate(
    *, meeting: Meeting, summary: str, item: AgendaItem | None = None, action=None, actor=None
) -> Escalation:
    """Escalate an agenda item or an action of an ICS council's meeting to its region's board:
    onto the board's next meeting, or waiting until the board schedules one."""
    if (item is None) == (action is None):
        raise ValueError("Escalate exactly one agenda item or one action.")
    if meeting.body.kind != Body.Kind.ICS_COUNCIL:
        raise ValidationError(
            f"Only an ICS AHP council escalates to a regional board; {meeting.body.name} is a "
            f"{meeting.body.get_kind_display()}."
        )
    board = regional_board_above(meeting.body)
    if board is None:
        raise ValidationError(
            f"{meeting.body.organisation.name}'s region has no regional AHP board to escalate to."
        )
    source = item or action
    if source.escalations.exists():
        raise ValidationError("This has already been escalated to the regional board.")
    escalation = Escalation.objects.create(
        from_meeting=meeting,
        from_item=item,
        from_action=action,
        to_body=board,
        summary=summary,
        escalated_by=actor,
    )
    target = next_meeting(board)
    if target is not None:
        _place_escalation(escalation, target)
    return escalation


def escalation_record_outcome(*, escalation: Escalation, outcome: str, actor=None) -> Escalation:
    escalation.outcome = outcome
    escalation.outcome_by = actor
    escalation.outcome_at = timezone.now()
    escalation.save(update_fields=["outcome", "outcome_by", "outcome_at"])
    return escalation


# --- faculty programmes ------------------------------------------------------------------------


def programme_create(
    *,
    body: Body,
    title: str,
    lead,
    funding,
    start_date: dt.date,
    end_date: dt.date,
    status: str,
) -> FacultyProgramme:
    if body.kind != Body.Kind.ICS_FACULTY:
        raise ValidationError(f"Programmes of work belong to an ICS AHP faculty, not {body.name}.")
    if end_date < start_date:
        raise ValidationError({"end_date": "The end date must be on or after the start date."})
    if funding is not None and funding < 0:
        raise ValidationError({"funding": "Funding cannot be less than £0."})
    return FacultyProgramme.objects.create(
        body=body,
        title=title,
        lead=lead,
        funding=funding,
        start_date=start_date,
        end_date=end_date,
        status=status,
    )


def milestone_add(
    *, programme: FacultyProgramme, title: str, due_date: dt.date, status: str
) -> Milestone:
    return Milestone.objects.create(
        programme=programme, title=title, due_date=due_date, status=status
    )


@transaction.atomic
def report_submit(
    *, programme: FacultyProgramme, quarter: str, text: str, actor=None
) -> QuarterlyReport:
    """A programme's quarterly report, placed on the ICS council's next meeting (or waiting for
    the council to schedule one)."""
    if QuarterlyReport.objects.filter(programme=programme, quarter=quarter).exists():
        raise ValidationError({"quarter": f"There is already a report for {quarter}."})
    report = QuarterlyReport.objects.create(
        programme=programme, quarter=quarter, text=text, submitted_by=actor
    )
    council = council_of(programme.body.organisation)
    target = next_meeting(council) if council else None
    if target is not None:
        _place_report(report, target)
    return report
