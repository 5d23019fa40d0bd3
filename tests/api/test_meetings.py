"""GET /api/v1/meetings/, /api/v1/meeting-decisions/ and /api/v1/meeting-actions/: an analyst
reads the meetings of the bodies in scope with the agenda in order; another ICS's analyst sees
none of them, and a filter naming an organisation out of scope is a 404."""

from delivery import meeting_services
from tests.api.conftest import seed_meeting


def test_meetings_list_their_agenda_in_order(token_for, tree, make_user):
    meeting = seed_meeting(tree["QF7"], make_user)
    meeting_services.agenda_item_add(
        meeting=meeting, title="Turnover", link="metric", metric="turnover_rate"
    )
    client = token_for("analyst", tree["QF7"])
    (row,) = client.get("/api/v1/meetings/").json()["results"]
    assert (row["organisation"], row["body_kind"], row["title"]) == (
        "QF7",
        "ics_council",
        "Quarterly meeting",
    )
    assert [(i["position"], i["title"], i["metric"]) for i in row["agenda"]] == [
        (1, "Turnover", ""),
        (2, "Turnover", "turnover_rate"),
    ]
    assert row["has_minutes"] is False


def test_decisions_and_actions_name_their_meeting_and_item(token_for, tree, make_user):
    meeting = seed_meeting(tree["QF7"], make_user)
    client = token_for("analyst", tree["Y63"])  # the region reads the ICS below it
    (decision,) = client.get("/api/v1/meeting-decisions/").json()["results"]
    assert (decision["meeting"], decision["item"], decision["text"]) == (meeting.pk, 1, "Agreed")
    (action,) = client.get("/api/v1/meeting-actions/", {"status": "open"}).json()["results"]
    assert (action["description"], action["status"], action["due_date"]) == (
        "Draft terms",
        "open",
        "2026-11-30",
    )
    assert client.get("/api/v1/meeting-actions/", {"status": "done"}).json()["results"] == []


def test_another_ics_sees_no_meetings(token_for, tree, make_user):
    seed_meeting(tree["QF7"], make_user)
    client = token_for("analyst", tree["QWO"])
    for path in ("meetings", "meeting-decisions", "meeting-actions"):
        assert client.get(f"/api/v1/{path}/").json()["results"] == []
        assert client.get(f"/api/v1/{path}/", {"organisation": "QF7"}).status_code == 404
