"""Reproducible pulls (PRODUCT.md 7): every recompute commits a numbered snapshot, and the
history of figure versions holds exactly the store as it stood at each one, while keeping only
the figures a recompute changed."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import services as dashboard_services
from dashboard import snapshots
from dashboard.models import MetricValue, MetricValueVersion, RecomputeRun, Snapshot
from tests.dashboard.test_import_order import FILES, ISSUE_ORDER, import_and_recompute

FIELDS = ("organisation_id", "month", "metric", "profession", "band_group", *snapshots.FIGURE)


def store_now() -> dict:
    """The store, figure by figure, exactly (no rounding)."""
    return {row[:5]: row[5:] for row in MetricValue.objects.values_list(*FIELDS)}


def history_at(snapshot) -> dict:
    versions = snapshots.versions_at(MetricValueVersion.objects.all(), snapshot)
    rows = list(versions.values_list(*FIELDS))
    as_dict = {row[:5]: row[5:] for row in rows}
    assert len(as_dict) == len(rows), "two versions of one figure in a snapshot"
    return as_dict


def test_every_recompute_is_a_snapshot_and_each_holds_the_store_as_it_stood(tree):
    stood = {}
    for name in ISSUE_ORDER:
        import_and_recompute(tree, name)
        snapshot = snapshots.latest()
        assert snapshot.run.status == RecomputeRun.Status.SUCCEEDED
        stood[snapshot.pk] = store_now()
        assert history_at(snapshot) == stood[snapshot.pk], name
    assert sorted(stood) == sorted(Snapshot.objects.values_list("pk", flat=True))
    for pk, figures in stood.items():  # after later imports, each snapshot is still as it was
        assert history_at(Snapshot.objects.get(pk=pk)) == figures


def test_a_recompute_that_changes_nothing_adds_no_version(tree):
    for name in ("staff Doncaster", "staff months RP5", "activity RXE"):
        import_and_recompute(tree, name)
    dashboard_services.recompute_all()
    versions = MetricValueVersion.objects.count()
    again = dashboard_services.recompute_all()
    assert again.status == RecomputeRun.Status.SUCCEEDED
    assert (again.snapshot.opened, again.snapshot.closed) == (0, 0)
    assert MetricValueVersion.objects.count() == versions
    assert history_at(again.snapshot) == store_now()


def test_an_import_opens_versions_only_for_the_figures_it_changed(tree):
    for name in ("staff Doncaster", "staff Sheffield", "staff months RP5"):
        import_and_recompute(tree, name)
    before = store_now()
    import_and_recompute(tree, "activity RXE")
    after = store_now()
    changed = {k for k in after if before.get(k) != after[k]}
    removed = before.keys() - after.keys()
    snapshot = snapshots.latest()
    assert snapshot.opened == len(changed)
    assert snapshot.closed == len(removed) + len(changed & before.keys())
    assert 0 < snapshot.opened < len(after)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(order=st.permutations(list(FILES)))
def test_after_any_order_of_imports_the_open_versions_are_the_store(tree, order):
    with transaction.atomic():
        for name in order:
            import_and_recompute(tree, name)
            assert history_at(snapshots.latest()) == store_now(), name
        transaction.set_rollback(True)


def test_a_failed_recompute_commits_no_snapshot(tree, monkeypatch):
    import_and_recompute(tree, "staff Doncaster")
    count = Snapshot.objects.count()

    def broken(run):
        raise RuntimeError("disk full")

    monkeypatch.setattr(dashboard_services, "_replace_figures", broken)
    run = dashboard_services.recompute_all()
    # the attempt rolled back (the run waits for a retry, or failed after its last attempt)
    assert run.status in (RecomputeRun.Status.PENDING, RecomputeRun.Status.FAILED)
    assert Snapshot.objects.count() == count


def test_as_at_takes_an_id_or_a_time(tree):
    import_and_recompute(tree, "staff Doncaster")
    first = snapshots.latest()
    import_and_recompute(tree, "staff Sheffield")
    second = snapshots.latest()
    assert snapshots.resolve(str(first.pk)) == first
    between = first.committed_at + (second.committed_at - first.committed_at) / 2
    assert snapshots.resolve(between.isoformat()) == first
    assert snapshots.resolve(second.committed_at.isoformat()) == second
    assert snapshots.resolve((second.committed_at + dt.timedelta(days=1)).date().isoformat())
    with pytest.raises(snapshots.SnapshotNotFound, match="no snapshot 999"):
        snapshots.resolve("999")
    with pytest.raises(snapshots.SnapshotNotFound, match="No snapshot had been committed"):
        snapshots.resolve("2001-01-01T00:00:00Z")
    with pytest.raises(snapshots.BadMoment):
        snapshots.resolve("last tuesday")


def test_prune_keeps_the_retention_period(tree, settings):
    settings.SNAPSHOT_RETENTION_DAYS = 30
    for name in ("staff Doncaster", "staff Sheffield", "staff Doncaster corrected"):
        import_and_recompute(tree, name)
    first, second, third = Snapshot.objects.order_by("pk")
    # the first two were committed 40 and 35 days ago
    Snapshot.objects.filter(pk=first.pk).update(committed_at=timezone.now() - dt.timedelta(40))
    Snapshot.objects.filter(pk=second.pk).update(committed_at=timezone.now() - dt.timedelta(35))
    kept = {s.pk: history_at(s) for s in (second, third)}
    replaced = MetricValueVersion.objects.filter(valid_to__lte=second.pk).count()
    assert replaced
    assert snapshots.prune() == replaced
    assert not MetricValueVersion.objects.filter(valid_to__lte=second.pk).exists()
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.pruned_at is not None and second.pruned_at is None
    for snapshot in (second, third):  # still whole
        assert history_at(snapshot) == kept[snapshot.pk]
    with pytest.raises(snapshots.SnapshotNotFound, match="retention period"):
        snapshots.resolve(str(first.pk))
    assert snapshots.prune() == 0  # nothing more to prune


def test_prune_is_on_the_nightly_schedule():
    from django.conf import settings as django_settings

    tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "dashboard.tasks.prune_snapshots" in tasks


def _planner_rows(analyse_first: bool = False) -> float:
    with connection.cursor() as cursor:
        if analyse_first:
            cursor.execute(f"ANALYZE {snapshots.HISTORY}")
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [snapshots.HISTORY]
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the planner's statistics are PostgreSQL's"
)
def test_a_snapshot_that_changes_much_of_the_history_renews_the_planners_statistics(tree):
    """On PostgreSQL a recompute that changes more than a tenth of the history (the first fill
    here) renews the planner's row count of it in its own transaction; a small change does not
    analyse again."""
    assert _planner_rows(analyse_first=True) == 0  # as the planner sees the empty history
    import_and_recompute(tree, "staff Doncaster")
    versions = MetricValueVersion.objects.count()
    assert versions > 50 and _planner_rows() == versions
    assert not snapshots.refresh_statistics(int(0.1 * versions))  # a tenth or less: left alone
    assert snapshots.refresh_statistics(int(0.1 * versions) + 51)
