"""The service's health, for /healthz (JSON, for monitors) and /status/ (a page for people).

Four checks: the database answers; the broker answers (when one is configured); a Celery worker
ran the heartbeat task recently (beat queues it every minute); the last nightly full recompute of
the dashboard finished less than 26 hours ago. Any failing check makes the service "degraded".
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

WORKER_STALE_AFTER = dt.timedelta(minutes=5)
RECOMPUTE_STALE_AFTER = dt.timedelta(hours=26)


@dataclass(frozen=True)
class Check:
    name: str  # the key in /healthz
    label: str  # the heading on /status/
    ok: bool
    detail: str  # what /healthz reports: "ok", "not configured ...", "error: ..."
    explanation: str  # a sentence for people
    at: dt.datetime | None = None
    age_seconds: int | None = None

    def as_json(self):
        if self.at is None and self.age_seconds is None:
            return self.detail
        return {
            "status": self.detail,
            "at": self.at.isoformat() if self.at else None,
            "age_seconds": self.age_seconds,
        }


def _age(at, now) -> int:
    return int((now - at).total_seconds())


def _hours(seconds: int) -> str:
    hours = seconds / 3600
    return f"{hours:.1f} hours" if hours >= 1 else f"{seconds // 60} minutes"


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as error:  # noqa: BLE001 - report any database failure
        return Check(
            "database",
            "Database",
            False,
            f"error: {error.__class__.__name__}",
            "The database does not answer: pages and the API cannot work.",
        )
    return Check("database", "Database", True, "ok", "The database answers.")


def check_broker() -> Check:
    if not settings.CELERY_BROKER_URL:
        return Check(
            "broker",
            "Task queue",
            True,
            "not configured (tasks run in-process)",
            "No task queue is configured: background work runs inside the web server.",
        )
    from ahpportal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        return Check(
            "broker",
            "Task queue",
            False,
            f"error: {error.__class__.__name__}",
            "The task queue (Redis) does not answer: imports, recomputes and emails wait until "
            "it is back, then run.",
        )
    return Check("broker", "Task queue", True, "ok", "The task queue (Redis) answers.")


def check_worker(now) -> Check:
    if not settings.CELERY_BROKER_URL:
        return Check(
            "worker",
            "Background worker",
            True,
            "not needed (tasks run in-process)",
            "Background work runs inside the web server, so no worker is needed.",
        )
    from .models import Heartbeat

    beat = Heartbeat.objects.filter(name="worker").first()
    if beat is None:
        return Check(
            "worker",
            "Background worker",
            False,
            "error: no heartbeat yet",
            "No background worker has reported in: imports, recomputes and emails are not "
            "being done.",
        )
    age = _age(beat.at, now)
    if now - beat.at > WORKER_STALE_AFTER:
        return Check(
            "worker",
            "Background worker",
            False,
            "error: heartbeat too old",
            f"The background worker last reported {_hours(age)} ago: imports, recomputes and "
            "emails may be waiting.",
            beat.at,
            age,
        )
    return Check(
        "worker",
        "Background worker",
        True,
        "ok",
        "The background worker reported in during the last few minutes.",
        beat.at,
        age,
    )


def check_nightly_recompute(now) -> Check:
    from dashboard.models import RecomputeRun

    last = (
        RecomputeRun.objects.filter(
            kind=RecomputeRun.Kind.FULL, status=RecomputeRun.Status.SUCCEEDED
        )
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    label = "Nightly recompute of the dashboard"
    if last is None:
        return Check(
            "nightly_recompute",
            label,
            False,
            "error: never finished",
            "No full recompute of the dashboard has finished yet; one runs every night at 02:30.",
        )
    age = _age(last, now)
    if now - last > RECOMPUTE_STALE_AFTER:
        return Check(
            "nightly_recompute",
            label,
            False,
            "error: older than 26 hours",
            f"The last full recompute finished {_hours(age)} ago: last night's did not finish. "
            "Figures after each import are still updated.",
            last,
            age,
        )
    return Check(
        "nightly_recompute",
        label,
        True,
        "ok",
        f"The last full recompute finished {_hours(age)} ago.",
        last,
        age,
    )


def service_checks(*, now=None) -> list[Check]:
    now = now or timezone.now()
    database = check_database()
    checks = [database, check_broker()]
    if database.ok:  # the others read the database
        checks += [check_worker(now), check_nightly_recompute(now)]
    return checks


def heartbeat_record(name: str, *, at=None) -> None:
    from .models import Heartbeat

    Heartbeat.objects.update_or_create(name=name, defaults={"at": at or timezone.now()})
