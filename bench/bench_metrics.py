"""Metrics engine speed at England scale (issue 16), on the workload of :mod:`bench.england`.

Figures (PostgreSQL; on SQLite only the recompute times, without the floor):

    full          services.recompute_all(): every provider, every metric, 24 months, all
                  professions and band groups, rolled up to England, in one transaction,
                  replacing the full store (a new table built, indexed and swapped in)
    floor         bench.floor: one hand-written aggregate statement per dataset (independent of
                  the engine) writing the same figures to unindexed temporary tables, run just
                  before and just after the full run with the same work_mem; its figures are
                  checked against the store figure by figure, after the full run and again after
                  the incremental runs
    incremental   the recompute an import queues (RecomputeRun with each provider's months, run
                  synchronously here to be timed) after a real change to activity rows: one
                  provider x one month, 50 providers x one month, one ICS's providers x 24 months
                  (median of 4: the change, undone, made and undone again); then a national file
                  (every provider x 24 months), which must take the full rebuild path
"""

from __future__ import annotations

import statistics
import time
from unittest import mock

ICS = "QF7"  # South Yorkshire and Bassetlaw


def _floor(months) -> tuple[float, dict | None]:
    """Seconds for the hand-written floor, and its check against the store (rolled back)."""
    from django.db import connection, transaction

    from bench import floor
    from dashboard import compute

    with transaction.atomic(), connection.cursor() as cursor:
        compute.tune_session()  # the recompute's own settings: same memory, no JIT
        seconds = floor.run(cursor, months[0], months[-1])
        check = floor.compare(cursor)
        transaction.set_rollback(True)
    return seconds, check


def _check_text(check: dict) -> str:
    text = (
        f"{check['figures']:,} figures: {check['different']} different, "
        f"{check['only_store']} only in the store, {check['only_floor']} only in the floor"
    )
    if check["uncovered"]:
        text += f"; not in the floor: {', '.join(check['uncovered'])}"
    return text


def _incremental(provider_months: dict, label: str, repeats: int = 4) -> tuple[float, int]:
    """Median seconds of the recompute an import of ``provider_months``' activity queues."""
    from dashboard import services
    from dashboard.models import RecomputeRun
    from workforce.models import Activity

    rows = Activity.objects.none()
    for pk, months in provider_months.items():
        rows = rows | Activity.objects.filter(provider_id=pk, month__in=months)
    ids = list(rows.values_list("pk", flat=True))
    # a run that changes nothing would time the comparison alone, not a change
    assert ids, f"{label}: no activity rows to change"
    times = []
    for i in range(repeats):
        from django.db.models import F

        Activity.objects.filter(pk__in=ids).update(contacts=F("contacts") + (-1 if i % 2 else 1))
        with mock.patch.object(services, "enqueue"):  # queued as an import queues it
            pending = services.request_recompute(
                provider_ids=list(provider_months),
                months=sorted({m for ms in provider_months.values() for m in ms}),
                provider_months=provider_months,
                sources=["activity"],  # as an activity import queues it
            )
        start = time.perf_counter()
        done = services.recompute(run=pending)
        times.append(time.perf_counter() - start)
        assert done.status == RecomputeRun.Status.SUCCEEDED, done.error
    print(f"  incremental, {label}: {', '.join(f'{t:.2f}' for t in times)} s", flush=True)
    return statistics.median(times), len(ids)


def _history() -> tuple[int, int]:
    """The figure history's versions and its size on disk, indexes included (PostgreSQL)."""
    from django.db import connection

    from dashboard.models import MetricValueVersion

    table = MetricValueVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), pg_total_relation_size('{table}') FROM {table}")
        versions, size = cursor.fetchone()
    return versions, size


def _growth(before: tuple[int, int], after: tuple[int, int], snapshots: int) -> str:
    versions, size = ((a - b) / snapshots for a, b in zip(after, before, strict=True))
    return f"{versions:,.0f} versions, {size / 2**20:.1f} MiB"


