"""The governance demo: the SYB ICS council's last quarterly meeting (a live metric and a
readiness item, minutes, two decisions, three actions, one escalated to the North East and
Yorkshire board and on its next agenda), its next meeting, and a faculty programme whose
quarterly report is on that next agenda. Running it again changes nothing."""

import io

from councils.models import Body
from delivery import meeting_demo
from delivery.meeting_models import Escalation, FacultyProgramme, Meeting, QuarterlyReport


def test_the_demo_runs_a_council_meeting_with_an_escalation(
    tree, make_user, board, council, faculty
):
    make_user("chair", tree["QF7"], email="chair@syb.example", full_name="Chris Chair")
    make_user("respondent", tree["QF7"], email="ics.lead@syb.example", full_name="Ira Lead")
    make_user("chair", tree["Y63"], email="region@ney.example")
    out = io.StringIO()
    meeting_demo.load(stdout=out)
    meeting_demo.load(stdout=out)
    assert "already loaded" in out.getvalue()

    past, upcoming = Meeting.objects.filter(body=council).order_by("starts_at")
    assert past.is_past and not upcoming.is_past
    assert {i.link for i in past.items.all()} >= {"metric"}
    assert past.minutes.startswith("Present:")
    assert past.decisions.count() == 2 and past.actions.count() == 3
    escalation = Escalation.objects.get()
    assert escalation.from_action.meeting == past
    assert escalation.target_item.meeting.body == Body.objects.get(kind="regional_board")
    programme = FacultyProgramme.objects.get(body=faculty)
    assert programme.milestones.count() == 3
    assert QuarterlyReport.objects.get(programme=programme).target_item.meeting == upcoming


def test_the_demo_skips_quietly_without_the_bodies(db):
    out = io.StringIO()
    meeting_demo.load(stdout=out)
    assert "skipped" in out.getvalue() and not Meeting.objects.exists()
