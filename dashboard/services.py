"""Writes of the Quality Dashboard: recompute runs and targets.

A recompute is recorded as a :class:`RecomputeRun` before anything is queued, so a broker outage
never loses it: ``request_recompute`` creates a pending run and queues ``recompute_run`` once the
caller's transaction commits. ``recompute`` claims the run on a lease (``dashboard/leases.py``),
replaces its figures and marks it succeeded in one transaction; a failure rolls the figures back
(the previous ones stay) and the run is tried again after a backoff, then failed with the reason.
A run whose worker was killed or lost its database connection stops renewing its lease; once the
lease lapses the next worker takes it over and redoes it from the start: a redelivered message,
a worker starting, or beat's ``recover_runs`` every 30 seconds brings it to one.
"""

from __future__ import annotations

import datetime as dt
import logging
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from ahpportal.months import month_start
from councils.models import Level, Organisation

from . import as_it_was, compute, compute_months, leases, snapshots
from . import metrics as catalogue
from .models import ChangePoint, RecomputeRun, Target

logger = logging.getLogger(__name__)

LOCK_KEY = 0x41485044  # "AHPD": the PostgreSQL advisory lock serialising writes to the store
# kombu (Celery's transport) raises its own OperationalError when the broker cannot be reached.
BROKER_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, OSError, KombuOperationalError)
_DEFERRED: ContextVar[bool] = ContextVar("recomputes_deferred", default=False)


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
    sources: list[str] | None = None,
) -> RecomputeRun:
    """Record a pending recompute of ``provider_ids`` (None: all) for ``months`` (None or empty:
    every month with data) and queue it when the current transaction commits.

    ``provider_months`` (an import's) narrows it to each provider's own months. The run also
    records the months the data's month range gained or lost against the store
    (``range_months``): those change every organisation's figures, so pages everywhere say the
    figures are being recomputed until it is done. ``sources`` (an import's dataset) narrows the
    figures recomputed to those computed from it (``compute_datasets.affected_by``)."""
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
        sources=sorted(set(sources or [])),
        requested_by=requested_by,
    )
    if not _DEFERRED.get():
        transaction.on_commit(lambda: enqueue(run.pk))
    return run


@contextmanager
def recomputes_deferred():
    """Within it, ``request_recompute`` records pending runs but queues none: for a bulk load
    (the demo's imports) that a full recompute follows, which covers every run pending before it
    (``_supersede_pending``), so each file's own recompute would be work thrown away."""
    token = _DEFERRED.set(True)
    try:
        yield
    finally:
        _DEFERRED.reset(token)


def enqueue(run_id: int, *, countdown: float | None = None) -> bool:
    """Send the run to the broker (``countdown`` seconds from now); False (and the run waits for
    ``recover_runs``) if the broker is down."""
    from .tasks import recompute_run

    # Marked queued before it is sent, so this process never writes the run while a worker that
    # has already received the message holds it (SQLite would answer "database table is locked").
    unfinished = RecomputeRun.objects.filter(pk=run_id).exclude(status__in=FINISHED)
    unfinished.update(queued_at=timezone.now())
    try:
        recompute_run.apply_async((run_id,), countdown=countdown or None)
    except BROKER_ERRORS as exc:
        logger.warning("Broker unavailable, recompute run %s stays pending: %s", run_id, exc)
        unfinished.update(queued_at=None)
        return False
    return True


def enqueue_recovery() -> bool:
    """When a worker starts: queue ``recover_runs`` now, and once more when the lease of a run
    whose worker was killed just before this one started has lapsed."""
    from .tasks import recover_runs

    later = settings.RECOMPUTE_LEASE_SECONDS + settings.RECOMPUTE_HEARTBEAT_SECONDS
    try:
        recover_runs.delay()
        recover_runs.apply_async(countdown=later)
    except BROKER_ERRORS:
        return False
    return True


# ------------------------------------------------------------------------------------- running
FINISHED = (RecomputeRun.Status.SUCCEEDED, RecomputeRun.Status.FAILED)
REQUEUE_AFTER = timedelta(minutes=10)  # a pending run's message may have been lost by then


def _claimable(now) -> Q:
    """Runs a worker may take now: pending ones (once their retry is due) and running ones whose
    lease lapsed."""
    lapsed = now - leases.lease()
    due = Q(retry_at__isnull=True) | Q(retry_at__lte=now)
    silent = Q(heartbeat_at__lt=lapsed) | Q(heartbeat_at__isnull=True, started_at__lt=lapsed)
    return (Q(status=RecomputeRun.Status.PENDING) & due) | (
        Q(status=RecomputeRun.Status.RUNNING) & silent
    )


