"""Two-factor is enforced on the API too: an organisation admin or superuser who has not set it
up gets a 403 problem and no data, through the session cookie or an API token."""

from allauth.mfa.models import Authenticator
from django.test import Client

MFA_DETAIL_START = "Set up two-factor authentication before using the API"


def _without_totp(user):
    Authenticator.objects.filter(user=user).delete()
    return user


def assert_mfa_problem(response):
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 403
    assert body["detail"].startswith(MFA_DETAIL_START)
    assert body["mfa_setup_url"] == "/accounts/2fa/totp/activate/"
    assert "results" not in body


def test_an_admin_without_totp_gets_no_api_data_through_the_session(make_user, tree):
    admin = _without_totp(make_user("org_admin", tree["QF7"]))
    client = Client()
    client.force_login(admin)
    for url in ("/api/v1/", "/api/v1/organisations/", f"/api/v1/organisations/{tree['QF7'].pk}/"):
        assert_mfa_problem(client.get(url))


def test_a_superuser_without_totp_gets_no_api_data(make_user, tree):
    superuser = _without_totp(make_user(is_superuser=True, is_staff=True))
    client = Client()
    client.force_login(superuser)
    assert_mfa_problem(client.get("/api/v1/metric-values/"))


def test_an_admin_without_totp_gets_no_api_data_with_a_token(token_for, tree):
    client = token_for(["analyst", "org_admin"], tree["QF7"])
    assert client.get("/api/v1/organisations/").status_code == 200  # with TOTP set up
    _without_totp(client.user)
    assert_mfa_problem(client.get("/api/v1/organisations/"))
    assert_mfa_problem(client.get("/api/v1/metric-values/", {"format": "csv"}))


def test_an_admin_with_totp_and_other_roles_are_unaffected(make_user, token_for, tree):
    admin = make_user("org_admin", tree["QF7"])  # make_user sets TOTP up for admins
    client = Client()
    client.force_login(admin)
    assert client.get("/api/v1/organisations/").status_code == 200
    assert token_for("analyst", tree["QF7"]).get("/api/v1/organisations/").status_code == 200
    viewer = make_user("viewer", tree["QF7"])
    client.force_login(viewer)
    assert client.get("/api/v1/organisations/").status_code == 200


def test_pages_still_send_the_admin_to_set_up_totp(make_user, tree):
    admin = _without_totp(make_user("org_admin", tree["QF7"]))
    client = Client()
    client.force_login(admin)
    response = client.get("/org/QF7/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/?required=1"
    health = client.get("/healthz")  # service status stays reachable: JSON, not a redirect
    assert health["Content-Type"] == "application/json" and "database" in health.json()
    assert client.get("/status/").status_code == 200
