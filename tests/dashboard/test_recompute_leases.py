"""Recompute runs held on a lease: a run lost with its worker is taken over and redone, a failed
attempt is tried again after a backoff and failed after the last, and an attempt that lost its
lease cannot commit. (The same faults on a real worker: test_worker_faults.py.)"""

import datetime as dt
import threading
from unittest import mock

import pytest
from django.db import connection
from django.db.models import F
from django.utils import timezone

from dashboard import compute, leases, services, tasks
from dashboard.models import RecomputeRun
from tests.dashboard.conftest import MARCH, figure, store_snapshot

AGO = dt.timedelta(hours=1)  # longer than any lease (on SQLite, the hard time limit)


@pytest.fixture
def backoff(settings):
    """Retries as with a broker: after RECOMPUTE_RETRY_BACKOFF_SECONDS, then four times that."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.RECOMPUTE_RETRY_BACKOFF_SECONDS = 30
    settings.RECOMPUTE_MAX_ATTEMPTS = 3


def _failing(message="worker lost", after=2):
    """``compute.execute`` that writes ``after`` statements, then raises (every time)."""
    real = compute.execute
    calls = []

    def execute(sql, params):
        calls.append(sql)
        if len(calls) % (after + 1) == 0:
            raise RuntimeError(message)
        return real(sql, params)

    return mock.patch.object(compute, "execute", side_effect=execute)


def _lost(tree, *, attempts=1, heartbeat_at=None, **fields):
    at = heartbeat_at or timezone.now() - AGO
    return RecomputeRun.objects.create(
        organisation=tree["RP5"],
        kind=RecomputeRun.Kind.INCREMENTAL,
        provider_ids=[tree["RP5"].pk],
        months=[MARCH.isoformat()],
        status=RecomputeRun.Status.RUNNING,
        attempts=attempts,
        started_at=at,
        heartbeat_at=at,
        **fields,
    )


def test_a_failed_attempt_keeps_the_previous_figures_and_is_tried_again_after_a_backoff(
    workforce, tree, backoff
):
    services.recompute_all()
    before = store_snapshot()
    with _failing():
        run = services.request_recompute(provider_ids=[tree["RP5"].pk], months=[MARCH])
        started = timezone.now()
        run = services.recompute(run=run)
    assert run.status == RecomputeRun.Status.PENDING
    assert (run.attempts, run.finished_at) == (1, None)
    assert "RuntimeError: worker lost" in run.error
    assert (
        started + dt.timedelta(seconds=29)
        < run.retry_at
        < timezone.now() + dt.timedelta(seconds=31)
    )
    assert store_snapshot() == before  # rolled back
    assert leases.state(run) == "retrying"
    assert services.run_pending() == []  # not before the retry is due
    RecomputeRun.objects.filter(pk=run.pk).update(retry_at=timezone.now())
    (done,) = services.run_pending()
    assert (done.pk, done.status, done.attempts) == (run.pk, RecomputeRun.Status.SUCCEEDED, 2)
    assert store_snapshot() == before


def test_after_the_last_attempt_the_run_is_failed_with_the_reason(workforce, tree, backoff):
    services.recompute_all()
    before = store_snapshot()
    run = services.request_recompute(provider_ids=[tree["RP5"].pk], months=[MARCH])
    delays = []
    with _failing("disk full"):
        for _ in range(3):
            now = timezone.now()
            run = services.recompute(run=run)
            if run.retry_at:
                delays.append(round((run.retry_at - now).total_seconds()))
                RecomputeRun.objects.filter(pk=run.pk).update(retry_at=timezone.now())
    assert delays == [30, 120]
    assert run.status == RecomputeRun.Status.FAILED
    assert run.attempts == 3 and run.finished_at is not None
    assert run.error == "RuntimeError: disk full (attempt 3 of 3)"
    assert services.run_pending() == []
    assert store_snapshot() == before


def test_a_run_whose_lease_lapsed_is_taken_over_and_redone(workforce, tree):
    lost = _lost(tree)
    assert leases.state(lost) == "lapsed"
    assert figure(tree["RP5"], "job_plan_coverage") is None
    (done,) = services.run_pending()
    assert (done.pk, done.status, done.attempts) == (lost.pk, RecomputeRun.Status.SUCCEEDED, 2)
    assert figure(tree["RP5"], "job_plan_coverage").value == pytest.approx(50.0)


def test_a_run_whose_lease_is_live_is_left_alone(workforce, tree):
    busy = _lost(tree, heartbeat_at=timezone.now())
    assert leases.state(busy) == "running"
    assert services.run_pending() == []
    with mock.patch.object(compute, "compute_by_provider") as work:
        assert services.recompute(run=busy).status == RecomputeRun.Status.RUNNING
    work.assert_not_called()
    busy.refresh_from_db()
    assert busy.attempts == 1


def test_a_lapsed_run_that_had_every_attempt_is_failed(workforce, tree, settings):
    settings.RECOMPUTE_MAX_ATTEMPTS = 3
    lost = _lost(tree, attempts=3)
    services.run_pending()
    lost.refresh_from_db()
    assert lost.status == RecomputeRun.Status.FAILED
    assert lost.error.startswith("The worker stopped before the run finished")
    assert "3 attempts" in lost.error


@pytest.mark.django_db(transaction=True)
def test_an_attempt_whose_run_was_taken_over_cannot_commit(workforce, tree):
    """A worker that stalled past its lease comes back after another worker claimed its run:
    its commit finds the run is no longer its attempt's and rolls back."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: on SQLite the run's transaction locks out any other writer")
    services.recompute_all()
    before = store_snapshot()
    with mock.patch.object(services, "enqueue"):
        run = services.request_recompute(provider_ids=[tree["RP5"].pk], months=None)

    def claim_elsewhere():
        try:
            RecomputeRun.objects.filter(pk=run.pk).update(
                attempts=F("attempts") + 1, heartbeat_at=timezone.now()
            )
        finally:
            connection.close()

    def taken_over():  # while this attempt stalled, another worker (connection) took the run
        other = threading.Thread(target=claim_elsewhere)
        other.start()
        other.join(20)

    with mock.patch.object(leases, "pause_for_tests", side_effect=taken_over):
        result = services.recompute(run=run)
    assert (result.status, result.attempts) == (RecomputeRun.Status.RUNNING, 2)
    assert store_snapshot() == before  # the stalled attempt's figures were rolled back


