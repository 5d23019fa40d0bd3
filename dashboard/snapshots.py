"""Reproducible pulls: every recompute commit is a numbered snapshot, and the store's figures are
kept over time as versions with validity periods (PRODUCT.md 7).

How it works:

* :func:`record` wraps a recompute's write, inside its transaction and store lock: it reads the
  month range's changes before the write (months gained or lost change every organisation),
  lets the write replace the figures, then numbers a :class:`~dashboard.models.Snapshot` and
  runs the **diff** over the run's scope (the organisations and months the write can have
  changed: the run's providers and everything above them for its months, every organisation for
  the months the range gained or lost, the survey years' January figures; everything for a full
  run). Two set-based statements compare the store with the open versions there:

  1. close (``valid_to`` = this snapshot) every open version whose figure is no longer in the
     store with the same parts, value, people, suppression and completeness;
  2. open a version (``valid_from`` = this snapshot) for every store figure in the scope that
     has no open version left.

  Unchanged figures keep their version, so the history grows by the figures a recompute
  changed, not by the size of the store.
* the figures as they stood at snapshot N are the versions with ``valid_from <= N`` and
  ``valid_to`` empty or after N (:func:`versions_at`); the metric-values API reads every pull
  this way (the current one is the latest snapshot), so a pull with ``as_at=N`` gives the same
  rows, ids and times as the pull made when N was the latest.
* :func:`prune` (nightly) deletes versions closed before the retention period
  (``SNAPSHOT_RETENTION_DAYS``); snapshots older than that are marked pruned and can no longer
  be pulled.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from councils.models import Organisation

from . import changes, compute_months
from . import metrics as catalogue
from .models import MetricValue, MetricValueVersion, RecomputeRun, Snapshot

STORE = MetricValue._meta.db_table
HISTORY = MetricValueVersion._meta.db_table
KEY = ("organisation_id", "metric", "profession", "band_group", "month")
FIGURE = (
    "numerator",
    "denominator",
    "value",
    "people",
    "suppressed",
    "providers_reporting",
    "providers_total",
)


@dataclass(frozen=True)
class Scope:
    """Where a write can have changed figures: a union of rectangles (organisation ids or None
    for every organisation) x (months, or None for every month), optionally x (metrics). No
    rectangles: nothing."""

    rectangles: tuple[tuple, ...]

    @classmethod
    def everything(cls) -> Scope:
        return cls(((None, None),))

    @classmethod
    def of_changes(cls, where: set[tuple[int, str, str]]) -> Scope:
        """The figures at these (organisation id, month, metric), one rectangle per month (its
        organisations x its metrics: a superset, which is safe)."""
        by_month: dict[str, tuple[set[int], set[str]]] = {}
        for org, month, metric in where:
            orgs, metrics = by_month.setdefault(month, (set(), set()))
            orgs.add(org)
            metrics.add(metric)
        return cls(
            tuple(
                (tuple(sorted(orgs)), (dt.date.fromisoformat(month),), tuple(sorted(metrics)))
                for month, (orgs, metrics) in sorted(by_month.items())
            )
        )

    def sql(self, alias: str) -> tuple[str, list]:
        parts, params = [], []
        for orgs, months, *metrics in self.rectangles:
            where = []
            if metrics and metrics[0] is not None:
                where.append(f"{alias}.metric IN ({', '.join(['%s'] * len(metrics[0]))})")
                params += list(metrics[0])
            if orgs is not None:
                where.append(f"{alias}.organisation_id IN ({', '.join(['%s'] * len(orgs))})")
                params += list(orgs)
            if months is not None:
                where.append(f"{alias}.month IN ({', '.join(['%s'] * len(months))})")
                params += list(months)
            parts.append("(" + (" AND ".join(where) or "1 = 1") + ")")
        return "(" + (" OR ".join(parts) or "1 = 0") + ")", params


def _with_januaries(months: set[dt.date]) -> tuple[dt.date, ...]:
    """The months and the survey years' Januaries (annual figures of those years are rewritten
    with them)."""
    return tuple(sorted(months | {catalogue.annual_month(m.year) for m in months}))


def scope_of(run: RecomputeRun | None, ranged: list[dt.date]) -> Scope:
    """The scope of ``run``'s write (see :mod:`dashboard.services`' ``_replace_figures``): a
    superset is safe (unchanged figures keep their versions), a subset would not be."""
    if run is None or run.kind == RecomputeRun.Kind.FULL:
        return Scope.everything()
    months = {dt.date.fromisoformat(m) for m in run.months}
    for own in run.provider_months.values():
        months |= {dt.date.fromisoformat(m) for m in own}
    rectangles = []
    if run.covers_every_provider:
        if not months:
            return Scope.everything()
        rectangles.append((None, _with_januaries(months)))
    else:
        from .compute import ancestor_ids_of

        providers = {int(pk) for pk in run.provider_ids} | {int(pk) for pk in run.provider_months}
        if providers:
            orgs = tuple(sorted(providers | set(ancestor_ids_of(sorted(providers)))))
            rectangles.append((orgs, _with_januaries(months) if months else None))
    if ranged:
        rectangles.append((None, _with_januaries(set(ranged))))
    return Scope(tuple(rectangles))


def _execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def diff(snapshot: Snapshot, scope: Scope) -> tuple[int, int]:
    """Close the open versions in ``scope`` that the store no longer holds as they are, then
    open versions for the store's figures in ``scope`` that have none. Returns (opened,
    closed)."""
    same_key = " AND ".join(f"v.{c} = {HISTORY}.{c}" for c in KEY)
    same_figure = " AND ".join(f"v.{c} IS NOT DISTINCT FROM {HISTORY}.{c}" for c in FIGURE)
    history_scope, history_params = scope.sql(HISTORY)
    closed = _execute(
        f"UPDATE {HISTORY} SET valid_to_id = %s WHERE valid_to_id IS NULL AND {history_scope} "
        f"AND NOT EXISTS (SELECT 1 FROM {STORE} v WHERE {same_key} AND {same_figure})",
        [snapshot.pk, *history_params],
    )
    columns = ", ".join((*KEY, *FIGURE, "computed_at"))
    store_scope, store_params = scope.sql("v")
    open_scope, _ = scope.sql(HISTORY)
    open_key = " AND ".join(f"o.{c} = v.{c}" for c in KEY)
    # The scope's open versions first (a small set, read by the organisation x month index),
    # so the anti-join never reads the whole history.
    opened = _execute(
        f"INSERT INTO {HISTORY} ({columns}, valid_from_id, valid_to_id) "
        f"WITH open AS MATERIALIZED (SELECT {', '.join(KEY)} FROM {HISTORY} "
        f"WHERE valid_to_id IS NULL AND {open_scope}) "
        f"SELECT {', '.join(f'v.{c}' for c in (*KEY, *FIGURE, 'computed_at'))}, %s, NULL "
        f"FROM {STORE} v WHERE {store_scope} AND NOT EXISTS ("
        f"SELECT 1 FROM open o WHERE {open_key})",
        [*store_params, snapshot.pk, *store_params],
    )
    return opened, closed


def commit(*, run: RecomputeRun | None, scope: Scope) -> Snapshot:
    """Number a snapshot for the store as the caller's transaction leaves it, and bring the
    history up to it over ``scope``. Runs inside the writer's transaction (and its lock)."""
    organisation = run.organisation if run is not None else Organisation.get_first_root_node()
    snapshot = Snapshot.objects.create(
        committed_at=timezone.now(), run=run, organisation=organisation
    )
    opened, closed = diff(snapshot, scope)
    if connection.vendor == "postgresql":
        refresh_statistics(opened + closed)
    snapshot.opened, snapshot.closed, snapshot.committed_at = opened, closed, timezone.now()
    snapshot.save(update_fields=["opened", "closed", "committed_at"])
    return snapshot


