"""/healthz (JSON for monitors) and /status/ (a page for people): the database, the broker, a
worker heartbeat and the age of the last nightly full recompute (degraded past 26 hours)."""

import datetime as dt

import pytest
from django.utils import timezone

from councils import health
from councils.models import Heartbeat
from councils.tasks import worker_heartbeat
from dashboard.models import RecomputeRun


def full_run(tree, *, hours_ago: float, status=RecomputeRun.Status.SUCCEEDED):
    finished = timezone.now() - dt.timedelta(hours=hours_ago)
    return RecomputeRun.objects.create(
        organisation=tree["ENG"],
        kind=RecomputeRun.Kind.FULL,
        status=status,
        started_at=finished - dt.timedelta(minutes=2),
        finished_at=finished,
    )


@pytest.fixture
def broker_configured(settings):
    # Only the worker check reads the setting here; the broker check is tested on its own.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/10"


def test_healthz_is_ok_after_a_recent_nightly_recompute(client, tree):
    full_run(tree, hours_ago=3)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"].startswith("not configured")
    assert body["worker"].startswith("not needed")
    assert body["nightly_recompute"]["status"] == "ok"
    assert 3 * 3600 - 60 <= body["nightly_recompute"]["age_seconds"] <= 3 * 3600 + 60


def test_healthz_is_degraded_when_the_nightly_recompute_is_older_than_26_hours(client, tree):
    full_run(tree, hours_ago=27)
    full_run(tree, hours_ago=1, status=RecomputeRun.Status.FAILED)  # last night's failed
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["nightly_recompute"]["status"] == "error: older than 26 hours"
    assert body["nightly_recompute"]["age_seconds"] >= 27 * 3600 - 60


def test_healthz_is_degraded_before_any_full_recompute(client, tree):
    RecomputeRun.objects.create(
        organisation=tree["QF7"],
        kind=RecomputeRun.Kind.INCREMENTAL,
        status=RecomputeRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
    )
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["nightly_recompute"] == "error: never finished"


def test_the_worker_check_wants_a_heartbeat_in_the_last_five_minutes(db, broker_configured):
    now = timezone.now()
    assert health.check_worker(now).detail == "error: no heartbeat yet"
    Heartbeat.objects.create(name="worker", at=now - dt.timedelta(minutes=6))
    stale = health.check_worker(now)
    assert not stale.ok and stale.detail == "error: heartbeat too old"
    assert "6 minutes ago" in stale.explanation
    worker_heartbeat()  # what beat queues every minute
    fresh = health.check_worker(timezone.now())
    assert fresh.ok and fresh.age_seconds < 5


def test_healthz_reports_the_worker_heartbeat_when_a_broker_is_configured(
    client, tree, broker_configured, monkeypatch
):
    monkeypatch.setattr(
        health, "check_broker", lambda: health.Check("broker", "Task queue", True, "ok", "")
    )
    full_run(tree, hours_ago=1)
    assert client.get("/healthz").json()["worker"] == "error: no heartbeat yet"
    worker_heartbeat()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"]["status"] == "ok"


def test_beat_queues_the_heartbeat_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["worker-heartbeat"]
    assert entry == {"task": "councils.tasks.worker_heartbeat", "schedule": 60.0}


def test_the_status_page_explains_each_check_in_the_nhs_layout(client, tree):
    full_run(tree, hours_ago=30)
    response = client.get("/status/")
    assert response.status_code == 200  # the page works; /healthz is for monitors
    html = response.content.decode()
    assert '<h1 class="nhsuk-heading-xl">Service status</h1>' in html
    assert "Part of AHP Portal is not working as it should" in html
    for label in ("Database", "Task queue", "Background worker", "Nightly recompute"):
        assert label in html
    assert "last night&#x27;s did not finish" in html or "last night's did not finish" in html
    assert 'nhsuk-tag--red">Problem' in html


def test_the_footer_links_to_the_status_page(client, tree):
    full_run(tree, hours_ago=1)
    html = client.get("/status/").content.decode()
    assert "AHP Portal is working normally." in html
    assert '<a class="nhsuk-footer__list-item-link" href="/status/">Service status</a>' in html
