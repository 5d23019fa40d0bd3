"""Writes of the Quality Dashboard: recompute runs and targets.

A recompute is recorded as a :class:`RecomputeRun` before anything is queued, so a broker outage
never loses it: ``request_recompute`` creates a pending run and queues ``recompute_run`` once the
caller's transaction commits; if the broker is down the run stays pending and ``run_pending`` (on
worker start-up and in the nightly full run) picks it up. ``recompute`` claims the run, replaces its
figures in one transaction and records the outcome; a failure rolls the figures back (the previous
ones stay) and marks the run failed. A run left "running" by a killed worker is marked failed by
the next run, which queues its scope again.
"""

from __future__ import annotations

import datetime as dt
import logging
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from ahpportal.months import month_start
from councils.models import Organisation

from . import compute, compute_months
from . import metrics as catalogue
from .models import ChangePoint, RecomputeRun, Target

logger = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=30)  # a run "running" longer than this was lost with its worker
LOCK_KEY = 0x41485044  # "AHPD": the PostgreSQL advisory lock serialising writes to the store
# kombu (Celery's transport) raises its own OperationalError when the broker cannot be reached.
BROKER_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, OSError, KombuOperationalError)


# ------------------------------------------------------------------------------------ queueing
def _root_of(provider_ids: list[int]) -> Organisation:
    """The lowest organisation covering every provider (England when there are none)."""
    paths = list(Organisation.objects.filter(pk__in=provider_ids).values_list("path", flat=True))
    if not paths:
        return Organisation.get_first_root_node()
    common = set(Organisation.paths_above(paths[0], include_self=True))
    for path in paths[1:]:
        common &= set(Organisation.paths_above(path, include_self=True))
    prefix = max(common, key=len, default="")
    return Organisation.objects.filter(path=prefix).first() or Organisation.get_first_root_node()


def request_recompute(
    *,
    provider_ids: list[int] | None,
    months: list[dt.date] | None,
    requested_by=None,
    kind: str = RecomputeRun.Kind.INCREMENTAL,
    organisation: Organisation | None = None,
    provider_months: dict[int, list[dt.date]] | None = None,
) -> RecomputeRun:
    """Record a pending recompute of ``provider_ids`` (None: all) for ``months`` (None or empty:
    every month with data) and queue it when the current transaction commits.

    ``provider_months`` (an import's) narrows it to each provider's own months. The run also
    records the months the data's month range gained or lost against the store
    (``range_months``): those change every organisation's figures, so pages everywhere say the
    figures are being recomputed until it is done."""
    ids = None if provider_ids is None else sorted({int(pk) for pk in provider_ids})
    if organisation is None:
        organisation = Organisation.get_first_root_node() if ids is None else _root_of(ids)
    added, dropped = compute_months.range_changes(compute_months.months_with_data())
    run = RecomputeRun.objects.create(
        organisation=organisation,
        kind=kind,
        scope=RecomputeRun.Scope.PROVIDERS if ids is not None else RecomputeRun.Scope.ALL,
        provider_ids=ids if ids is not None else [],
        months=sorted({month_start(m).isoformat() for m in months or []}),
        provider_months={
            str(int(pk)): sorted({month_start(m).isoformat() for m in ms})
            for pk, ms in sorted((provider_months or {}).items())
        },
        range_months=[m.isoformat() for m in sorted(added + dropped)],
        requested_by=requested_by,
    )
    transaction.on_commit(lambda: enqueue(run.pk))
    return run


def enqueue(run_id: int) -> bool:
    """Send the run to the broker; False (and the run stays pending) if the broker is down."""
    from .tasks import recompute_run

    try:
        recompute_run.delay(run_id)
    except BROKER_ERRORS as exc:
        logger.warning("Broker unavailable, recompute run %s stays pending: %s", run_id, exc)
        return False
    return True


def enqueue_pending() -> bool:
    """Queue ``run_pending`` if any run is waiting (called when a worker starts)."""
    if not RecomputeRun.objects.filter(status=RecomputeRun.Status.PENDING).exists():
        return False
    from .tasks import run_pending

    try:
        run_pending.delay()
    except BROKER_ERRORS:
        return False
    return True


# ------------------------------------------------------------------------------------- running
def _claim(run: RecomputeRun) -> bool:
    """Mark the run running if it is still pending (exactly one worker wins)."""
    claimed = RecomputeRun.objects.filter(pk=run.pk, status=RecomputeRun.Status.PENDING).update(
        status=RecomputeRun.Status.RUNNING, started_at=timezone.now()
    )
    run.refresh_from_db()
    return bool(claimed)