def _claim(run: RecomputeRun) -> bool:
    """Take the run if it is claimable (exactly one worker wins: the update compares the attempt
    number it read). A lapsed run that has had every attempt is marked failed instead."""
    run.refresh_from_db()
    now = timezone.now()
    mine = RecomputeRun.objects.filter(pk=run.pk, attempts=run.attempts).filter(_claimable(now))
    if run.attempts >= settings.RECOMPUTE_MAX_ATTEMPTS:
        mine.update(
            status=RecomputeRun.Status.FAILED,
            finished_at=now,
            error=f"{LOST} ({run.attempts} attempts). {run.error}".strip()[:2000],
        )
        run.refresh_from_db()
        return False
    if run.status == RecomputeRun.Status.RUNNING:
        logger.warning("Taking over recompute run %s: its lease lapsed", run.pk)
    claimed = mine.update(
        status=RecomputeRun.Status.RUNNING,
        attempts=run.attempts + 1,
        started_at=now,
        heartbeat_at=now,
        retry_at=None,
        finished_at=None,
    )
    run.refresh_from_db()
    return bool(claimed)


LOST = "The worker stopped before the run finished; the previous figures were kept"


def wait_before_claim(run: RecomputeRun, *, now=None) -> float | None:
    """Seconds until the run can be claimed: 0 now, None never (it finished). A run another
    worker holds can be claimed if its lease lapses; a failed attempt's when its retry is due."""
    now = now or timezone.now()
    if run.status in FINISHED:
        return None
    if run.status == RecomputeRun.Status.PENDING:
        due = run.retry_at or now
    else:
        due = leases.lapses_at(run) or now
    return max(0.0, (due - now).total_seconds())


def _lock_store() -> None:
    """Serialise writers of the store: PostgreSQL advisory lock held until commit. SQLite
    serialises write transactions itself (IMMEDIATE transactions in settings)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _commit_check(run: RecomputeRun, attempt: int) -> None:
    """Inside the run's transaction, just before it commits: the run must still be this
    attempt's (row locked until commit, so no worker can take it over in between)."""
    held = RecomputeRun.objects.select_for_update().filter(
        pk=run.pk, attempts=attempt, status=RecomputeRun.Status.RUNNING
    )
    if not list(held.values_list("pk", flat=True)):
        raise leases.LeaseLost(f"Recompute run {run.pk} attempt {attempt} was taken over")


def recompute(*, run: RecomputeRun) -> RecomputeRun:
    """Do the work of a claimable run: replace its figures in one transaction, which also marks
    it succeeded. Returns the run; a run another worker holds (or that finished) is left alone.

    A failed attempt rolls back (the previous figures stay) and is tried again after a backoff;
    after ``RECOMPUTE_MAX_ATTEMPTS`` the run is failed with the reason."""
    if not _claim(run):
        return run
    attempt = run.attempts
    try:
        with leases.Heartbeat(run.pk, attempt), transaction.atomic():
            _lock_store()
            in_range = compute_months.months_with_data()
            range_before = set(compute_months.stored_months())
            rows = snapshots.record(run, lambda: _replace_figures(run))
            # each month under its own structure too, from the figures just written: only
            # the months an import changed, unless the run or the month range was whole; not
            # before the full run a change of structure queued (until it, the store and the
            # figures as it was stay on the structure they were computed under)
            only = None if set(in_range) != range_before else _months_changed(run, in_range)
            if only is None or not _full_run_waiting(run):
                as_it_was.rebuild(in_range, timezone.now(), only=only)
            leases.pause_for_tests()
            _commit_check(run, attempt)
            RecomputeRun.objects.filter(pk=run.pk).update(
                status=RecomputeRun.Status.SUCCEEDED,
                finished_at=timezone.now(),
                rows=rows,
                error="",
                note=_retried_note(run, attempt),
            )
            if run.kind == RecomputeRun.Kind.FULL:
                _supersede_pending(run)
    except leases.LeaseLost as lost:
        logger.warning("%s; this attempt's work was rolled back", lost)
    except Exception as exc:
        logger.exception("Recompute run %s attempt %s failed", run.pk, attempt)
        _attempt_failed(run, attempt, exc)
    run.refresh_from_db()
    return run


