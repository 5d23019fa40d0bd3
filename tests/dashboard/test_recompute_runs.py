"""Recompute runs: recorded, idempotent, incremental, atomic, safe to overlap, and they survive a
broker outage (a lost worker and failed attempts: test_recompute_leases.py)."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone
from kombu.exceptions import OperationalError

from dashboard import compute, compute_months, services
from dashboard.models import MetricValue, RecomputeRun
from tests.dashboard.conftest import MARCH, d, figure, store_snapshot

FEBRUARY = dt.date(2025, 2, 1)


@pytest.fixture
def two_months(workforce, tree, data):
    """The worked example plus February activity at RP5 and RR8 (another ICS)."""
    data.activity(tree["RP5"], FEBRUARY, contacts=100, dna=25)
    data.activity(tree["RR8"], MARCH, contacts=300, dna=0)
    data.staff(tree["RR8"], band="5", start=d("2023-01-01"), job_plan=True)
    return workforce


def test_a_run_is_recorded_with_scope_timing_rows_and_outcome(two_months, tree):
    run = services.recompute_all()
    assert run.status == RecomputeRun.Status.SUCCEEDED
    assert run.kind == RecomputeRun.Kind.FULL
    assert run.organisation == tree["ENG"]
    assert run.started_at <= run.finished_at
    assert run.rows == MetricValue.objects.count() > 0
    assert run.error == ""


def test_running_twice_gives_the_same_figures(two_months):
    services.recompute_all()
    first = store_snapshot()
    services.recompute_all()
    assert store_snapshot() == first
    # and an incremental run over everything changes nothing either
    run = services.request_recompute(provider_ids=None, months=None)
    services.recompute(run=run)
    assert store_snapshot() == first


def test_an_import_recomputes_only_its_providers_months_and_ancestors(
    two_months, tree, data, django_capture_on_commit_callbacks
):
    services.recompute_all()
    before = {
        (v.organisation.code, v.month): v.computed_at
        for v in MetricValue.objects.select_related("organisation")
    }
    ids_before = dict(MetricValue.objects.values_list("id", "computed_at"))
    data.activity(tree["RXE"], MARCH, contacts=40, dna=10)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.request_recompute(provider_ids=[tree["RXE"].pk], months=[MARCH])
    run.refresh_from_db()
    assert run.status == RecomputeRun.Status.SUCCEEDED
    assert run.organisation == tree["RXE"]
    touched = {
        (v.organisation.code, v.month)
        for v in MetricValue.objects.select_related("organisation")
        if ids_before.get(v.id) != v.computed_at  # a new row, or one the run changed
    }
    # the run computed March, and the 2025 survey figures (stored at January: annual figures of
    # the run's years are recomputed with it), of RXE and the organisations above it, and wrote
    # only the figures that changed: March's activity figures there (the survey's did not)
    assert touched == {(code, MARCH) for code in ("RXE", "QF7-DON", "QF7", "Y63", "ENG")}
    # RP5, February and the other ICS kept their rows (same ids, same computed_at)
    for key in [("RP5", MARCH), ("RP5", FEBRUARY), ("QWO", MARCH), ("ENG", FEBRUARY)]:
        now = MetricValue.objects.filter(organisation__code=key[0], month=key[1])
        assert {v.computed_at for v in now} == {before[key]}
    # and the result is what a full recompute gives
    incremental = store_snapshot()
    services.recompute_all()
    assert store_snapshot() == incremental
    assert figure(tree["QF7-DON"], "dna_rate").value == pytest.approx(100 * 60 / 300)


def test_with_the_broker_down_the_run_stays_pending_and_runs_later(
    two_months, tree, django_capture_on_commit_callbacks
):
    from dashboard import tasks

    with (
        mock.patch.object(
            tasks.recompute_run, "apply_async", side_effect=OperationalError("Connection refused")
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = services.request_recompute(
            provider_ids=[tree["RP5"].pk], months=[MARCH], requested_by=None
        )
    run.refresh_from_db()
    assert run.status == RecomputeRun.Status.PENDING
    assert not MetricValue.objects.exists()
    # the broker is back: the worker starts and runs what was waiting
    assert services.enqueue_recovery() is True
    run.refresh_from_db()
    assert run.status == RecomputeRun.Status.SUCCEEDED
    assert figure(tree["RP5"], "dna_rate").value == pytest.approx(20.0)


def test_the_nightly_run_covers_runs_still_pending(two_months, tree):
    with mock.patch.object(services, "enqueue", return_value=False):
        waiting = services.request_recompute(provider_ids=[tree["RP5"].pk], months=[MARCH])
    full = services.recompute_all()
    waiting.refresh_from_db()
    assert waiting.status == RecomputeRun.Status.SUCCEEDED
    assert waiting.note == f"Covered by full run {full.pk}"


def test_a_run_is_done_once_even_if_queued_twice(two_months, tree):
    run = services.request_recompute(provider_ids=[tree["RP5"].pk], months=[MARCH])
    first = services.recompute(run=run)
    rows = MetricValue.objects.count()
    with mock.patch.object(compute, "compute") as work:
        second = services.recompute(run=RecomputeRun.objects.get(pk=run.pk))
    work.assert_not_called()
    assert first.finished_at == second.finished_at
    assert MetricValue.objects.count() == rows


def test_overlapping_runs_interleaved_leave_no_duplicates_or_gaps(two_months, tree):
    """Run B is requested and finishes while run A is waiting; then A runs."""
    services.recompute_all()
    expected = store_snapshot()
    a = services.request_recompute(provider_ids=[tree["RP5"].pk, tree["RXE"].pk], months=None)
    b = services.request_recompute(provider_ids=[tree["RXE"].pk], months=[MARCH])
    services.recompute(run=b)
    services.recompute(run=a)
    assert store_snapshot() == expected


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_on_postgresql_are_serialised(two_months, tree):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrency needs PostgreSQL; SQLite serialises write transactions")
    import threading

    services.recompute_all()
    expected = store_snapshot()
    runs = [
        services.request_recompute(provider_ids=[tree["RP5"].pk, tree["RXE"].pk], months=None)
        for _ in range(3)
    ]
    errors = []

    def work(run):
        try:
            services.recompute(run=run)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert {RecomputeRun.objects.get(pk=r.pk).status for r in runs} == {"succeeded"}
    assert store_snapshot() == expected


def test_months_with_data_span_the_monthly_datasets(two_months):
    assert compute_months.months_with_data() == [FEBRUARY, MARCH]


def test_request_recompute_keeps_the_import_signature(tree, make_user):
    user = make_user("data_manager", tree["QF7"])
    with mock.patch.object(services, "enqueue"):
        run = services.request_recompute(
            provider_ids=[tree["RP5"].pk, tree["RHQ"].pk],
            months=[dt.date(2025, 3, 17), MARCH],
            requested_by=user,
        )
    assert run.organisation == tree["QF7"]  # the lowest organisation covering both
    assert run.months == ["2025-03-01"]
    assert run.provider_ids == sorted([tree["RP5"].pk, tree["RHQ"].pk])
    assert run.requested_by == user
    assert run.status == RecomputeRun.Status.PENDING


def test_pages_can_tell_when_figures_are_being_updated_or_failed(tree):
    assert services.recompute_notices(tree["QF7"]) == []
    pending = RecomputeRun.objects.create(
        organisation=tree["RXE"], kind="incremental", provider_ids=[tree["RXE"].pk]
    )
    # RXE's figures feed its place, ICS, region and England, not its sibling RP5
    for code in ("RXE", "QF7-DON", "QF7", "Y63", "ENG"):
        assert services.recompute_notices(tree[code]) == [pending]
    assert services.recompute_notices(tree["RP5"]) == []
    RecomputeRun.objects.filter(pk=pending.pk).update(status=RecomputeRun.Status.FAILED)
    (failed,) = services.recompute_notices(tree["QF7"])
    assert failed.status == RecomputeRun.Status.FAILED
    services.recompute_all()  # a later success clears the note
    assert services.recompute_notices(tree["QF7"]) == []


def _run(tree, code, status, **fields):
    return RecomputeRun.objects.create(
        organisation=tree[code],
        kind="incremental",
        provider_ids=[tree[code].pk],
        status=status,
        **fields,
    )


def test_a_newer_run_elsewhere_does_not_hide_an_older_stuck_or_failed_one(
    tree, django_assert_num_queries
):
    lost = _run(
        tree,
        "RXE",
        "running",
        attempts=1,
        started_at=timezone.now() - dt.timedelta(hours=3),
        heartbeat_at=timezone.now() - dt.timedelta(hours=3),
    )
    failed = _run(tree, "RHQ", "failed", attempts=3, months=[MARCH.isoformat()])
    _run(tree, "RP5", "succeeded")  # another provider's later import went through
    _run(tree, "RHQ", "succeeded", months=["2025-02-01"])  # RHQ again, but another month
    with django_assert_num_queries(2):
        notices = services.recompute_notices(tree["QF7"])
    assert notices == [lost, failed]
    assert services.recompute_notices(tree["QF7-DON"]) == [lost]
    # a later run covering the failed one's scope (RHQ, every month) clears it
    _run(tree, "RHQ", "succeeded")
    assert services.recompute_notices(tree["QF7"]) == [lost]


def test_the_page_note_gives_each_runs_state_and_age(tree, settings):
    from dashboard.selectors import freshness_note

    settings.RECOMPUTE_MAX_ATTEMPTS = 3
    long_ago = timezone.now() - dt.timedelta(hours=3)
    _run(tree, "RXE", "running", attempts=1, started_at=long_ago, heartbeat_at=long_ago)
    note = freshness_note(tree["QF7"], None)
    assert "the worker doing it stopped responding 3\xa0hours ago" in note
    assert "another worker will take it over" in note
    _run(tree, "RHQ", "failed", attempts=3, finished_at=long_ago)
    note = freshness_note(tree["QF7"], None)
    assert "The last recompute of these figures failed 3\xa0hours ago, after 3 attempts." in note
    assert note.endswith("The figures shown are the last ones computed successfully.")
    _run(tree, "RR8", "pending", attempts=1, started_at=long_ago, error="OperationalError")
    assert "tried again (attempt 2 of 3)" in freshness_note(tree["QWO"], None)
    _run(tree, "RAL", "pending")
    assert "waiting for a worker (requested 0\xa0minutes ago)" in freshness_note(tree["QMJ"], None)
