"""The run page tells the truth about a run not finished: a lapsed lease, a retry coming, and
no worker there to do it."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from councils.health import heartbeat_record
from dashboard.models import RecomputeRun


def _page(client, run):
    url = reverse("dashboard:run_status", kwargs={"code": run.organisation.code, "pk": run.pk})
    return client.get(url).content.decode()


def _chair(client_for, tree):
    return client_for("chair", tree["QF7"])


def test_a_run_whose_worker_stopped_responding_says_it_will_be_taken_over(tree, client_for):
    long_ago = timezone.now() - dt.timedelta(hours=1)
    run = RecomputeRun.objects.create(
        organisation=tree["QF7"],
        kind="on_demand",
        status="running",
        attempts=1,
        started_at=long_ago,
        heartbeat_at=long_ago,
    )
    text = _page(_chair(client_for, tree), run)
    assert "Stopped responding" in text
    assert "last reported 1\xa0hour ago" in text
    assert "Another worker takes the recompute over and does it again from the start" in text
    assert 'http-equiv="refresh"' in text


def test_a_failed_attempt_says_when_the_next_one_starts(tree, client_for):
    run = RecomputeRun.objects.create(
        organisation=tree["QF7"],
        kind="on_demand",
        status="pending",
        attempts=1,
        retry_at=timezone.now() + dt.timedelta(seconds=30),
        error="OperationalError: terminating connection due to administrator command",
    )
    text = _page(_chair(client_for, tree), run)
    assert "Trying again" in text
    assert "Attempt 1 failed and was rolled back. Attempt 2 of 3 starts at" in text
    assert "terminating connection due to administrator command" in text


def test_the_page_says_when_no_worker_is_running(
    tree, client_for, settings, django_assert_max_num_queries
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # a broker is configured: a worker is needed
    settings.WORKER_HEARTBEAT_SECONDS = 30
    client = _chair(client_for, tree)
    run = RecomputeRun.objects.create(organisation=tree["QF7"], kind="on_demand")
    with django_assert_max_num_queries(12):
        text = _page(client, run)
    assert "No worker is running" in text and "No background worker has reported in yet" in text
    heartbeat_record("worker", at=timezone.now() - dt.timedelta(minutes=5))
    text = _page(client, run)
    assert "No worker is running" in text and "(5\xa0minutes ago)" in text
    heartbeat_record("worker")
    assert "No worker is running" not in _page(client, run)


def test_in_process_tasks_need_no_worker(tree, client_for):
    run = RecomputeRun.objects.create(organisation=tree["QF7"], kind="on_demand")
    assert "No worker is running" not in _page(_chair(client_for, tree), run)
