"""A recompute really runs through a Celery worker on Redis (not eagerly in-process)."""

import time

import pytest
from django.db import transaction

from dashboard import services
from dashboard.models import RecomputeRun
from tests.dashboard.conftest import MARCH, figure


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
