"""Organisation admins invite people within their scope; bad invitations change nothing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from councils.models import Invitation, Membership, User


@pytest.fixture
def admin_client(client_for, tree):
    return client_for("org_admin", tree["QF7"])


def _invite(admin_client, org, role="respondent", email="new@example.test"):
    return admin_client.post(
        f"/org/{org.code}/people/",
        {"email": email, "organisation": org.pk, "role": role},
    )


def _token_from_email():
    body = mail.outbox[-1].body
    return body.split("/invitations/")[1].split("/")[0]


def test_admin_invites_within_scope_and_email_is_sent(
    admin_client, tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(admin_client, tree["RP5"])
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.organisation == tree["RP5"] and invitation.role == "respondent"
    assert mail.outbox[-1].to == ["new@example.test"]
    assert "Respondent" in mail.outbox[-1].subject
    assert len(invitation.token_hash) == 64  # only the hash is stored
    assert _token_from_email() not in invitation.token_hash


def test_invitation_above_the_inviters_scope_is_refused(admin_client, tree):
    # QF7's admin picks the region above: not on the list, so the form says so.
    response = admin_client.post(
        "/org/QF7/people/",
        {"email": "new@example.test", "organisation": tree["Y63"].pk, "role": "viewer"},
    )
    assert response.status_code == 200
    assert "Select organisation from the list" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_people_page_of_an_organisation_above_is_404(admin_client, tree):
    assert admin_client.get(f"/org/{tree['Y63'].code}/people/").status_code == 404
    response = _invite(admin_client, tree["Y63"]).status_code
    assert response == 404


def test_viewer_cannot_invite(client_for, tree):
    viewer = client_for("viewer", tree["QF7"])
    assert viewer.get("/org/QF7/people/").status_code == 404


def test_new_person_accepts_and_gets_the_role(
    admin_client, tree, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin_client, tree["RP5"])
    token = _token_from_email()
    page = client.get(f"/invitations/{token}/")
    assert "Create account and accept" in page.content.decode()
    response = client.post(
        f"/invitations/{token}/",
        {"password1": "a long pass phrase 42", "password2": "a long pass phrase 42"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.test")
    assert list(user.memberships.values_list("organisation__code", "role")) == [
        ("RP5", "respondent")
    ]
    assert client.get("/org/RP5/").status_code == 200
    # The link cannot be used twice.
    again = client.get(f"/invitations/{token}/")
    assert again.status_code == 410
    assert "already been used" in again.content.decode()


def test_expired_invitation_gets_a_clear_page_and_changes_nothing(
    admin_client, tree, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin_client, tree["RP5"])
    token = _token_from_email()
    Invitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.post(f"/invitations/{token}/", {"password1": "x" * 20, "password2": "x" * 20})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not User.objects.filter(email="new@example.test").exists()


def test_unknown_token_is_refused(client, db):
    response = client.get("/invitations/not-a-real-token/")
    assert response.status_code == 410
    assert "not valid" in response.content.decode()


def test_mismatched_passwords_keep_the_form(
    admin_client, tree, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(admin_client, tree["RP5"])
    token = _token_from_email()
    response = client.post(
        f"/invitations/{token}/", {"password1": "a long pass phrase 42", "password2": "other"}
    )
    assert response.status_code == 200
    assert "do not match" in response.content.decode()
    assert Membership.objects.filter(user__email="new@example.test").count() == 0


def test_user_leaves_their_own_role_but_not_someone_elses(client_for, make_user, tree):
    c = client_for("viewer", tree["RP5"])
    other = make_user("viewer", tree["RP5"])
    theirs = other.memberships.get()
    assert c.post(f"/account/roles/{theirs.pk}/leave/").status_code == 404
    mine = c.user.memberships.get()
    assert c.post(f"/account/roles/{mine.pk}/leave/").status_code == 302
    assert not c.user.memberships.exists()
    assert c.get("/org/RP5/").status_code == 404


def test_admin_revokes_a_role_in_scope(admin_client, make_user, tree):
    person = make_user("viewer", tree["RHQ"])
    membership = person.memberships.get()
    assert admin_client.post(f"/org/QF7/people/{membership.pk}/revoke/").status_code == 302
    assert not person.memberships.exists()
