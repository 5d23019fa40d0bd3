"""The meeting pages: a council chair schedules a meeting and builds its agenda (a live metric
from the store, a readiness cycle's progress, a delivery plan action, a board report exception),
records minutes, decisions and actions, escalates, and the regional board sees the escalation on
its next agenda; viewers read without the chair's links; printable agenda, calendar file, the
owner's home page; constant query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from delivery import meeting_services as services
from delivery import quarters
from delivery.meeting_models import AgendaItem, Decision, Escalation, Meeting, MeetingAction
from tests.api.conftest import seed_readiness

# 23 steady months around 10%, then a jump: special cause, concerning (lower is better)
STEADY_THEN_JUMP = [10.0, 10.4] * 11 + [10.2, 14.0]


def date_fields(name, day):
    return {f"{name}_day": day.day, f"{name}_month": day.month, f"{name}_year": day.year}


@pytest.fixture
def chair(client_for, tree):
    return client_for("chair", tree["QF7"], full_name="Chris Chair")


def test_a_chair_schedules_a_meeting_and_its_agenda_links_go_live(
    chair, council, tree, make_user, metric_series, action_of
):
    day = timezone.localdate() + dt.timedelta(days=14)
    response = chair.post(
        reverse("delivery:meeting_create", args=[council.pk]),
        {"title": "Quarterly council", **date_fields("date", day), "start_time": "10:00",
         "end_time": "12:00", "location": "Oak House"},
    )  # fmt: skip
    meeting = Meeting.objects.get(body=council)
    assert response.url == reverse("delivery:meeting", args=[meeting.pk])
    assert timezone.localtime(meeting.starts_at).hour == 10

    metric_series(tree["QF7"], "turnover_rate", STEADY_THEN_JUMP, latest=dt.date(2026, 9, 1))
    cycle = seed_readiness(tree["QF7"], make_user)
    add = reverse("delivery:item_create", args=[meeting.pk])
    assert (
        chair.post(
            add, {"title": "Turnover", "link": "metric", "metric": "turnover_rate"}
        ).status_code
        == 302
    )
    assert (
        chair.post(add, {"title": "Readiness", "link": "cycle", "cycle": cycle.pk}).status_code
        == 302
    )
    plan_action = action_of("4.4")
    chair.post(add, {"title": "Plan", "link": "action", "delivery_action": plan_action.pk})
    chair.post(add, {"title": "Exception", "link": "exception", "exception": "turnover_rate"})
    assert AgendaItem.objects.filter(meeting=meeting).count() == 4
    exception = AgendaItem.objects.get(title="Exception")
    assert exception.exception_reason.startswith("Turnover rate % (12 months rolling): ")

    html = chair.get(reverse("delivery:meeting", args=[meeting.pk])).content.decode()
    assert "14.0%" in html and "September 2026" in html
    assert "Special cause variation: concerning" in html
    assert "1 of 1 organisations submitted (100%), 1 signed off" in html
    assert f"{plan_action.reference}</a>" in html
    assert "Exception from the board report" in html


def test_an_item_linked_to_nothing_chosen_is_refused_and_the_text_kept(chair, council, schedule):
    meeting = schedule(council)
    response = chair.post(
        reverse("delivery:item_create", args=[meeting.pk]),
        {"title": "Typed title", "link": "cycle"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose what this item is linked to." in html
    assert 'value="Typed title"' in html


def test_a_chair_records_minutes_decisions_actions_and_escalates(
    chair, council, board, schedule, tree, client_for, make_user
):
    meeting = schedule(council, days=-1)
    board_meeting = schedule(board, days=12, title="Regional board")
    item = services.agenda_item_add(meeting=meeting, title="Therapy vacancies")
    owner = make_user("respondent", tree["QF7"], full_name="Ira Lead")

    chair.post(reverse("delivery:meeting_minutes", args=[meeting.pk]), {"minutes": "Discussed."})
    for text in ("First decision", "Second decision"):
        chair.post(
            reverse("delivery:decision_create", args=[meeting.pk]),
            {"text": text, "item": item.pk, **date_fields("decided_on", dt.date(2026, 10, 14))},
        )
    for n in range(3):
        chair.post(
            reverse("delivery:meeting_action_create", args=[meeting.pk]),
            {"description": f"Action {n}", "owner": owner.pk,
             **date_fields("due_date", dt.date(2026, 12, n + 1))},
        )  # fmt: skip
    meeting.refresh_from_db()
    assert meeting.minutes == "Discussed."
    assert Decision.objects.filter(meeting=meeting).count() == 2
    actions = list(MeetingAction.objects.filter(meeting=meeting))
    assert len(actions) == 3

    response = chair.post(
        reverse("delivery:action_escalate", args=[actions[0].pk]), {"summary": "Please help"}
    )
    assert response.status_code == 302
    escalation = Escalation.objects.get()
    assert escalation.target_item.meeting == board_meeting

    regional = client_for("chair", tree["Y63"])
    html = regional.get(reverse("delivery:meeting", args=[board_meeting.pk])).content.decode()
    assert "Escalated by SYB ICS AHP council" in html
    assert "Please help" in html
    assert "by Chris Chair" in html
    regional.post(
        reverse("delivery:escalation_outcome", args=[escalation.pk]), {"outcome": "Campaign agreed"}
    )
    html = chair.get(reverse("delivery:meeting", args=[meeting.pk])).content.decode()
    assert "Campaign agreed" in html
    assert "Regional board, " in html  # where it went on the board's agenda


def test_a_viewer_reads_the_meeting_without_the_chairs_links(client_for, council, schedule, tree):
    meeting = schedule(council)
    services.agenda_item_add(meeting=meeting, title="Turnover")
    html = client_for("viewer", tree["QF7"]).get(reverse("delivery:meeting", args=[meeting.pk]))
    html = html.content.decode()
    assert "Turnover" in html
    for link in ("Add an agenda item", "Upload a paper", "Record a decision", "Escalate"):
        assert link not in html
    assert (
        client_for("viewer", tree["QF7"])
        .get(reverse("delivery:item_create", args=[meeting.pk]))
        .status_code
        == 404
    )


def test_the_owner_sees_their_open_meeting_actions_at_home(client_for, council, schedule, tree):
    meeting = schedule(council, days=-1)
    owner = client_for("viewer", tree["QF7"])
    for description, status in (
        ("Open one", "open"),
        ("Busy one", "in_progress"),
        ("Done one", "done"),
    ):
        action = services.action_add(
            meeting=meeting,
            description=description,
            owner=owner.user,
            due_date=dt.date(2026, 12, 1),
        )
        services.action_set_status(action=action, status=status)
    html = owner.get(reverse("home")).content.decode()
    assert "Your actions from meetings" in html
    assert "Open one" in html and "Busy one" in html and "Done one" not in html
    assert "Open one" not in client_for("chair", tree["QF7"]).get(reverse("home")).content.decode()


def test_the_calendar_file_is_one_event_at_the_meetings_time(client_for, council, tree):
    start = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
    meeting = services.meeting_schedule(
        body=council, title="Council", starts_at=start, ends_at=start + dt.timedelta(hours=2),
        location="Oak House", online_link="https://meet.example/abc",
    )  # fmt: skip
    response = client_for("viewer", tree["QF7"]).get(
        reverse("delivery:meeting_ics", args=[meeting.pk])
    )
    assert response["Content-Type"] == "text/calendar"
    assert "attachment" in response["Content-Disposition"]
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert event["DTSTART"].dt == start
    assert event["DTEND"].dt == start + dt.timedelta(hours=2)
    assert str(event["SUMMARY"]) == "Council (SYB ICS AHP council)"
    assert str(event["UID"]) == f"meeting-{meeting.pk}@testserver"
    assert str(event["LOCATION"]) == "Oak House, https://meet.example/abc"


def test_the_printable_agenda_and_minutes(client_for, council, schedule, tree):
    meeting = schedule(council, days=-1)
    services.agenda_item_add(meeting=meeting, title="Turnover")
    services.minutes_save(meeting=meeting, minutes="All agreed.")
    html = client_for("viewer", tree["QF7"]).get(
        reverse("delivery:meeting_print", args=[meeting.pk])
    )
    html = html.content.decode()
    assert "1. Turnover" in html and "All agreed." in html
    assert "delivery/print.css" in html


def _full_meeting(council, schedule, tree, make_user, metric_series, n):
    meeting = schedule(council, days=-1)
    owner = make_user("viewer", tree["QF7"])
    cycle = seed_readiness(tree["QF7"], make_user)
    for i in range(n):
        services.agenda_item_add(
            meeting=meeting, title=f"M{i}", link="metric", metric="turnover_rate"
        )
        services.agenda_item_add(
            meeting=meeting, title=f"S{i}", link="metric", metric="sickness_absence_rate"
        )
        item = services.agenda_item_add(meeting=meeting, title=f"C{i}", link="cycle", cycle=cycle)
        services.decision_record(meeting=meeting, text=f"D{i}", item=item)
        action = services.action_add(
            meeting=meeting, description=f"A{i}", owner=owner, due_date=dt.date(2026, 12, 1)
        )
        if council.kind == "ics_council" and i == 0:
            services.escalate(meeting=meeting, action=action, summary="Up")
    return meeting


@pytest.mark.parametrize("page", ["delivery:meeting", "delivery:meeting_print"])
def test_the_meeting_page_reads_a_constant_number_of_queries(
    page, chair, council, board, schedule, tree, make_user, metric_series,
    django_assert_max_num_queries,
):  # fmt: skip
    metric_series(tree["QF7"], "turnover_rate", STEADY_THEN_JUMP)
    metric_series(tree["QF7"], "sickness_absence_rate", STEADY_THEN_JUMP)
    small = _full_meeting(council, schedule, tree, make_user, metric_series, 1)
    chair.get(reverse(page, args=[small.pk]))  # warm the per-process caches
    with django_assert_max_num_queries(17) as small_queries:
        assert chair.get(reverse(page, args=[small.pk])).status_code == 200
    large = _full_meeting(council, schedule, tree, make_user, metric_series, 6)
    with django_assert_max_num_queries(len(small_queries)) as large_queries:
        assert chair.get(reverse(page, args=[large.pk])).status_code == 200
    assert len(large_queries) == len(small_queries)


def test_the_body_page_lists_meetings_and_what_waits_to_be_scheduled(
    client_for, council, board, schedule, tree, django_assert_max_num_queries
):
    meeting = schedule(council, days=-1, title="Last council")
    schedule(council, days=30, title="Next council")
    item = services.agenda_item_add(meeting=meeting, title="Vacancies")
    services.escalate(meeting=meeting, item=item, summary="Doncaster vacancies")
    regional = client_for("chair", tree["Y63"])
    regional.get(reverse("home"))
    with django_assert_max_num_queries(15):
        html = regional.get(reverse("delivery:body_meetings", args=[board.pk])).content.decode()
    assert "To be scheduled" in html and "Doncaster vacancies" in html
    html = client_for("viewer", tree["QF7"]).get(
        reverse("delivery:body_meetings", args=[council.pk])
    )
    html = html.content.decode()
    assert "Last council" in html and "Next council" in html


def test_a_faculty_programme_page_and_its_report_on_the_council_agenda(
    client_for, council, faculty, schedule, tree, django_assert_max_num_queries
):
    faculty_chair = client_for("chair", tree["QF7"])
    lead = client_for("viewer", tree["QF7"], full_name="Ira Lead").user
    next_council = schedule(council, days=30)
    response = faculty_chair.post(
        reverse("delivery:programme_create", args=[faculty.pk]),
        {"title": "Preceptorship", "lead": lead.pk, "funding": "48000",
         **date_fields("start_date", dt.date(2026, 4, 1)),
         **date_fields("end_date", dt.date(2027, 3, 31)), "status": "On track"},
    )  # fmt: skip
    programme = faculty.programmes.get()
    assert response.url == reverse("delivery:programme", args=[programme.pk])
    faculty_chair.post(
        reverse("delivery:milestone_create", args=[programme.pk]),
        {"title": "Framework agreed", "status": "done",
         **date_fields("due_date", dt.date(2026, 6, 30))},
    )  # fmt: skip
    quarter = quarters.quarter_of(timezone.localdate())
    faculty_chair.post(
        reverse("delivery:report_create", args=[programme.pk]),
        {"quarter": quarter, "text": "Going well"},
    )
    viewer = client_for("viewer", tree["QF7"])
    with django_assert_max_num_queries(12):
        html = viewer.get(reverse("delivery:programme", args=[programme.pk])).content.decode()
    assert "£48,000.00" in html and "Framework agreed" in html and "Going well" in html
    assert (
        f"on the council's agenda for {timezone.localtime(next_council.starts_at):%-d %B %Y}"
        in html
    )
    agenda = viewer.get(reverse("delivery:meeting", args=[next_council.pk]))
    assert f"Faculty programme report, {quarter}: Preceptorship" in agenda.content.decode()


def test_governance_changes_are_in_the_audit_trail(chair, council, schedule):
    from auditlog.models import LogEntry

    meeting = schedule(council, days=-1)
    chair.post(
        reverse("delivery:decision_create", args=[meeting.pk]),
        {"text": "Agreed", **date_fields("decided_on", dt.date(2026, 10, 14))},
    )
    decision = Decision.objects.get()
    entry = LogEntry.objects.get_for_object(decision).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor == chair.user