def _retried_note(run: RecomputeRun, attempt: int) -> str:
    if attempt == 1:
        return run.note
    first = run.error.split(":", 1)[0] if run.error else "the worker was lost"
    return f"Done at attempt {attempt} (an earlier attempt failed: {first})"[:200]


def _attempt_failed(run: RecomputeRun, attempt: int, exc: BaseException) -> None:
    """Record a failed attempt: pending again with a retry time, or failed after the last."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()  # e.g. the database dropped the connection
    error = f"{type(exc).__name__}: {exc}".strip()[:1900]
    now = timezone.now()
    mine = RecomputeRun.objects.filter(
        pk=run.pk, attempts=attempt, status=RecomputeRun.Status.RUNNING
    )
    if attempt >= settings.RECOMPUTE_MAX_ATTEMPTS:
        mine.update(
            status=RecomputeRun.Status.FAILED,
            finished_at=now,
            error=f"{error} (attempt {attempt} of {settings.RECOMPUTE_MAX_ATTEMPTS})",
        )
        return
    delay = leases.retry_delay(attempt)
    if mine.update(status=RecomputeRun.Status.PENDING, retry_at=now + delay, error=error):
        transaction.on_commit(lambda: enqueue(run.pk, countdown=delay.total_seconds()), robust=True)


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
    requested = {dt.date.fromisoformat(m) for m in run.months}
    if run.provider_months:
        by_provider = {
            int(pk): [dt.date.fromisoformat(m) for m in months]
            for pk, months in run.provider_months.items()
        }
    else:  # a chair's run, or one recorded before runs kept each provider's months
        by_provider = {pk: sorted(requested) or in_range for pk in run.provider_ids}
    if _changes_everything(run, by_provider, in_range):
        # a national file: every provider, every month. Rebuilding the store whole (on
        # PostgreSQL a new table swapped in) is cheaper than replacing it in place (at
        # England scale 234 s against 348 s), and writes the same figures.
        return compute.compute(
            months=in_range, provider_ids=None, computed_at=computed_at, full=True
        )
    rows, done = compute.align_range(in_range, computed_at)
    allowed = set(in_range) - done
    if run.covers_every_provider:
        months = sorted((requested or allowed) & allowed)
        return rows + compute.compute(months=months, provider_ids=None, computed_at=computed_at)
    by_provider = {pk: [m for m in months if m in allowed] for pk, months in by_provider.items()}
    return rows + compute.compute_by_provider(
        provider_months=by_provider, computed_at=computed_at, sources=run.sources or None
    )


def _full_run_waiting(run: RecomputeRun) -> bool:
    return (
        RecomputeRun.objects.filter(kind=RecomputeRun.Kind.FULL, status=RecomputeRun.Status.PENDING)
        .exclude(pk=run.pk)
        .exists()
    )


def _months_changed(run: RecomputeRun, in_range: list[dt.date]) -> list[dt.date] | None:
    """The months an incremental run can have changed (None: every month: a full run, or a
    chair's run of every month)."""
    if run.kind == RecomputeRun.Kind.FULL:
        return None
    if run.provider_months:
        return sorted({dt.date.fromisoformat(m) for ms in run.provider_months.values() for m in ms})
    if run.months:
        return sorted(dt.date.fromisoformat(m) for m in run.months)
    return None


def _changes_everything(run, by_provider, in_range) -> bool:
    """Whether an import's run (a national file) changed every month of the range for every
    provider in the tree; its snapshot's scope is then the whole store too."""
    if not in_range or not run.provider_months or run.covers_every_provider:
        return False
    everyone = Organisation.objects.filter(level=Level.PROVIDER).values_list("pk", flat=True)
    wanted = set(in_range)
    return all(wanted <= set(by_provider.get(pk, ())) for pk in everyone)


def _supersede_pending(full_run: RecomputeRun) -> int:
    """Runs waiting (or lost with their worker) that were requested before a full run started
    are covered by it."""
    return (
        RecomputeRun.objects.filter(_claimable(timezone.now()))
        .filter(created_at__lte=full_run.started_at)
        .exclude(pk=full_run.pk)
        .update(
            status=RecomputeRun.Status.SUCCEEDED,
            finished_at=timezone.now(),
            note=f"Covered by full run {full_run.pk}",
        )
    )


def recompute_all(*, requested_by=None) -> RecomputeRun:
    """The nightly full recompute, synchronously: every provider, every month with data."""
    run = RecomputeRun.objects.create(
        organisation=Organisation.get_first_root_node(),
        kind=RecomputeRun.Kind.FULL,
        scope=RecomputeRun.Scope.ALL,
        requested_by=requested_by,
    )
    return recompute(run=run)


def run_pending() -> list[RecomputeRun]:
    """Do every claimable run here, oldest first (pending ones, and those lost with a worker)."""
    runs = RecomputeRun.objects.filter(_claimable(timezone.now())).order_by("created_at", "pk")
    return [recompute(run=run) for run in runs]


def recover_runs(*, now=None) -> list[int]:
    """Queue the runs no message will bring to a worker (beat, every 30 seconds, and a worker
    starting): running runs whose lease lapsed, not queued since; pending runs whose retry is
    due that were never queued (the broker was down) or queued so long ago that the message
    may be lost. Returns their ids."""
    now = now or timezone.now()
    stale_message = Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER)
    lapsed_unqueued = Q(status=RecomputeRun.Status.RUNNING) & (
        Q(queued_at__isnull=True) | Q(queued_at__lt=F("started_at"))
    )
    ids = list(
        RecomputeRun.objects.filter(_claimable(now))
        .filter(stale_message | lapsed_unqueued)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        if not enqueue(pk):
            break
    return ids


# ------------------------------------------------------------------------------------- reading
def recompute_notices(organisation: Organisation) -> list[RecomputeRun]:
    """The runs pages mention for ``organisation``, oldest first: every pending, running (or
    lapsed) run that covers it, and every failed run covering it that no later successful run
    covered, whatever other runs did since.

    A run covers an organisation when its figures change: when the run covers every
    organisation (a full or all-provider run, or one whose month range grew or shrank), or when
    one of its providers is at or below the organisation (a closed provider: its final
    successor). An import for one provider never covers its siblings. Runs older than the last
    successful full run are covered by it. Two queries."""
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
        ).order_by("created_at", "pk")
    )
    ids = {
        pk for run in runs if run.status != RecomputeRun.Status.SUCCEEDED for pk in run.provider_ids
    }
    below = _counted_below(organisation, ids) if ids else set()
    succeeded = [run for run in runs if run.status == RecomputeRun.Status.SUCCEEDED]
    notices = []
    for run in runs:
        if run.status == RecomputeRun.Status.SUCCEEDED:
            continue
        if not (
            run.covers_every_provider
            or run.kind == RecomputeRun.Kind.FULL
            or run.range_months
            or below.intersection(run.provider_ids)
        ):
            continue
        if run.status == RecomputeRun.Status.FAILED and any(
            later.created_at > run.created_at and _covers(later, run) for later in succeeded
        ):
            continue
        notices.append(run)
    return notices


