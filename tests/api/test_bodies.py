"""API: bodies, their members (names and positions, never emails) and the leadership register,
in the analyst's scope."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from councils.models import Body, BodyMember, LeadershipPost

TODAY = timezone.localdate()


@pytest.fixture
def council(tree, make_user):
    body = Body.objects.create(
        organisation=tree["QF7"], kind=Body.Kind.ICS_COUNCIL, name="SYB ICS AHP council"
    )
    BodyMember.objects.create(
        body=body,
        user=make_user(email="chris@example.test", full_name="Chris Chair"),
        position="chair",
        term_start=dt.date(2025, 4, 1),
    )
    BodyMember.objects.create(
        body=body,
        user=make_user(email="finn@example.test", full_name="Finn Former"),
        position="member",
        term_start=dt.date(2024, 4, 1),
        term_end=TODAY - dt.timedelta(days=1),
    )
    return body


def test_members_carry_names_and_positions_never_emails(council, token_for, tree):
    client = token_for("analyst", tree["QF7"])
    response = client.get(reverse("api-body-member-list"), {"body": council.pk})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["name"], r["position"], r["current"]) for r in rows] == [
        ("Chris Chair", "chair", True),
        ("Finn Former", "member", False),
    ]
    assert "@" not in response.content.decode()
    current = client.get(reverse("api-body-member-list"), {"current": "true"}).json()["results"]
    assert [r["name"] for r in current] == ["Chris Chair"]
    csv = client.get(reverse("api-body-member-list"), {"format": "csv"})
    assert b"Chris Chair" in b"".join(csv.streaming_content)


def test_a_body_counts_its_current_members(council, token_for, tree):
    client = token_for("analyst", tree["Y63"])
    row = client.get(reverse("api-body-detail", args=[council.pk])).json()
    assert row == {
        "id": council.pk,
        "organisation": "QF7",
        "kind": "ics_council",
        "name": "SYB ICS AHP council",
        "current_members": 1,
    }
    listed = client.get(reverse("api-body-list"), {"kind": "ics_council"}).json()["results"]
    assert [r["id"] for r in listed] == [council.pk]


def test_the_register_in_the_api(tree, token_for, council):
    LeadershipPost.objects.create(
        organisation=tree["RP5"], post="chief_ahp", status="vacant", start_date=dt.date(2026, 9, 1)
    )
    LeadershipPost.objects.create(
        organisation=tree["QF7"], body=council, post="chair", status="interim", holder_name="Ann"
    )
    client = token_for("analyst", tree["QF7"])
    rows = client.get(
        reverse("api-leadership-post-list"), {"organisation": "QF7", "subtree": "true"}
    ).json()["results"]
    assert sorted(
        (r["organisation"], r["post"], r["status"], r["holder"], r["in_post"]) for r in rows
    ) == [
        ("QF7", "chair", "interim", "Ann", True),
        ("RP5", "chief_ahp", "vacant", "", False),
    ]
    other = token_for("analyst", tree["QWO"])
    assert other.get(reverse("api-leadership-post-list")).json()["results"] == []


def test_a_body_member_of_the_council_without_an_analyst_role_reads_nothing(council, client_for):
    member = client_for()
    BodyMember.objects.create(body=council, user=member.user)
    assert member.get(reverse("api-body-list")).json()["results"] == []
