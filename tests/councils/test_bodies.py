"""Bodies at work: a seat on a body is a role (viewer scope at the body's organisation while its
term is current), a chair's seat manages that body only, and every change to the members is in
the audit trail that the body's page shows."""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from councils import bodies
from councils.models import Body, BodyMember, Position
from councils.scoping import bodies_managed_q, covers, forget_scope, scope_paths
from tests.councils.body_data import body_of

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def seat(user, on_body, position=Position.MEMBER, start=None, end=None):
    member = BodyMember.objects.create(
        body=on_body, user=user, position=position, term_start=start, term_end=end
    )
    forget_scope(user)
    return member


def add_form(email, position="member", start=dt.date(2026, 4, 1), end=None):
    data = {"email": email, "position": position, "term_start": start.isoformat()}
    data["term_end"] = end.isoformat() if end else ""
    return data


# --- the seat as a role, in councils.scoping ---------------------------------------------------


def test_a_current_seat_gives_viewer_scope_at_the_bodys_organisation(tree, make_user):
    member = make_user()
    seat(member, body_of(tree["QF7"]), start=TODAY - DAY)
    assert scope_paths(member, "view") == [tree["QF7"].path]
    assert covers(member, "view", tree["RP5"])  # everything below, like any viewer
    assert not covers(member, "view", tree["QWO"])
    assert not covers(member, "view", tree["Y63"])
    for action in ("respond", "chair", "import", "analyse", "admin", "register"):
        assert scope_paths(member, action) == [], action


@pytest.mark.parametrize(
    "start, end, current",
    [
        (None, None, True),  # a seat recorded before terms were kept
        (TODAY - 30 * DAY, TODAY, True),  # the last day of the term
        (TODAY - 30 * DAY, TODAY - DAY, False),  # ended yesterday
        (TODAY + DAY, None, False),  # not begun
        (TODAY, None, True),
    ],
)
def test_only_a_current_term_counts(tree, make_user, start, end, current):
    member = make_user()
    seat(member, body_of(tree["QF7"]), start=start, end=end)
    assert scope_paths(member, "view") == ([tree["QF7"].path] if current else [])


def test_a_seat_and_roles_are_read_in_one_query(tree, make_user, django_assert_num_queries):
    member = make_user("respondent", tree["RHQ"])
    seat(member, body_of(tree["QF7"]))
    seat(member, body_of(tree["Y63"], Body.Kind.REGIONAL_BOARD), start=TODAY - DAY)
    with django_assert_num_queries(1):
        assert scope_paths(member, "view") == [tree["Y63"].path]
        assert scope_paths(member, "respond") == [tree["RHQ"].path]


def test_removing_a_seat_takes_the_scope_away(tree, make_user):
    member = make_user()
    held = seat(member, body_of(tree["QF7"]))
    assert scope_paths(member) == [tree["QF7"].path]
    held.delete()
    forget_scope(member)
    assert scope_paths(member) == []


def test_a_chairs_seat_manages_that_body_only(tree, make_user):
    council, faculty = body_of(tree["QF7"]), body_of(tree["QF7"], Body.Kind.ICS_FACULTY)
    other = body_of(tree["QWO"])
    chair = make_user()
    seat(chair, council, Position.CHAIR)
    managed = set(Body.objects.filter(bodies_managed_q(chair)))
    assert managed == {council}
    assert not bodies.can_manage(chair, faculty) and not bodies.can_manage(chair, other)

    vice = make_user()
    seat(vice, council, Position.VICE_CHAIR)
    assert not Body.objects.filter(bodies_managed_q(vice)).exists()

    former = make_user()
    seat(former, council, Position.CHAIR, start=TODAY - 400 * DAY, end=TODAY - DAY)
    assert not Body.objects.filter(bodies_managed_q(former)).exists()


def test_an_organisation_admin_manages_bodies_at_and_below_their_organisation(tree, make_user):
    regional_admin = make_user("org_admin", tree["Y63"])
    managed = set(Body.objects.filter(bodies_managed_q(regional_admin)))
    assert {
        body_of(tree["QF7"]),
        body_of(tree["QWO"]),
        body_of(tree["Y63"], Body.Kind.REGIONAL_BOARD),
    } <= (set(Body.objects.filter(bodies_managed_q(regional_admin))))
    assert body_of(tree["QMJ"]) not in managed
    ics_admin = make_user("org_admin", tree["QF7"])
    assert not bodies.can_manage(ics_admin, body_of(tree["Y63"], Body.Kind.REGIONAL_BOARD))
    assert not bodies.can_manage(ics_admin, body_of(tree["QWO"]))


# --- pages ---------------------------------------------------------------------------------------


def test_a_member_without_any_role_reads_what_the_body_sees(tree, client_for):
    client = client_for()
    council = body_of(tree["QF7"])
    seat(client.user, council, start=TODAY - DAY)
    assert client.get(reverse("councils:organisation", args=["QF7"])).status_code == 200
    assert client.get(reverse("councils:organisation", args=["RP5"])).status_code == 200
    assert client.get(reverse("councils:body", args=[council.pk])).status_code == 200
    assert client.get(reverse("delivery:plans", args=["QF7"])).status_code == 200
    assert client.get(reverse("councils:organisation", args=["QWO"])).status_code == 404
    home = client.get(reverse("home"))
    assert tree["QF7"].name in home.content.decode()


