"""A recompute really runs through a Celery worker on Redis (not eagerly in-process)."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from ahpportal.celery import app
from dashboard import services
from dashboard.models import RecomputeRun
from tests.councils.test_celery_worker import REDIS_URL, _redis_up
from tests.dashboard.conftest import MARCH, figure


@pytest.fixture
def redis_worker():
    """As tests/councils/test_celery_worker.py's, with more time to stop: the worker's event
    loop can take a while to notice it should stop after a task that used the database."""
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "result_backend")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, result_backend=REDIS_URL)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=60):
            yield app
    finally:
        app.conf.update(saved)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_an_import_recompute_is_done_by_a_real_worker(redis_worker, workforce, tree):
    with transaction.atomic():
        run = services.request_recompute(provider_ids=[tree["RP5"].pk], months=[MARCH])
        assert run.status == RecomputeRun.Status.PENDING  # queued only after commit
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in (RecomputeRun.Status.SUCCEEDED, RecomputeRun.Status.FAILED):
            break
        time.sleep(0.2)
    assert run.status == RecomputeRun.Status.SUCCEEDED, run.error
    assert run.rows > 0
    assert figure(tree["RP5"], "job_plan_coverage").value == pytest.approx(50.0)
    assert figure(tree["ENG"], "job_plan_coverage").providers_total == 5
