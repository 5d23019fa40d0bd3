"""Leases on recompute runs: how a worker holds a run, and how a lost one is noticed.

A worker claims a run by raising its ``attempts`` (the attempt number is the lease's token) and
stamping ``heartbeat_at``; while the work goes on, a thread renews ``heartbeat_at`` every
``RECOMPUTE_HEARTBEAT_SECONDS`` on a connection of its own. A run "running" whose heartbeat is
older than ``RECOMPUTE_LEASE_SECONDS`` has lapsed: its worker was killed, hung or cut off from the
database, and the next worker takes it over (``services._claim``). The old worker, should it come
back, cannot commit over the new one: the commit checks the token under a row lock.

On SQLite (development, tasks in-process) the run's write transaction locks the whole database,
so no heartbeat can be written while it works: the lease there is the hard time limit.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, OperationalError, connection, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for a NOWAIT lock that is held


class LeaseLost(Exception):
    """Another worker took the run over: this attempt's work is rolled back."""


def lease() -> dt.timedelta:
    seconds = settings.RECOMPUTE_LEASE_SECONDS
    if connection.vendor == "sqlite":
        seconds = max(seconds, settings.RECOMPUTE_TIME_LIMIT)
    return dt.timedelta(seconds=seconds)


def last_sign_of_life(run) -> dt.datetime | None:
    return run.heartbeat_at or run.started_at


def lapses_at(run) -> dt.datetime | None:
    """When a running run's lease lapses (None for a run with no claim yet)."""
    last = last_sign_of_life(run)
    return None if last is None else last + lease()


def state(run, now: dt.datetime | None = None) -> str:
    """What a page says about the run: waiting, retrying, running, lapsed, succeeded, failed."""
    from .models import RecomputeRun

    now = now or timezone.now()
    if run.status == RecomputeRun.Status.PENDING:
        return "retrying" if run.attempts else "waiting"
    if run.status == RecomputeRun.Status.RUNNING:
        lapses = lapses_at(run)
        return "lapsed" if lapses is not None and lapses < now else "running"
    return run.status


def retry_delay(attempt: int) -> dt.timedelta:
    """How long after failed attempt ``attempt`` (1, 2, ...) the run is tried again. Tasks run
    in-process (no broker) retry at once: nothing would come back to them later."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return dt.timedelta(0)
    return dt.timedelta(seconds=settings.RECOMPUTE_RETRY_BACKOFF_SECONDS * 4 ** (attempt - 1))


def pause_for_tests() -> None:
    """Fault-injection tests only: wait before the commit so a test can kill the attempt."""
    if settings.RECOMPUTE_TEST_PAUSE_SECONDS:
        time.sleep(settings.RECOMPUTE_TEST_PAUSE_SECONDS)


class Heartbeat:
    """``with Heartbeat(run_id, attempt):`` renews the run's lease from a thread until the block
    ends. The thread stops by itself if the run is no longer this attempt's."""

    def __init__(self, run_id: int, attempt: int):
        self.run_id = run_id
        self.attempt = attempt
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self):
        if connection.vendor != "sqlite":
            self._thread = threading.Thread(
                target=self._beat, name=f"recompute-lease-{self.run_id}", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=settings.RECOMPUTE_HEARTBEAT_SECONDS + 5)
        return False

    def renew(self) -> bool:
        """One renewal; False when the run is no longer held by this attempt. A beat that finds
        the run's row locked is skipped (True), not waited for: the run's own transaction locks
        it to check the lease just before it commits, and that lock keeps the run this
        attempt's. (Waiting for it, the beat would find the run finished and report a lost
        lease, as every run longer than a beat did at England scale.)"""
        from .models import RecomputeRun

        mine = RecomputeRun.objects.filter(
            pk=self.run_id, attempts=self.attempt, status=RecomputeRun.Status.RUNNING
        )
        try:
            with transaction.atomic():
                held = mine.select_for_update(nowait=True, no_key=True).values_list("pk")
                return bool(list(held)) and bool(mine.update(heartbeat_at=timezone.now()))
        except OperationalError as error:
            if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
                return True
            raise  # e.g. the connection was lost: _beat reconnects next time

    def finished(self) -> bool:
        """Whether this attempt finished the run (its commit can come just before a beat)."""
        from .models import RecomputeRun

        return RecomputeRun.objects.filter(
            pk=self.run_id,
            attempts=self.attempt,
            status__in=(RecomputeRun.Status.SUCCEEDED, RecomputeRun.Status.FAILED),
        ).exists()

    def _beat(self):
        try:
            while not self._stop.wait(settings.RECOMPUTE_HEARTBEAT_SECONDS):
                try:
                    if not self.renew():
                        if not self.finished():  # a last beat just after the commit is not
                            logger.warning(  # a lost lease
                                "Recompute run %s attempt %s no longer holds its lease",
                                self.run_id,
                                self.attempt,
                            )
                        return
                except DatabaseError as error:  # renewed on a new connection next time
                    logger.warning("Lease of recompute run %s not renewed: %s", self.run_id, error)
                    connection.close()
        finally:
            connection.close()


@dataclass(frozen=True)
class Progress:
    """What the run page says about a run not finished yet."""

    state: str  # waiting, retrying, running, lapsed
    attempt: int  # the attempt running, or the next one
    max_attempts: int
    last_sign_of_life: dt.datetime | None
    # None when tasks run in the web process (no worker needed); else whether a worker
    # recorded a heartbeat in the last three WORKER_HEARTBEAT_SECONDS, and when it last did
    worker_running: bool | None
    worker_seen_at: dt.datetime | None


def progress(run, now: dt.datetime | None = None) -> Progress:
    """The run's state and whether any worker is there to do it (one query)."""
    from councils.models import Heartbeat

    now = now or timezone.now()
    running = seen = None
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        beat = Heartbeat.objects.filter(name="worker").first()
        seen = beat.at if beat else None
        recent = dt.timedelta(seconds=3 * settings.WORKER_HEARTBEAT_SECONDS)
        running = seen is not None and now - seen <= recent
    current = state(run, now)
    return Progress(
        state=current,
        attempt=run.attempts if current in ("running", "lapsed") else run.attempts + 1,
        max_attempts=settings.RECOMPUTE_MAX_ATTEMPTS,
        last_sign_of_life=last_sign_of_life(run),
        worker_running=running,
        worker_seen_at=seen,
    )