def test_a_member_whose_term_has_ended_sees_nothing(tree, client_for):
    client = client_for()
    council = body_of(tree["QF7"])
    seat(client.user, council, start=TODAY - 90 * DAY, end=TODAY - DAY)
    assert client.get(reverse("councils:organisation", args=["QF7"])).status_code == 404
    assert client.get(reverse("councils:body", args=[council.pk])).status_code == 404


def test_a_member_of_another_ics_council_gets_404(tree, client_for):
    client = client_for()
    seat(client.user, body_of(tree["QWO"]), Position.CHAIR)
    council = body_of(tree["QF7"])
    member = seat(client_for().user, council)
    for url in (
        reverse("councils:body", args=[council.pk]),
        reverse("councils:body_member_add", args=[council.pk]),
        reverse("councils:body_member_change", args=[council.pk, member.pk]),
        reverse("councils:leadership", args=["QF7"]),
        reverse("councils:leadership_export", args=["QF7", "csv"]),
        reverse("councils:chair_edit", args=[council.pk]),
        reverse("councils:chief_ahp_edit", args=["RP5"]),
        reverse("councils:organisation", args=["QF7"]),
    ):
        assert client.get(url).status_code == 404, url
    remove = reverse("councils:body_member_remove", args=[council.pk, member.pk])
    assert client.post(remove).status_code == 404
    assert BodyMember.objects.filter(pk=member.pk).exists()


def test_a_chair_manages_their_body_in_the_browser_and_the_history_shows_it(
    tree, client_for, make_user
):
    council = body_of(tree["QF7"])
    chair = client_for(full_name="Chris Chair")
    seat(chair.user, council, Position.CHAIR, start=dt.date(2025, 4, 1))
    newcomer = make_user(email="new.member@example.test", full_name="Nia Newcomer")
    page = chair.get(reverse("councils:body", args=[council.pk]))
    assert page.context["can_manage"] and "Add a member" in page.content.decode()

    response = chair.post(
        reverse("councils:body_member_add", args=[council.pk]),
        add_form("New.Member@example.test", "member", dt.date(2026, 4, 1)),
    )
    assert response.status_code == 302
    member = BodyMember.objects.get(body=council, user=newcomer)
    assert (member.position, member.term_start, member.term_end, member.added_by) == (
        "member",
        dt.date(2026, 4, 1),
        None,
        chair.user,
    )

    change = reverse("councils:body_member_change", args=[council.pk, member.pk])
    response = chair.post(
        change, {"position": "vice_chair", "term_start": "2026-04-01", "term_end": "2028-03-31"}
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.position, member.term_end) == ("vice_chair", dt.date(2028, 3, 31))

    remove = reverse("councils:body_member_remove", args=[council.pk, member.pk])
    assert chair.post(remove).status_code == 302
    assert not BodyMember.objects.filter(pk=member.pk).exists()

    page = chair.get(reverse("councils:body", args=[council.pk]))
    rows = [(c.change, c.person, c.details, c.by) for c in page.context["history"]]
    assert rows[:3] == [
        ("Removed", "Nia Newcomer", "Position: Vice chair", "Chris Chair"),
        (
            "Changed",
            "Nia Newcomer",
            "Position: Member to Vice chair; Term end: none to 31 March 2028",
            "Chris Chair",
        ),
        ("Added", "Nia Newcomer", "Position: Member; Term start: 1 April 2026", "Chris Chair"),
    ]
    assert "Nia Newcomer" in page.content.decode()


def test_an_organisation_admin_above_the_body_adds_a_member(tree, client_for, make_user):
    board = body_of(tree["Y63"], Body.Kind.REGIONAL_BOARD)
    admin = client_for("org_admin", tree["ENG"])
    person = make_user(email="board.member@example.test")
    response = admin.post(
        reverse("councils:body_member_add", args=[board.pk]),
        add_form(person.email, "observer"),
    )
    assert response.status_code == 302
    assert BodyMember.objects.get(body=board).position == "observer"


def test_bad_input_names_the_problem_and_keeps_what_was_typed(tree, client_for, make_user):
    council = body_of(tree["QF7"])
    admin = client_for("org_admin", tree["QF7"])
    url = reverse("councils:body_member_add", args=[council.pk])

    response = admin.post(url, add_form("nobody@example.test", "secretary"))
    assert response.status_code == 200
    form = response.context["form"]
    assert "No one with the email nobody@example.test has an account" in form.errors["email"][0]
    html = response.content.decode()
    assert 'value="nobody@example.test"' in html
    assert re.search(r'<input[^>]*value="secretary"[^>]*checked', html)

    person = make_user(email="person@example.test")
    response = admin.post(
        url, add_form(person.email, start=dt.date(2026, 4, 1), end=dt.date(2026, 3, 1))
    )
    assert response.context["form"].errors["term_end"] == [
        "The term must end on or after the day it starts."
    ]
    response = admin.post(url, {**add_form(person.email), "term_start": ""})
    assert response.context["form"].errors["term_start"] == ["Enter the date the term starts."]
    assert not BodyMember.objects.exists()

    seat(person, council)
    response = admin.post(url, add_form(person.email))
    assert "already has a seat" in response.context["form"].errors["email"][0]
    assert BodyMember.objects.count() == 1