def test_how_long_a_message_waits_before_it_can_claim_the_run(tree, settings):
    settings.RECOMPUTE_LEASE_SECONDS = settings.RECOMPUTE_TIME_LIMIT = 60
    now = timezone.now()
    pending = RecomputeRun(status=RecomputeRun.Status.PENDING)
    assert services.wait_before_claim(pending, now=now) == 0
    pending.retry_at = now + dt.timedelta(seconds=20)
    assert services.wait_before_claim(pending, now=now) == 20
    held = RecomputeRun(status=RecomputeRun.Status.RUNNING, heartbeat_at=now - AGO / 120)
    assert services.wait_before_claim(held, now=now) == 30
    held.heartbeat_at = now - AGO
    assert services.wait_before_claim(held, now=now) == 0
    assert services.wait_before_claim(RecomputeRun(status="succeeded"), now=now) is None


def test_recover_runs_queues_each_lost_run_once(tree):
    now = timezone.now()
    never_queued = RecomputeRun.objects.create(organisation=tree["RP5"], kind="incremental")
    just_queued = RecomputeRun.objects.create(
        organisation=tree["RP5"], kind="incremental", queued_at=now
    )
    message_lost = RecomputeRun.objects.create(
        organisation=tree["RP5"], kind="incremental", queued_at=now - dt.timedelta(minutes=11)
    )
    retry_later = RecomputeRun.objects.create(
        organisation=tree["RP5"], kind="incremental", attempts=1, retry_at=now + AGO
    )
    lapsed = _lost(tree, queued_at=now - AGO - AGO)
    live = _lost(tree, heartbeat_at=now)
    with mock.patch.object(tasks.recompute_run, "apply_async") as send:
        queued = services.recover_runs()
        assert services.recover_runs() == []  # queued once
    assert queued == [never_queued.pk, message_lost.pk, lapsed.pk]
    assert [c.args[0] for c in send.call_args_list] == [(pk,) for pk in queued]
    for run in (just_queued, retry_later, live):
        assert run.pk not in queued


def test_a_task_for_a_finished_run_does_nothing(workforce, tree):
    run = services.request_recompute(provider_ids=[tree["RP5"].pk], months=[MARCH])
    assert tasks.recompute_run.apply(args=(run.pk,)).get() == RecomputeRun.Status.SUCCEEDED
    with mock.patch.object(services, "recompute") as work:
        assert tasks.recompute_run.apply(args=(run.pk,)).get() == RecomputeRun.Status.SUCCEEDED
    work.assert_not_called()


def test_a_process_names_its_database_connections_by_role():
    from ahpportal.settings import _process_role

    assert _process_role(["/app/.venv/bin/celery", "-A", "ahpportal", "worker", "-l", "INFO"]) == (
        "worker"
    )
    assert _process_role(["/usr/lib/python3/site-packages/celery/__main__.py", "beat"]) == "beat"
    assert _process_role(["/app/.venv/bin/gunicorn", "ahpportal.wsgi"]) == "web"
    assert _process_role(["manage.py", "worker"]) == "web"