def _counted_below(organisation: Organisation, provider_ids: set[int]) -> set[int]:
    """The providers whose data counts at or below ``organisation``: those below it, and closed
    ones whose final successor is (one query: the providers' paths and every successor link)."""
    rows = (
        Organisation.objects.filter(
            Q(pk__in=provider_ids) | Q(successor__isnull=False) | Q(predecessors__isnull=False)
        )
        .distinct()
        .order_by()
        .values_list("pk", "path", "successor_id")
    )
    path_of, successor_of = {}, {}
    for pk, path, successor in rows:
        path_of[pk] = path
        if successor is not None:
            successor_of[pk] = successor
    final = compute.ends_of_chains(successor_of)
    below = set()
    for pk in provider_ids:
        path = path_of.get(final.get(pk, pk))
        if path and organisation.path in Organisation.paths_above(path, include_self=True):
            below.add(pk)
    return below


def _months_by_provider(run: RecomputeRun) -> dict[int, set[str] | None] | None:
    """What a run recomputes: provider id -> its months (None: every month); None: every
    provider and every month."""
    if run.kind == RecomputeRun.Kind.FULL or (run.covers_every_provider and not run.months):
        return None
    if run.covers_every_provider:
        return {"*": set(run.months)}
    if run.provider_months:
        return {int(pk): set(months) for pk, months in run.provider_months.items()}
    return {int(pk): set(run.months) or None for pk in run.provider_ids}


def _covers(later: RecomputeRun, earlier: RecomputeRun) -> bool:
    """Whether ``later`` recomputed everything ``earlier`` would have (every run also keeps the
    store to the data's month range, so a range change is covered by any later run)."""
    wide, narrow = _months_by_provider(later), _months_by_provider(earlier)
    if wide is None:
        return True
    if narrow is None:
        return False
    for pk, months in narrow.items():
        have = wide.get(pk, wide.get("*", set()))
        if have is not None and (months is None or not months <= have):
            return False
    return True


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