def main() -> list[tuple[str, str, str, bool | None]]:
    from django.db import connection

    from councils.models import Organisation
    from dashboard import compute, compute_months, services
    from dashboard.models import MetricValue, RecomputeRun

    postgres = connection.vendor == "postgresql"
    months = compute_months.months_with_data()
    if not MetricValue.objects.exists():
        print("Filling the empty store first (untimed)", flush=True)
        services.recompute_all()
    results = []
    floors = []
    if postgres:
        floors.append(_floor(months))
        print(f"  floor before the full run: {floors[-1][0]:.1f} s", flush=True)
    history = [_history()] if postgres else []
    start = time.perf_counter()
    run = services.recompute_all()
    full = time.perf_counter() - start
    if postgres:
        history.append(_history())
    assert run.status == RecomputeRun.Status.SUCCEEDED, run.error
    print(f"  full recompute: {full:.1f} s, {run.rows:,} figures", flush=True)
    if postgres:
        floors.append(_floor(months))
        print(f"  floor after the full run: {floors[-1][0]:.1f} s", flush=True)

    providers = list(
        Organisation.objects.filter(level="provider").order_by("path").values_list("pk", flat=True)
    )
    last = months[-1]
    ics = Organisation.objects.get(code=ICS)
    ics_providers = list(
        Organisation.objects.below(ics).filter(level="provider").values_list("pk", flat=True)
    )
    from workforce.models import Activity

    reporting = set(Activity.objects.filter(month=last).values_list("provider_id", flat=True))
    late = next(pk for pk in reversed(providers) if pk in reporting)
    one, _ = _incremental({late: [last]}, "the last provider in the tree with activity x 1 month")
    if postgres:
        history.append(_history())
    fifty, _ = _incremental(
        {pk: [last] for pk in [pk for pk in providers if pk in reporting][::4][:50]},
        "50 providers x 1 month",
    )
    if postgres:
        history.append(_history())
    ics_time, _ = _incremental(
        dict.fromkeys(ics_providers, months), f"{ICS}'s {len(ics_providers)} providers x 24 months"
    )
    if postgres:
        history.append(_history())
    if postgres:  # the store after the incremental runs, against the floor again
        floors.append(_floor(months))
        print(f"  floor after the incremental runs: {floors[-1][0]:.1f} s", flush=True)
    with mock.patch.object(compute, "_rebuild_and_swap", wraps=compute._rebuild_and_swap) as spy:
        national, _ = _incremental(dict.fromkeys(providers, months), "national file", repeats=1)
    national_path = spy.call_count == 1 if postgres else None

    results.append(("full recompute, 24 months", "<= 60 s", f"{full:.1f} s", full <= 60))
    if postgres:
        floor_s = statistics.mean(f[0] for f in floors[:2])
        ratio = full / floor_s
        results.append(
            (
                "hand-written floor (mean of before/after)",
                "-",
                f"{floors[0][0]:.1f} / {floors[1][0]:.1f} s",
                None,
            )
        )
        results.append(("full / floor", "<= 1.3", f"{ratio:.2f}", ratio <= 1.3))
        for label, (_, check) in zip(
            ("floor = store after the full run", "floor = store after incremental runs"),
            (floors[1], floors[2]),
            strict=True,
        ):
            same = check["different"] == check["only_store"] == check["only_floor"] == 0
            results.append((label, "every figure", _check_text(check), same))
    results += [
        ("incremental: 1 provider x 1 month", "<= 0.5 s", f"{one:.2f} s", one <= 0.5),
        ("incremental: 50 providers x 1 month", "<= 3 s", f"{fifty:.2f} s", fifty <= 3),
        (
            f"incremental: 1 ICS ({len(ics_providers)} providers) x 24 months",
            "<= 5 s",
            f"{ics_time:.2f} s",
            ics_time <= 5,
        ),
        (
            "national file (226 providers x 24 months)",
            "full rebuild path",
            f"{'full rebuild' if national_path else 'not the swap'}, {national:.1f} s",
            national_path,
        ),
    ]
    if postgres:  # what each snapshot adds to the figure history (changed figures only)
        history.append(_history())
        results.append(("history: versions in all", "-", f"{history[-1][0]:,}", None))
        cases = (
            ("full run", 1),
            ("1 provider x 1 month", 4),
            ("50 providers x 1 month", 4),
            ("1 ICS x 24 months", 4),
            ("national file", 1),
        )
        # between the ICS case and the national file: the floor, which writes no history
        for i, (label, snapshots) in enumerate(cases):
            grown = _growth(history[i], history[i + 1], snapshots)
            results.append((f"history growth per snapshot: {label}", "-", grown, None))
    print(f"  store: {MetricValue.objects.count():,} figures", flush=True)
    return results


if __name__ == "__main__":  # pragma: no cover
    import os
    import sys
    from pathlib import Path

    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ahpportal.settings")
    django.setup()
    main()