def refresh_statistics(changed: int) -> bool:
    """PostgreSQL: when a snapshot changed more than a tenth of the history (autovacuum's own
    analyze threshold), renew the planner's statistics of it in this transaction, which counts
    its own new rows. Otherwise the API's pulls after a large recompute (the first fill, a
    full run) are planned for the table as it was until autovacuum comes round, or never where
    it is off: measured at England scale, a 100-row page of England's figures took 4.7 s with
    the statistics of the empty table (a nested loop over 347,087 rows) and 9 ms after
    ANALYZE (0.3 s for 9.8 million rows). Returns whether it analysed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [HISTORY])
        (known,) = cursor.fetchone()
        if changed <= 0.1 * max(known, 0) + 50:
            return False
        cursor.execute(f"ANALYZE {HISTORY}")
    return True


def record(run: RecomputeRun, write: Callable[[], int]) -> int:
    """Do a recompute's ``write`` (which returns the rows written) and commit its snapshot, in
    the caller's transaction: the one call the recompute makes."""
    added, dropped = compute_months.range_changes(compute_months.months_with_data())
    with changes.recorded() as changed:
        rows = write()
    if run.kind != RecomputeRun.Kind.FULL and changed.exact:
        # the write noted every figure it changed (an incremental run's merge and the flags
        # suppression changed): compare only there
        scope = Scope.of_changes(changed.where)
    else:
        scope = scope_of(run, added + dropped)
        if changed.where and scope != Scope.everything():
            scope = Scope(scope.rectangles + Scope.of_changes(changed.where).rectangles)
    commit(run=run, scope=scope)
    return rows


