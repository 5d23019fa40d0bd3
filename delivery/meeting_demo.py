"""Demo governance: the SYB ICS AHP council's last quarterly meeting (an agenda with the live
turnover metric and the state of readiness cycle, minutes, two decisions, three actions, one
escalated to the North East and Yorkshire regional AHP board) and its next meeting; the board's
next meeting, with the escalation on its agenda; a faculty programme of work with milestones and
a quarterly report on the council's next agenda. Runs after the readiness and delivery demos."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from councils.models import Body, User
from readiness.models import Cycle

from . import meeting_services as services
from . import quarters
from .meeting_models import Meeting, Milestone

MINUTES = """Present: Chris Chair (chair), Sam Chief (Sheffield Teaching Hospitals), Dana Chief \
(Doncaster and Bassetlaw Teaching Hospitals), Ira Lead (ICS AHP lead).

1. AHP turnover. The council reviewed turnover across the ICS. It has risen for three months \
and is above the 10% target. Members agreed that a retention task and finish group is needed \
and that the pressure on Doncaster's therapy services should be raised with the regional board.

2. State of readiness. Returns are under way; the council asked for every provider's return \
before the next meeting.

3. Any other business. None."""


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_current_timezone())


@transaction.atomic
def load(*, stdout) -> None:
    council = Body.objects.filter(organisation__code="QF7", kind=Body.Kind.ICS_COUNCIL).first()
    board = Body.objects.filter(organisation__code="Y63", kind=Body.Kind.REGIONAL_BOARD).first()
    faculty = Body.objects.filter(organisation__code="QF7", kind=Body.Kind.ICS_FACULTY).first()
    chair = User.objects.filter(email="chair@syb.example").first()
    if not (council and board and faculty and chair):
        stdout.write("Meetings demo skipped: load the tree and demo users first.")
        return
    if Meeting.objects.filter(body=council).exists():
        stdout.write("Meetings demo already loaded.")
        return
    users = {u.email: u for u in User.objects.filter(email__contains="@")}
    today = timezone.localdate()
    past = services.meeting_schedule(
        body=council,
        title="Quarterly council meeting",
        starts_at=_at(today - dt.timedelta(days=21), 10),
        ends_at=_at(today - dt.timedelta(days=21), 12),
        location="Oak House, Rotherham",
        actor=chair,
    )
    turnover = services.agenda_item_add(
        meeting=past,
        title="AHP turnover across the ICS",
        presenter="Ira Lead",
        link="metric",
        metric="turnover_rate",
    )
    cycle = Cycle.objects.filter(organisation=council.organisation).order_by("-opened_at").first()
    readiness = services.agenda_item_add(
        meeting=past,
        title="State of readiness returns",
        presenter="Chris Chair",
        link="cycle" if cycle else "",
        cycle=cycle,
    )
    services.agenda_item_add(meeting=past, title="Any other business")
    services.minutes_save(meeting=past, minutes=MINUTES)
    decided = timezone.localdate(past.starts_at)
    services.decision_record(
        meeting=past,
        item=turnover,
        text="Set up a retention task and finish group, led by the ICS AHP lead.",
        decided_on=decided,
        actor=chair,
    )
    services.decision_record(
        meeting=past,
        item=readiness,
        text="Every provider returns its state of readiness before the next meeting.",
        decided_on=decided,
        actor=chair,
    )
    lead = users.get("ics.lead@syb.example", chair)
    services.action_add(
        meeting=past,
        item=turnover,
        description="Draft the retention task and finish group's terms of reference.",
        owner=lead,
        due_date=today + dt.timedelta(days=14),
    )
    services.action_add(
        meeting=past,
        item=readiness,
        description="Remind every chief AHP of the state of readiness deadline.",
        owner=chair,
        due_date=today + dt.timedelta(days=7),
    )
    pressure = services.action_add(
        meeting=past,
        item=turnover,
        description="Ask the regional board for support with therapy vacancies in Doncaster.",
        owner=chair,
        due_date=today + dt.timedelta(days=30),
    )
    services.meeting_schedule(
        body=board,
        title="Regional AHP board",
        starts_at=_at(today + dt.timedelta(days=10), 14),
        ends_at=_at(today + dt.timedelta(days=10), 16),
        location="Online",
        online_link="https://meet.example.nhs.uk/ney-ahp-board",
        actor=users.get("region@ney.example"),
    )
    services.escalate(
        meeting=past,
        action=pressure,
        summary="Therapy vacancies in Doncaster are above 15% and turnover is rising; the "
        "council asks the board for regional support with recruitment.",
        actor=chair,
    )
    services.action_set_status(action=pressure, status="in_progress")
    services.meeting_schedule(
        body=council,
        title="Quarterly council meeting",
        starts_at=_at(today + dt.timedelta(days=70), 10),
        ends_at=_at(today + dt.timedelta(days=70), 12),
        location="Oak House, Rotherham",
        actor=chair,
    )
    programme = services.programme_create(
        body=faculty,
        title="AHP preceptorship across the ICS",
        lead=lead,
        funding=48000,
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2027, 3, 31),
        status="On track: two of four providers run the shared preceptorship programme.",
    )
    for title, due, status in (
        ("Shared preceptorship framework agreed", dt.date(2026, 6, 30), Milestone.Status.DONE),
        ("Two providers running the programme", dt.date(2026, 9, 30), Milestone.Status.DONE),
        ("Every provider running the programme", dt.date(2027, 3, 31), "in_progress"),
    ):
        services.milestone_add(programme=programme, title=title, due_date=due, status=status)
    services.report_submit(
        programme=programme,
        quarter=quarters.previous(quarters.quarter_of(today)),
        text="Two providers now run the shared preceptorship programme; 23 newly qualified "
        "AHPs have started it. Rotherham and Doncaster start next quarter.",
        actor=lead,
    )
    stdout.write(
        f"Meetings demo: {council.name}'s last and next meetings, 1 escalation to "
        f"{board.name}, 1 faculty programme with a quarterly report."
    )
