"""Personal API tokens: created on the account page and shown once, stored hashed, named,
expiring, revocable, with last use recorded; they stop working when the
analyst (or data manager) role goes."""

import datetime as dt
import hashlib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from councils.api_tokens import ApiToken
from councils.models import Membership
from tests.api.conftest import bearer_client

URL = "/api/v1/organisations/"


def _create(client, name="Power BI", days=90):
    expires = timezone.localdate() + dt.timedelta(days=days)
    return client.post(
        reverse("api_tokens"), {"name": name, "expires_on": expires.isoformat()}, follow=True
    )


def test_an_analyst_creates_a_token_that_is_shown_once_and_stored_hashed(client_for, tree):
    client = client_for("analyst", tree["QF7"])
    response = _create(client)
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("ahp_") and secret in response.content.decode()
    token = ApiToken.objects.get(user=client.user)
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {token.token_hash, token.prefix, token.name}
    assert response.redirect_chain == [(reverse("api_tokens"), 302)]  # a reload never re-posts
    again = client.get(reverse("api_tokens"))
    assert secret not in again.content.decode()
    assert ApiToken.objects.filter(user=client.user).count() == 1
    assert "Power BI" in again.content.decode() and token.prefix in again.content.decode()
    assert again["Cache-Control"].startswith("max-age=0") or "no-cache" in again["Cache-Control"]


def test_the_token_reads_the_api_and_records_its_last_use(client_for, tree):
    client = client_for("analyst", tree["QF7"])
    secret = _create(client).context["secret"]
    assert ApiToken.objects.get().last_used_at is None
    response = bearer_client(secret).get(URL)
    assert response.status_code == 200
    assert [o["code"] for o in response.json()["results"]][0] == "QF7"
    assert ApiToken.objects.get().last_used_at is not None
    assert "Never" not in client.get(reverse("api_tokens")).content.decode()


@pytest.mark.parametrize(
    ("days", "message"),
    [(0, "must be in the future"), (-3, "must be in the future"), (366, "within a year")],
)
def test_the_expiry_is_required_and_at_most_a_year(client_for, tree, days, message):
    client = client_for("analyst", tree["QF7"])
    response = _create(client, days=days)
    assert message in response.content.decode()
    assert not ApiToken.objects.exists()
    missing = client.post(reverse("api_tokens"), {"name": "No date"})
    assert "required" in missing.content.decode()
    assert not ApiToken.objects.exists()


def test_only_analysts_and_data_managers_may_create_tokens(client_for, tree):
    client = client_for(["chair", "viewer", "respondent", "org_admin"], tree["QF7"])
    page = client.get(reverse("api_tokens"))
    assert "for people who hold the analyst or data manager role" in page.content.decode()
    assert b"Create token" not in page.content
    assert _create(client).status_code == 403
    assert not ApiToken.objects.exists()


def test_an_expired_token_gets_401_problem(token_for, tree):
    client = token_for("analyst", tree["QF7"])
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "expired" in response.json()["detail"]


def test_a_revoked_token_stops_working_at_once(token_for, tree):
    client = token_for("analyst", tree["QF7"])
    assert client.get(URL).status_code == 200
    page_client = __import__("django.test", fromlist=["Client"]).Client()
    page_client.force_login(client.user)
    response = page_client.post(reverse("api_token_revoke", args=[client.token.pk]))
    assert response.status_code == 302
    assert ApiToken.objects.get().status == "Revoked"
    assert client.get(URL).status_code == 401


def test_nobody_can_revoke_someone_elses_token(token_for, client_for, tree):
    victim = token_for("analyst", tree["QF7"])
    other = client_for("analyst", tree["QF7"])
    response = other.post(reverse("api_token_revoke", args=[victim.token.pk]))
    assert response.status_code == 404
    assert victim.get(URL).status_code == 200


def test_removing_the_analyst_role_stops_the_token_at_once(token_for, tree):
    client = token_for("analyst", tree["QF7"])
    assert client.get(URL).status_code == 200
    Membership.objects.filter(user=client.user).delete()
    response = client.get(URL)
    assert response.status_code == 401
    assert "no longer holds the analyst or data manager role" in response.json()["detail"]


def test_a_token_of_a_deactivated_user_stops_working(token_for, tree):
    client = token_for("analyst", tree["QF7"])
    client.user.is_active = False
    client.user.save()
    assert client.get(URL).status_code == 401


@pytest.mark.parametrize(
    "header", ["Bearer nonsense", "Bearer ahp_wrong", "Bearer a b", "Token abc", ""]
)
def test_bad_or_missing_credentials_get_401_problem(db, header):
    from rest_framework.test import APIClient

    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(URL)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= {"type", "title", "status", "detail"} and body["status"] == 401


def test_the_expiry_default_is_rendered_in_the_day_month_year_boxes(client_for, tree):
    page = client_for("analyst", tree["QF7"]).get(reverse("api_tokens"))
    default = timezone.localdate() + dt.timedelta(days=90)
    html = page.content.decode()
    # NHS.UK's date input: three boxes, each holding its part of the default date
    assert f'name="expires_on_day" value="{default.day}"' in html
    assert f'name="expires_on_month" value="{default.month}"' in html
    assert f'name="expires_on_year" value="{default.year}"' in html
    assert default.strftime("%d/%m/%Y") not in html


def test_an_invalid_expiry_is_shown_back_as_typed(client_for, tree):
    client = client_for("analyst", tree["QF7"])
    response = client.post(
        reverse("api_tokens"),
        {"name": "R", "expires_on_day": "1", "expires_on_month": "1", "expires_on_year": "2020"},
    )
    html = response.content.decode()
    assert re.search(r'name="expires_on_day" value="0?1"', html)
    assert 'name="expires_on_year" value="2020"' in html
    assert not ApiToken.objects.exists()
