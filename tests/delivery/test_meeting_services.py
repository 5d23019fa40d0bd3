"""The rules of a body's meetings: agenda order and links, actions' owners, escalation from an ICS
council to its region's board (onto the board's next meeting, or waiting until it has one, with
the outcome recorded back), and faculty reports onto the council's next agenda."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from delivery import meeting_services as services
from delivery.meeting_models import AgendaItem, Escalation, MeetingAction


def test_agenda_items_are_numbered_in_order_and_can_be_moved(council, schedule):
    meeting = schedule(council)
    first = services.agenda_item_add(meeting=meeting, title="Apologies")
    second = services.agenda_item_add(meeting=meeting, title="Turnover")
    third = services.agenda_item_add(meeting=meeting, title="Any other business")
    assert [first.position, second.position, third.position] == [1, 2, 3]

    services.agenda_item_move(item=third, up=True)
    titles = list(AgendaItem.objects.filter(meeting=meeting).values_list("title", flat=True))
    assert titles == ["Apologies", "Any other business", "Turnover"]
    services.agenda_item_move(item=first, up=True)  # already first: nothing moves
    assert AgendaItem.objects.get(pk=first.pk).position == 1


def test_a_linked_item_needs_what_it_links_to_and_keeps_only_that(council, schedule):
    meeting = schedule(council)
    with pytest.raises(ValidationError) as error:
        services.agenda_item_add(meeting=meeting, title="Turnover", link="metric")
    assert "metric" in error.value.message_dict
    item = services.agenda_item_add(
        meeting=meeting, title="Turnover", link="metric", metric="turnover_rate",
        exception_reason="ignored for a plain metric",
    )  # fmt: skip
    assert (item.metric, item.exception_reason, item.cycle_id) == ("turnover_rate", "", None)


def test_a_meeting_must_end_after_it_starts_and_say_where_it_is(council):
    start = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    with pytest.raises(ValidationError) as error:
        services.meeting_schedule(
            body=council, title="M", starts_at=start, ends_at=start, location="Room"
        )
    assert "ends_at" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.meeting_schedule(body=council, title="M", starts_at=start)
    assert "location" in error.value.message_dict


def test_an_action_owner_must_be_able_to_open_the_meeting(council, schedule, tree, make_user):
    meeting = schedule(council, days=-1)
    for code in ("QWO", "RP5"):  # another ICS; a provider below, whose scope is only its own
        outsider = make_user("chair", tree[code], full_name=f"Someone at {code}")
        with pytest.raises(ValidationError) as error:
            services.action_add(
                meeting=meeting, description="Draft", owner=outsider, due_date=dt.date(2026, 12, 1)
            )
        assert f"Someone at {code} cannot open" in error.value.message_dict["owner"][0]
    member = make_user(full_name="Member without a role")
    council.members.create(user=member)
    assert services.eligible_owners(council).filter(pk=member.pk).exists()
    insider = make_user("viewer", tree["Y63"])
    action = services.action_add(
        meeting=meeting, description="Draft", owner=insider, due_date=dt.date(2026, 12, 1)
    )
    assert action.status == MeetingAction.Status.OPEN


def test_an_escalation_goes_onto_the_boards_next_meeting(council, board, schedule, make_user, tree):
    chair = make_user("chair", tree["QF7"], full_name="Chris Chair")
    schedule(board, days=40, title="Later board")
    soonest = schedule(board, days=10, title="Next board")
    schedule(board, days=-5, title="Last board")
    meeting = schedule(council, days=-1)
    item = services.agenda_item_add(meeting=meeting, title="Therapy vacancies")

    escalation = services.escalate(meeting=meeting, item=item, summary="Help", actor=chair)

    assert escalation.to_body == board
    assert escalation.target_item.meeting == soonest
    assert escalation.target_item.title == "Escalated by SYB ICS AHP council"
    assert escalation.target_item.notes == "Help"
    assert escalation.escalated_by == chair
    with pytest.raises(ValidationError, match="already been escalated"):
        services.escalate(meeting=meeting, item=item, summary="Again")


def test_an_escalation_waits_until_the_board_schedules_a_meeting(
    council, board, schedule, make_user, tree
):
    meeting = schedule(council, days=-1)
    action = services.action_add(
        meeting=meeting,
        description="Vacancies",
        owner=make_user("viewer", tree["QF7"]),
        due_date=dt.date(2026, 12, 1),
    )
    escalation = services.escalate(meeting=meeting, action=action, summary="Vacancies")
    assert escalation.target_item is None

    past = schedule(board, days=-3)  # a meeting in the past is not the next one
    escalation.refresh_from_db()
    assert escalation.target_item is None and not past.items.exists()

    upcoming = schedule(board, days=14)
    escalation.refresh_from_db()
    assert escalation.target_item.meeting == upcoming


def test_only_an_ics_council_escalates_and_only_to_its_own_regions_board(
    council, board, other_council, schedule, tree
):
    board_meeting = schedule(board, days=-1)
    item = services.agenda_item_add(meeting=board_meeting, title="Regional issue")
    with pytest.raises(ValidationError, match="Only an ICS AHP council escalates"):
        services.escalate(meeting=board_meeting, item=item, summary="Up")

    from councils.models import Body

    london = Body.objects.create(
        organisation=tree["QMJ"], kind=Body.Kind.ICS_COUNCIL, name="North Central London council"
    )
    meeting = schedule(london, days=-1)
    item = services.agenda_item_add(meeting=meeting, title="Vacancies")
    with pytest.raises(ValidationError, match="no regional AHP board"):
        services.escalate(meeting=meeting, item=item, summary="Up")
    assert not Escalation.objects.exists()


def test_the_outcome_is_recorded_back_on_the_escalation(council, board, schedule, make_user, tree):
    meeting = schedule(council, days=-1)
    item = services.agenda_item_add(meeting=meeting, title="Vacancies")
    escalation = services.escalate(meeting=meeting, item=item, summary="Help")
    regional = make_user("chair", tree["Y63"])
    services.escalation_record_outcome(
        escalation=escalation, outcome="Regional recruitment campaign agreed.", actor=regional
    )
    escalation.refresh_from_db()
    assert escalation.outcome == "Regional recruitment campaign agreed."
    assert escalation.outcome_by == regional and escalation.outcome_at is not None


def _programme(faculty, make_user, tree):
    return services.programme_create(
        body=faculty,
        title="Preceptorship",
        lead=make_user("viewer", tree["QF7"]),
        funding=48000,
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2027, 3, 31),
        status="On track",
    )


def test_a_quarterly_report_goes_onto_the_councils_next_agenda(
    council, faculty, schedule, make_user, tree
):
    programme = _programme(faculty, make_user, tree)
    waiting = services.report_submit(programme=programme, quarter="2026/27 Q2", text="Started")
    assert waiting.target_item is None

    next_meeting = schedule(council, days=20)
    waiting.refresh_from_db()
    assert waiting.target_item.meeting == next_meeting
    assert waiting.target_item.title == "Faculty programme report, 2026/27 Q2: Preceptorship"

    placed = services.report_submit(programme=programme, quarter="2026/27 Q3", text="Going well")
    assert placed.target_item.meeting == next_meeting and placed.target_item.position == 2
    with pytest.raises(ValidationError) as error:
        services.report_submit(programme=programme, quarter="2026/27 Q3", text="Twice")
    assert "already a report for 2026/27 Q3" in error.value.message_dict["quarter"][0]


def test_a_programme_belongs_to_a_faculty_and_ends_after_it_starts(
    council, faculty, make_user, tree
):
    lead = make_user("viewer", tree["QF7"])
    common = {"title": "P", "lead": lead, "funding": 1, "status": "On track"}
    with pytest.raises(ValidationError, match="belong to an ICS AHP faculty"):
        services.programme_create(
            body=council, start_date=dt.date(2026, 4, 1), end_date=dt.date(2027, 3, 31), **common
        )
    with pytest.raises(ValidationError) as error:
        services.programme_create(
            body=faculty, start_date=dt.date(2026, 4, 1), end_date=dt.date(2026, 3, 31), **common
        )
    assert "end_date" in error.value.message_dict
