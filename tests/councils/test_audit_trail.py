"""The audit trail (django-auditlog): granting and removing a role leaves a record of who did it
and when, which the organisation's People page shows in its scope only; invitations and API
tokens are logged too, never with their secrets."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from councils import selectors
from councils.models import Invitation, Membership
from councils.scoping import scope_paths


def entries(model_name, action=None):
    found = LogEntry.objects.filter(
        content_type__app_label="councils", content_type__model=model_name
    ).order_by("pk")
    return found.filter(action=action) if action is not None else found


def people(client, code):
    return client.get(reverse("councils:people", kwargs={"code": code}))


def history_rows(response):
    return [
        (c.change, c.person, c.role, c.organisation, c.by) for c in response.context["role_history"]
    ]


@pytest.fixture
def admin(client_for, tree):
    return client_for("org_admin", tree["QF7"], email="admin@qf7.example.test")


def test_a_role_granted_through_an_invitation_records_who_granted_it(
    admin, tree, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(
            reverse("councils:people", kwargs={"code": "QF7"}),
            {"email": "new@example.test", "organisation": tree["RP5"].pk, "role": "respondent"},
        )
    token = mail.outbox[-1].body.split("/invitations/")[1].split("/")[0]
    before = timezone.now()
    client.post(
        f"/invitations/{token}/",
        {"password1": "a long pass phrase 42", "password2": "a long pass phrase 42"},
    )
    membership = Membership.objects.get(user__email="new@example.test")

    granted = entries("membership", LogEntry.Action.CREATE).get(object_pk=str(membership.pk))
    assert granted.additional_data == {
        "organisation_id": tree["RP5"].pk,
        "user": "new@example.test",
        "role": "respondent",
        "granted_by": "admin@qf7.example.test",
    }
    assert granted.timestamp >= before

    rows = history_rows(people(admin, "QF7"))
    assert rows[0] == (
        "Granted",
        "new@example.test",
        "Respondent (chief AHP, lead)",
        tree["RP5"].name,
        "admin@qf7.example.test",
    )


def test_a_removed_role_leaves_a_record_of_who_removed_it_and_when(admin, tree, make_user):
    person = make_user("viewer", tree["RHQ"], email="person@example.test")
    membership = person.memberships.get()
    before = timezone.now()

    response = admin.post(f"/org/QF7/people/{membership.pk}/revoke/")

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    removed = entries("membership", LogEntry.Action.DELETE).get(object_pk=str(membership.pk))
    assert removed.actor == admin.user
    assert removed.timestamp >= before
    assert removed.additional_data["user"] == "person@example.test"
    assert removed.additional_data["role"] == "viewer"
    assert removed.additional_data["organisation_id"] == tree["RHQ"].pk

    page = people(admin, "QF7")
    assert history_rows(page)[0] == (
        "Removed",
        "person@example.test",
        "Viewer",
        tree["RHQ"].name,
        "admin@qf7.example.test",
    )
    html = page.content.decode()
    assert html.count('<h2 class="nhsuk-heading-l" id="role-history">Role history</h2>') == 1
    assert html.index("Roles held</h2>") < html.index("Role history</h2>")  # after the roles
    assert f'<time datetime="{timezone.localtime(removed.timestamp):%Y-%m-%dT%H:%M:%S}' in html


def test_a_person_leaving_their_own_role_shows_as_left(admin, tree, client_for):
    leaver = client_for("viewer", tree["RP5"], email="leaver@example.test")
    mine = leaver.user.memberships.get()
    assert leaver.post(f"/account/roles/{mine.pk}/leave/").status_code == 302
    assert history_rows(people(admin, "QF7"))[0] == (
        "Left",
        "leaver@example.test",
        "Viewer",
        tree["RP5"].name,
        "leaver@example.test",
    )


def test_roles_granted_outside_a_request_say_so(admin, tree, make_user):
    make_user("chair", tree["RP5"], email="loaded@example.test")
    page = people(admin, "QF7")
    assert history_rows(page)[0] == (
        "Granted",
        "loaded@example.test",
        "Chair (council chair, regional lead)",
        tree["RP5"].name,
        "",
    )
    assert "Not recorded (a command or data load)" in page.content.decode()


def test_a_sibling_sees_none_of_the_history_and_gets_404(admin, tree, make_user, client_for):
    person = make_user("viewer", tree["RHQ"], email="person@example.test")
    admin.post(f"/org/QF7/people/{person.memberships.get().pk}/revoke/")
    assert history_rows(people(admin, "QF7"))  # the QF7 admin sees it

    sibling = client_for("org_admin", tree["QWO"], email="admin@qwo.example.test")
    assert people(sibling, "QF7").status_code == 404
    seen = history_rows(people(sibling, "QWO"))
    assert all(row[1] not in ("person@example.test", "admin@qf7.example.test") for row in seen)
    assert all(row[3] == tree["QWO"].name for row in seen)  # only its own admin's role

    # below: the Sheffield admin sees Sheffield's history, not Doncaster's
    make_user("viewer", tree["RP5"], email="doncaster@example.test")
    below = client_for("org_admin", tree["QF7-SHE"])
    names = {row[3] for row in history_rows(people(below, "QF7-SHE"))}
    assert names <= {tree["QF7-SHE"].name, tree["RHQ"].name}
    assert "doncaster@example.test" not in {
        row[1] for row in history_rows(people(below, "QF7-SHE"))
    }


def test_the_history_takes_the_same_queries_however_long(
    admin, tree, make_user, django_assert_max_num_queries
):
    scope_paths(admin.user, "admin")  # the scope is read once per request, by every page
    for n in range(3):
        make_user("viewer", tree["RP5"], email=f"few{n}@example.test")
    with django_assert_max_num_queries(2):
        assert len(selectors.role_history(admin.user, tree["QF7"])) == 4  # and the admin's own
    for n in range(30):
        make_user("viewer", tree["RHQ"], email=f"many{n}@example.test")
    with django_assert_max_num_queries(2):
        assert len(selectors.role_history(admin.user, tree["QF7"], limit=20)) == 20


def test_invitations_are_logged_without_their_token(admin, tree):
    admin.post(
        reverse("councils:people", kwargs={"code": "QF7"}),
        {"email": "new@example.test", "organisation": tree["RP5"].pk, "role": "viewer"},
    )
    invitation = Invitation.objects.get(email="new@example.test")
    created = entries("invitation", LogEntry.Action.CREATE).get(object_pk=str(invitation.pk))
    assert created.actor == admin.user
    assert created.changes_dict["email"] == ["None", "new@example.test"]
    assert "token_hash" not in created.changes_dict


def test_api_tokens_are_logged_without_their_secret_or_each_use(client_for, tree):
    ApiToken = apps.get_model("councils", "ApiToken")
    analyst = client_for("analyst", tree["QF7"])
    expires = timezone.localdate() + dt.timedelta(days=30)
    response = analyst.post(
        reverse("api_tokens"), {"name": "Power BI", "expires_on": expires.isoformat()}, follow=True
    )
    secret = response.context["secret"]
    token = ApiToken.objects.get(user=analyst.user)
    created = entries("apitoken", LogEntry.Action.CREATE).get(object_pk=str(token.pk))
    assert created.actor == analyst.user
    assert "token_hash" not in created.changes_dict
    assert secret not in str(created.changes) and token.token_hash not in str(created.changes)

    api = analyst.__class__(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get("/api/v1/organisations/").status_code == 200
    assert entries("apitoken").count() == 1  # a use is not a change

    analyst.post(reverse("api_token_revoke", args=[token.pk]))
    revoked = entries("apitoken", LogEntry.Action.UPDATE).get(object_pk=str(token.pk))
    assert revoked.actor == analyst.user
    assert list(revoked.changes_dict) == ["revoked_at"]