def test_a_chair_cannot_manage_through_the_service_what_they_do_not_chair(tree, make_user):
    from django.core.exceptions import PermissionDenied

    chair = make_user()
    seat(chair, body_of(tree["QF7"]), Position.CHAIR)
    with pytest.raises(PermissionDenied):
        bodies.member_add(
            by=chair,
            body=body_of(tree["QF7"], Body.Kind.ICS_FACULTY),
            user=make_user(),
            position="member",
        )


def test_body_page_queries_do_not_grow_with_members(
    tree, client_for, make_user, django_assert_max_num_queries
):
    council = body_of(tree["QF7"])
    admin = client_for("org_admin", tree["QF7"])
    url = reverse("councils:body", args=[council.pk])
    for _ in range(2):
        bodies.member_add(by=admin.user, body=council, user=make_user(), position="member")
    admin.get(url)
    with django_assert_max_num_queries(14) as few:
        admin.get(url)
    for n in range(8):
        bodies.member_add(
            by=admin.user,
            body=council,
            user=make_user(),
            position="member",
            term_end=TODAY - DAY if n % 2 else None,
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin.get(url)
    assert len(response.context["current"]) == 6 and len(response.context["past"]) == 4


def test_the_organisation_page_lists_current_members_with_their_positions(tree, client_for):
    council = body_of(tree["QF7"])
    viewer = client_for("viewer", tree["QF7"])
    seat(client_for(full_name="Cleo Chair").user, council, Position.CHAIR)
    seat(client_for(full_name="Finn Former").user, council, end=TODAY - DAY)
    html = viewer.get(reverse("councils:organisation", args=["QF7"])).content.decode()
    assert "Cleo Chair" in html and "Finn Former" not in html
    assert reverse("councils:body", args=[council.pk]) in html


def test_the_migration_maps_free_text_positions_to_choices(tree, make_user):
    migration = importlib.import_module(
        "councils.migrations.0005_body_member_terms_and_leadership_register"
    )
    council = body_of(tree["QF7"])
    words = ["Chair", "Vice-Chair", " member ", "Secretary", "AHP research lead"]
    for text in words:
        BodyMember.objects.create(body=council, user=make_user(), position=text)
    migration.positions_to_choices(apps, None)
    assert list(BodyMember.objects.order_by("pk").values_list("position", flat=True)) == [
        "chair",
        "vice_chair",
        "member",
        "secretary",
        "member",
    ]


def test_a_chair_invites_someone_without_an_account_to_a_seat(
    tree, client_for, mailoutbox, django_capture_on_commit_callbacks
):
    from councils.models import Invitation

    council = body_of(tree["QF7"])
    chair = client_for(full_name="Chris Chair")
    seat(chair.user, council, Position.CHAIR)
    url = reverse("councils:body_member_add", args=[council.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = chair.post(
            url,
            {**add_form("Newbie@example.test", "secretary", dt.date(2026, 4, 1)), "invite": "on"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.body, invitation.position) == (
        "newbie@example.test",
        "",
        council,
        "secretary",
    )
    assert f"Secretary of {council.name}" in mailoutbox[0].body
    page = chair.get(reverse("councils:body", args=[council.pk])).content.decode()
    assert "newbie@example.test, as secretary" in page

    token = re.search(r"/invitations/([^/]+)/", mailoutbox[0].body).group(1)
    accept = reverse("councils:invitation_accept", args=[token])
    assert f"Secretary of {council.name}" in chair.get(accept).content.decode()
    from django.test import Client

    newcomer = Client()
    password = "a long and unusual passphrase 42"
    response = newcomer.post(accept, {"password1": password, "password2": password})
    assert response.status_code == 302
    member = BodyMember.objects.get(body=council, user__email="newbie@example.test")
    assert (member.position, member.term_start, member.added_by) == (
        "secretary",
        dt.date(2026, 4, 1),
        chair.user,
    )
    assert not member.user.memberships.exists()  # a seat, no other role
    assert newcomer.get(reverse("councils:organisation", args=["QF7"])).status_code == 200


def test_without_the_box_ticked_no_invitation_is_sent(tree, client_for):
    from councils.models import Invitation

    council = body_of(tree["QF7"])
    admin = client_for("org_admin", tree["QF7"])
    response = admin.post(
        reverse("councils:body_member_add", args=[council.pk]), add_form("x@example.test")
    )
    assert "Tick the box below" in response.context["form"].errors["email"][0]
    assert not Invitation.objects.exists()
