"""Login, rate limiting, MFA for admins, health, demo data and deploy settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from councils.models import Body, Level, Organisation
from tests.conftest import celery_on_redis

ROOT = Path(__file__).resolve().parents[2]


def test_login_page_uses_email(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert 'type="email"' in response.content.decode()


def test_wrong_password_is_refused(client, make_user):
    make_user(email="p@example.test")
    response = client.post("/accounts/login/", {"login": "p@example.test", "password": "wrong"})
    assert response.status_code == 200
    assert "not correct" in response.content.decode()


def test_a_forgotten_password_is_reset_by_email(client, make_user, mailoutbox):
    import re

    make_user(email="p@example.test")
    response = client.post("/accounts/password/reset/", {"email": "p@example.test"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["p@example.test"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mailoutbox[0].body)
    assert link, mailoutbox[0].body
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": "a new long passphrase 42", "password2": "a new long passphrase 42"},
    )
    assert response.status_code == 302
    assert not client.login(email="p@example.test", password="correct horse battery")
    assert client.login(email="p@example.test", password="a new long passphrase 42")


def test_a_reset_for_an_unknown_email_says_nothing_about_accounts(client, db, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.test"})
    assert response.status_code == 302  # the same answer as for a known address
    assert all("password/reset/key" not in m.body for m in mailoutbox)


def test_repeated_failed_logins_are_rate_limited(client, make_user):
    make_user(email="p@example.test")
    for _ in range(5):
        client.post("/accounts/login/", {"login": "p@example.test", "password": "wrong"})
    # The sixth attempt is refused even with the right password.
    response = client.post(
        "/accounts/login/", {"login": "p@example.test", "password": "correct horse battery"}
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_up_is_closed(client, db):
    response = client.get("/accounts/signup/")
    assert "closed" in response.content.decode().lower()


def test_pages_need_login(client, tree):
    response = client.get("/org/QF7/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_admin_without_totp_must_set_it_up(client, make_user, tree):
    from allauth.mfa.models import Authenticator

    admin = make_user("org_admin", tree["QF7"])
    Authenticator.objects.filter(user=admin).delete()
    client.force_login(admin)
    response = client.get("/org/QF7/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/")


def test_viewer_is_not_asked_for_totp(client_for, tree):
    assert client_for("viewer", tree["QF7"]).get("/org/QF7/").status_code == 200


def test_healthz_reports_database_and_broker(client, tree):
    import datetime as dt

    from django.utils import timezone

    from dashboard.models import RecomputeRun

    # A healthy service has had its nightly full recompute (tests/ops/test_health.py).
    RecomputeRun.objects.create(
        organisation=tree["ENG"],
        kind=RecomputeRun.Kind.FULL,
        status=RecomputeRun.Status.SUCCEEDED,
        finished_at=timezone.now() - dt.timedelta(hours=2),
    )
    response = client.get("/healthz")
    assert response.status_code == 200
    data = response.json()
    assert data["database"] == "ok"
    assert data["broker"].startswith("not configured")


def test_healthz_reports_an_unreachable_broker(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    from ahpportal.celery import app

    # through the Celery app's own setting, with the broker pools an earlier test cached dropped
    # (a real-worker test before this one left a pool to the Redis that answers)
    with celery_on_redis(app, settings.CELERY_BROKER_URL):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_load_tree_builds_england(england_tree):
    levels = dict.fromkeys(Level.values, 0)
    for org in england_tree.values():
        levels[org.level] += 1
    assert levels["region"] == 7 and levels["ics"] == 42 and levels["place"] == 5
    syb = england_tree["QF7"]
    assert [c.name for c in syb.get_children()] == [
        "Barnsley",
        "Bassetlaw",
        "Doncaster",
        "Rotherham",
        "Sheffield",
    ]
    assert Body.objects.filter(kind="ics_council").count() == 42
    assert Body.objects.filter(kind="regional_board").count() == 7
    call_command("load_tree", verbosity=0)  # idempotent
    assert Organisation.objects.count() == len(england_tree)


def test_demo_refuses_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo")


def test_production_settings_pass_check_deploy():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-for-the-test",
        "DJANGO_ALLOWED_HOSTS": "ahp.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_a_weak_secret_key():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "short",
        "DJANGO_ALLOWED_HOSTS": "ahp.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