def capture() -> Snapshot:
    """A snapshot of the whole store outside a recompute run (after figures were written some
    other way, e.g. loaded fixtures): a full diff in its own transaction."""
    with transaction.atomic():
        return commit(run=None, scope=Scope.everything())


# ------------------------------------------------------------------------------------ reading
class SnapshotNotFound(LookupError):
    """``as_at`` names no snapshot that can be pulled (the message says why)."""


class BadMoment(ValueError):
    """``as_at`` is neither a snapshot id nor a time."""


def latest() -> Snapshot | None:
    return Snapshot.objects.order_by("-pk").first()


def resolve(as_at: str) -> Snapshot:
    """The snapshot ``as_at`` names: a snapshot id, or an ISO 8601 time (the latest snapshot
    committed at or before it; a time without a zone is read in the portal's time zone)."""
    text = (as_at or "").strip()
    if text.isdigit():
        snapshot = Snapshot.objects.filter(pk=int(text)).first()
        if snapshot is None:
            raise SnapshotNotFound(f"There is no snapshot {text}; see /api/v1/snapshots/.")
    else:
        moment = parse_datetime(text)
        if moment is None:
            try:
                moment = dt.datetime.combine(dt.date.fromisoformat(text), dt.time.max)
            except ValueError:
                raise BadMoment(
                    "Give a snapshot id (for example 12) or an ISO 8601 time (for example "
                    "2026-10-02T09:00:00Z)."
                ) from None
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        snapshot = (
            Snapshot.objects.filter(committed_at__lte=moment).order_by("-committed_at").first()
        )
        if snapshot is None:
            raise SnapshotNotFound(f"No snapshot had been committed by {text}.")
    if snapshot.pruned_at is not None:
        raise SnapshotNotFound(
            f"Snapshot {snapshot.pk} is older than the retention period "
            f"({settings.SNAPSHOT_RETENTION_DAYS} days): its figures are no longer kept."
        )
    return snapshot


def valid_at_q(snapshot_id: int) -> Q:
    return Q(valid_from_id__lte=snapshot_id) & (
        Q(valid_to_id__isnull=True) | Q(valid_to_id__gt=snapshot_id)
    )


def versions_at(queryset, snapshot: Snapshot | None):
    """``queryset`` (of :class:`MetricValueVersion`) narrowed to the figures of ``snapshot``:
    the open versions for the latest (or when there is none yet), else those valid then."""
    newest = latest()
    if snapshot is None or newest is None or snapshot.pk == newest.pk:
        return queryset.filter(valid_to__isnull=True)
    return queryset.filter(valid_at_q(snapshot.pk))


# ------------------------------------------------------------------------------------ pruning
def prune(*, now=None) -> int:
    """Delete versions closed at or before the last snapshot committed before the retention
    cutoff, and mark the snapshots before that one pruned (their figures are gone; that
    snapshot's own figures are all still kept). Returns the versions deleted."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.SNAPSHOT_RETENTION_DAYS)
    last_old = (
        Snapshot.objects.filter(committed_at__lt=cutoff)
        .order_by("-pk")
        .values_list("pk", flat=True)
    ).first()
    if last_old is None:
        return 0
    with transaction.atomic():
        deleted, _ = MetricValueVersion.objects.filter(valid_to_id__lte=last_old).delete()
        Snapshot.objects.filter(pk__lt=last_old, pruned_at__isnull=True).update(pruned_at=now)
    return deleted


def history_size() -> dict:
    """Rows and (on PostgreSQL) bytes of the history, for operators and the README's figures."""
    rows = MetricValueVersion.objects.count()
    size = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size(%s)", [HISTORY])
            size = cursor.fetchone()[0]
    return {"rows": rows, "bytes": size, "snapshots": Snapshot.objects.count()}