def _lock_store() -> None:
    """Serialise writers of the store: PostgreSQL advisory lock held until commit. SQLite
    serialises write transactions itself (IMMEDIATE transactions in settings)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def recover_stale_runs(*, now=None) -> list[RecomputeRun]:
    """Mark runs left running by a lost worker failed, and queue their scope again."""
    now = now or timezone.now()
    stale = list(
        RecomputeRun.objects.filter(
            status=RecomputeRun.Status.RUNNING, started_at__lt=now - STALE_AFTER
        )
    )
    retries = []
    for run in stale:
        updated = RecomputeRun.objects.filter(pk=run.pk, status=RecomputeRun.Status.RUNNING).update(
            status=RecomputeRun.Status.FAILED,
            finished_at=now,
            error="The worker stopped before the run finished; the previous figures were kept.",
        )
        if updated:
            retries.append(
                RecomputeRun.objects.create(
                    organisation_id=run.organisation_id,
                    kind=run.kind,
                    scope=run.scope,
                    provider_ids=run.provider_ids,
                    months=run.months,
                    provider_months=run.provider_months,
                    range_months=run.range_months,
                    requested_by_id=run.requested_by_id,
                    note=f"Retry of run {run.pk}",
                )
            )
    return retries


def recompute(*, run: RecomputeRun) -> RecomputeRun:
    """Do the work of a pending run: replace its figures in one transaction.

    Returns the run (succeeded or failed); a run that is no longer pending is left alone.
    """
    retries = recover_stale_runs()
    if not _claim(run):
        return run
    try:
        with transaction.atomic():
            _lock_store()
            rows = _replace_figures(run)
    except Exception as exc:
        logger.exception("Recompute run %s failed", run.pk)
        RecomputeRun.objects.filter(pk=run.pk).update(
            status=RecomputeRun.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(exc).__name__}: {exc}"[:2000],
        )
    else:
        RecomputeRun.objects.filter(pk=run.pk).update(
            status=RecomputeRun.Status.SUCCEEDED, finished_at=timezone.now(), rows=rows
        )
        if run.kind == RecomputeRun.Kind.FULL:
            _supersede_pending(run)
    for retry in retries:
        transaction.on_commit(lambda pk=retry.pk: enqueue(pk))
    run.refresh_from_db()
    return run


def _replace_figures(run: RecomputeRun) -> int:
    """The run's work, inside its transaction. Every run works over the month range of
    :func:`compute_months.months_with_data` as the data stands now, the same range a full run
    writes: an incremental run first keeps the store to that range (months the range lost are
    dropped, months it gained are computed for every organisation), then replaces what its
    import changed (each provider's own months, and the organisations above it)."""
    in_range = compute_months.months_with_data()
    computed_at = timezone.now()
    if run.kind == RecomputeRun.Kind.FULL:
        return compute.compute(
            months=in_range, provider_ids=None, computed_at=computed_at, full=True
        )
    rows, done = compute.align_range(in_range, computed_at)
    allowed = set(in_range) - done
    requested = {dt.date.fromisoformat(m) for m in run.months}
    if run.covers_every_provider:
        months = sorted((requested or allowed) & allowed)
        return rows + compute.compute(months=months, provider_ids=None, computed_at=computed_at)
    if run.provider_months:
        by_provider = {
            int(pk): [dt.date.fromisoformat(m) for m in months]
            for pk, months in run.provider_months.items()
        }
    else:  # a chair's run, or one recorded before runs kept each provider's months
        by_provider = {pk: sorted(requested) or in_range for pk in run.provider_ids}
    by_provider = {pk: [m for m in months if m in allowed] for pk, months in by_provider.items()}
    return rows + compute.compute_by_provider(provider_months=by_provider, computed_at=computed_at)


def _supersede_pending(full_run: RecomputeRun) -> int:
    """Pending runs requested before a full run started are covered by it."""
    return RecomputeRun.objects.filter(
        status=RecomputeRun.Status.PENDING, created_at__lte=full_run.started_at
    ).update(
        status=RecomputeRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
        note=f"Covered by full run {full_run.pk}",
    )


def recompute_all(*, requested_by=None) -> RecomputeRun:
    """The nightly full recompute, synchronously: every provider, every month with data."""
    recover_stale_runs()
    run = RecomputeRun.objects.create(
        organisation=Organisation.get_first_root_node(),
        kind=RecomputeRun.Kind.FULL,
        scope=RecomputeRun.Scope.ALL,
        requested_by=requested_by,
    )
    return recompute(run=run)


def run_pending() -> list[RecomputeRun]:
    """Run every pending run, oldest first (after a broker outage, or a lost worker)."""
    recover_stale_runs()
    done = []
    for run in RecomputeRun.objects.filter(status=RecomputeRun.Status.PENDING).order_by(
        "created_at", "pk"
    ):
        done.append(recompute(run=run))
    return done


# ------------------------------------------------------------------------------------- reading
def recompute_notice(organisation: Organisation) -> RecomputeRun | None:
    """The run pages mention for ``organisation``: a pending or running run that covers it (its
    figures are being recomputed), else the newest run covering it if that one failed.

    A run covers an organisation when its figures change: when the run covers every
    organisation (a full or all-provider run, or one whose month range grew or shrank), or when
    one of its providers is at or below the organisation. An import for one provider never
    covers its siblings. Runs older than the last successful full run are covered by it. Two
    queries."""
    last_full = (
        RecomputeRun.objects.filter(
            kind=RecomputeRun.Kind.FULL, status=RecomputeRun.Status.SUCCEEDED
        )
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    runs = list(
        RecomputeRun.objects.filter(
            created_at__gte=Coalesce(
                Subquery(last_full), Value(dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
            )
        ).order_by("-created_at", "-pk")
    )
    ids = {pk for run in runs for pk in run.provider_ids}
    below = set(
        Organisation.objects.below(organisation).filter(pk__in=ids).values_list("pk", flat=True)
        if ids
        else []
    )
    covering = [
        run
        for run in runs
        if run.covers_every_provider
        or run.kind == RecomputeRun.Kind.FULL
        or run.range_months
        or below.intersection(run.provider_ids)
    ]
    active = (RecomputeRun.Status.PENDING, RecomputeRun.Status.RUNNING)
    busy = next((run for run in covering if run.status in active), None)
    if busy is not None:
        return busy
    if covering and covering[0].status == RecomputeRun.Status.FAILED:
        return covering[0]
    return None


def latest_run(organisation: Organisation) -> RecomputeRun | None:
    return (
        RecomputeRun.objects.filter(organisation=organisation)
        .order_by("-created_at", "-pk")
        .first()
    )


# ------------------------------------------------------------------------------------- targets
class TargetError(ValueError):
    pass


NO_TARGET_REASON = (
    "neither a higher nor a lower value is better, so it has no target and no assurance "
    "(PRODUCT.md 3.3). Leave the box blank."
)


def target_set(*, organisation: Organisation, metric: str, value: float, actor) -> Target:
    """A chair's target for ``metric`` at ``organisation`` (applies to the subtree below)."""
    definition = catalogue.BY_CODE.get(metric)
    if definition is None:
        raise TargetError(f"Unknown metric {metric!r}.")
    if definition.direction not in ("higher", "lower"):
        raise TargetError(f"{definition.name}: {NO_TARGET_REASON}")
    if value < 0 or (definition.unit == "percent" and value > 100):
        limit = "between 0 and 100" if definition.unit == "percent" else "0 or more"
        raise TargetError(f"{definition.name}: the target must be {limit}.")
    target, _ = Target.objects.update_or_create(
        organisation=organisation, metric=metric, defaults={"value": value, "set_by": actor}
    )
    return target


def target_clear(*, organisation: Organisation, metric: str, actor=None) -> bool:
    """Remove the organisation's own target: the one above (or the default) applies again."""
    deleted, _ = Target.objects.filter(organisation=organisation, metric=metric).delete()
    return bool(deleted)


class ChangePointError(ValueError):
    """A change point that cannot be recorded (the message names the field and the problem)."""


def change_point_record(
    *, organisation: Organisation, metric: str, month: dt.date, reason: str, actor
) -> ChangePoint:
    """Record a change point: from ``month`` on, ``metric``'s XmR chart at ``organisation`` has
    new limits."""
    definition = catalogue.BY_CODE.get(metric)
    if definition is None:
        raise ChangePointError(f"Unknown metric {metric!r}.")
    reason = (reason or "").strip()
    if not reason:
        raise ChangePointError("Reason: enter why the process changed.")
    month = month_start(month)
    if (
        ChangePoint.objects.active()
        .filter(organisation=organisation, metric=metric, month=month)
        .exists()
    ):
        raise ChangePointError(
            f"Month: {definition.name} already has a change point in {month:%B %Y}."
        )
    return ChangePoint.objects.create(
        organisation=organisation, metric=metric, month=month, reason=reason, recorded_by=actor
    )


def change_point_remove(*, change_point, actor) -> None:
    """Remove a change point from the charts; the row keeps who removed it and when."""
    if change_point.removed_at is None:
        change_point.removed_at = timezone.now()
        change_point.removed_by = actor
        change_point.save(update_fields=["removed_at", "removed_by"])
