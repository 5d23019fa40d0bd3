"""Faults injected into a real worker on PostgreSQL and Redis: the worker killed with SIGKILL
mid-run (whole worker, or only its pool process), and its database connections terminated
mid-run. After each, the run finishes within a minute with no manual step, and the store equals a
clean full recompute.

The worker is a `celery worker` subprocess on this test's database and Redis database, with a
short lease (RECOMPUTE_LEASE_SECONDS=4) and each attempt pausing before it commits
(RECOMPUTE_TEST_PAUSE_SECONDS) so the fault lands while the run's figures are written but not
committed. Needs PostgreSQL (the CI PostgreSQL stage; skipped on SQLite) and Redis (skipped
without it, failing under CI).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction

from councils.models import Heartbeat
from dashboard import services
from dashboard.models import RecomputeRun
from tests.conftest import _redis_up, celery_on_redis, redis_url_for
from tests.dashboard.conftest import MARCH, store_snapshot

PAUSE = 4  # seconds each attempt waits, figures written, before it commits
WORKER_ENV = {
    "RECOMPUTE_LEASE_SECONDS": "4",
    "RECOMPUTE_HEARTBEAT_SECONDS": "1",
    "RECOMPUTE_RETRY_BACKOFF_SECONDS": "1",
    "RECOMPUTE_TEST_PAUSE_SECONDS": str(PAUSE),
    "WORKER_HEARTBEAT_SECONDS": "1",
    "DJANGO_DEBUG": "1",
}
RECOVERED_WITHIN = 60  # seconds from the fault to the run's success


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s: {what}")


class Workers:
    """`celery worker` subprocesses (one pool process each), stopped at the end."""

    def __init__(self, env: dict, logs: Path):
        self.env = env
        self.logs = logs
        self.procs: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        Heartbeat.objects.filter(name="worker").delete()
        n = len(self.procs)
        log = open(self.logs / f"worker{n}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "ahpportal", "worker", "--pool=prefork"]
            + ["--concurrency=1", "--loglevel=INFO", f"--hostname=fault{n}@%h"]
            + ["--without-mingle", "--without-gossip"],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        _wait_for(
            lambda: proc.poll() is None and Heartbeat.objects.filter(name="worker").exists(),
            90,
            f"worker {n} ready (log: {self.log_tail(n)})",
        )
        return proc

    def log_tail(self, n: int) -> str:
        path = self.logs / f"worker{n}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    @staticmethod
    def pool_child(proc) -> int:
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
        assert children, "the worker has no pool process"
        return int(children[0])

    def kill(self, proc, sig=signal.SIGKILL):
        os.killpg(proc.pid, sig)
        proc.wait(20)

    def stop_all(self):
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)


@pytest.fixture
def workers(transactional_db, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the worker fault tests need PostgreSQL (CI's PostgreSQL stage runs them)")
    url = redis_url_for(os.environ.get("PYTEST_XDIST_WORKER", "master"))
    if not _redis_up(url):
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not running at {url}")
        pytest.skip(f"Redis is not running at {url}")
    import redis

    from ahpportal.celery import app

    queue = redis.Redis.from_url(url)
    queue.flushdb()
    env = {**os.environ, **WORKER_ENV, "DATABASE_URL": _database_url(), "CELERY_BROKER_URL": url}
    env.pop("AHP_PROCESS_ROLE", None)  # the worker names its connections itself
    pool = Workers(env, tmp_path)
    try:
        with celery_on_redis(app, url):
            yield pool
    finally:
        pool.stop_all()
        queue.flushdb()


def _start_a_recompute(tree, data) -> RecomputeRun:
    """Figures in the store for the data as it was; then an import's recompute, queued to the
    worker, which is caught mid-run: its figures written, not committed."""
    services.recompute_all()
    data.activity(tree["RXE"], MARCH, contacts=40, dna=10)
    with transaction.atomic():
        run = services.request_recompute(provider_ids=[tree["RXE"].pk], months=[MARCH])
    _wait_for(
        lambda: RecomputeRun.objects.filter(pk=run.pk, status="running", attempts=1).exists(),
        30,
        "the worker started the run",
    )
    time.sleep(PAUSE / 2)  # its figures are written; it waits to commit
    return run


def _assert_recovered(run: RecomputeRun, workers: Workers):
    faulted = time.monotonic()
    _wait_for(
        lambda: RecomputeRun.objects.filter(pk=run.pk, status__in=services.FINISHED).exists(),
        RECOVERED_WITHIN,
        "the run finished after the fault (worker logs: "
        + " | ".join(workers.log_tail(n) for n in range(len(workers.procs)))
        + ")",
    )
    run.refresh_from_db()
    assert run.status == RecomputeRun.Status.SUCCEEDED, run.error
    assert run.attempts == 2
    assert time.monotonic() - faulted < RECOVERED_WITHIN
    recovered = store_snapshot()
    services.recompute_all()  # a clean full recompute, in this process
    assert store_snapshot() == recovered


@pytest.mark.celery_worker
def test_a_worker_killed_mid_run_is_replaced_and_the_run_redone(workers, workforce, tree, data):
    first = workers.start()
    run = _start_a_recompute(tree, data)
    workers.kill(first)  # kill -9 of the worker and its pool process
    run.refresh_from_db()
    assert run.status == RecomputeRun.Status.RUNNING  # nothing committed
    workers.start()  # e.g. compose restarting it: its start-up check takes the run over
    _assert_recovered(run, workers)


@pytest.mark.celery_worker
def test_a_pool_process_killed_mid_run_is_redelivered_and_redone(workers, workforce, tree, data):
    worker = workers.start()
    run = _start_a_recompute(tree, data)
    os.kill(workers.pool_child(worker), signal.SIGKILL)  # the worker stays up
    _assert_recovered(run, workers)


@pytest.mark.celery_worker
def test_a_terminated_database_connection_fails_the_attempt_and_it_is_retried(
    workers, workforce, tree, data
):
    workers.start()
    run = _start_a_recompute(tree, data)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s"
            " AND datname = current_database() AND pid <> pg_backend_pid()",
            ["worker"],
        )
        assert cursor.fetchall(), "no connection named 'worker' to terminate"
    _assert_recovered(run, workers)
