"""The recompute's lease heartbeat (dashboard.leases.Heartbeat.renew) against a second
connection, as a worker's heartbeat thread meets the run's own transaction (PostgreSQL: on
SQLite runs take no lease thread)."""

import threading

import pytest
from django.db import connection, transaction

from dashboard import leases
from dashboard.models import RecomputeRun

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the lease thread runs on PostgreSQL only"
    ),
]


def _renew_from_another_connection(run_id: int, attempt: int) -> tuple[bool, float]:
    """``renew()`` in a thread (its own connection), as the heartbeat calls it."""
    import time

    out = {}

    def beat():
        try:
            start = time.perf_counter()
            out["held"] = leases.Heartbeat(run_id, attempt).renew()
            out["seconds"] = time.perf_counter() - start
        finally:
            connection.close()

    thread = threading.Thread(target=beat)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the beat waited for the run's lock"
    return out["held"], out["seconds"]


@pytest.fixture
def run(tree):
    return RecomputeRun.objects.create(
        organisation=tree["ENG"], kind="full", status=RecomputeRun.Status.RUNNING, attempts=1
    )


def test_a_beat_renews_a_running_attempts_lease(run):
    held, _ = _renew_from_another_connection(run.pk, 1)
    run.refresh_from_db()
    assert held and run.heartbeat_at is not None


def test_a_beat_while_the_run_checks_its_lease_to_commit_is_skipped_not_waited_for(run):
    with transaction.atomic():  # the run's own transaction, at its commit check
        list(RecomputeRun.objects.select_for_update().filter(pk=run.pk))
        held, seconds = _renew_from_another_connection(run.pk, 1)
    assert held and seconds < 5  # skipped at once: the lock keeps the run this attempt's


def test_a_beat_after_another_attempt_took_the_run_reports_the_lease_lost(run):
    RecomputeRun.objects.filter(pk=run.pk).update(attempts=2)
    assert _renew_from_another_connection(run.pk, 1)[0] is False
    RecomputeRun.objects.filter(pk=run.pk).update(status=RecomputeRun.Status.SUCCEEDED)
    assert _renew_from_another_connection(run.pk, 2)[0] is False


def test_a_last_beat_just_after_the_attempt_committed_is_not_a_lost_lease(run):
    beat = leases.Heartbeat(run.pk, 1)
    assert not beat.finished()  # running: a failed renewal would be a lost lease
    RecomputeRun.objects.filter(pk=run.pk).update(status=RecomputeRun.Status.SUCCEEDED)
    assert _renew_from_another_connection(run.pk, 1)[0] is False  # no lease to renew ...
    assert beat.finished()  # ... because this attempt finished it: nothing is logged
    RecomputeRun.objects.filter(pk=run.pk).update(attempts=2)
    assert not beat.finished()  # another attempt's run: the lease was lost
