"""What a reorganisation costs the recompute at England scale (issue 17): the "as it was" view
(:mod:`dashboard.as_it_was`) stores only the organisation-months whose structure then differs
from today's, and every recompute rewrites them. The England data has no reorganisation, so this
records two inside a transaction that is rolled back at the end (the database is left as it
was), one after the other, half way through the 24 months:

    a move      the SYB ICS's first provider moves to its ICS's last place
    a merger    and that place's first two other providers merge into a new code

After each, it times the rewrite of the figures as it was for every month (what a full run adds)
and for the last month (what an import of one month adds), and counts what is stored. The store
itself is not recomputed (a full run is timed by bench_metrics): the figures as it was rest on
the raw data and the structure only, their suppression on the store's flags as they stand.
"""

from __future__ import annotations

import time

ICS = "QF7"  # South Yorkshire and Bassetlaw


class _Rollback(Exception):
    pass


def _rewrite(in_range, label: str) -> tuple[float, float, int, int]:
    from django.utils import timezone

    from dashboard import as_it_was
    from dashboard.models import AsItWasScope, MetricValue

    start = time.perf_counter()
    rows = as_it_was.rebuild(in_range, timezone.now())
    whole = time.perf_counter() - start
    start = time.perf_counter()
    as_it_was.rebuild(in_range, timezone.now(), only=[in_range[-1]])
    one = time.perf_counter() - start
    pairs = AsItWasScope.objects.count()
    store = MetricValue.objects.count()
    print(
        f"  {label}: {rows:,} figures as it was ({rows / store:.1%} of the store's {store:,}) "
        f"for {pairs:,} organisation-months; every month {whole:.1f} s, the last month "
        f"{one:.2f} s",
        flush=True,
    )
    return whole, one, rows, pairs


def _figures(change: str, whole: float, one: float, rows: int, pairs: int) -> list[tuple]:
    return [
        (f"as it was, {change}: figures stored", "-", f"{rows:,} ({pairs:,} org-months)", None),
        (f"as it was, {change}: every month / last", "-", f"{whole:.1f} / {one:.2f} s", None),
    ]


def main() -> list[tuple[str, str, str, bool | None]]:
    from django.db import transaction

    from ahpportal.months import month_start
    from councils import structure
    from councils.models import Organisation
    from dashboard import compute_months

    in_range = compute_months.months_with_data()
    halfway = month_start(in_range[len(in_range) // 2])
    ics = Organisation.objects.get(code=ICS)
    places = list(ics.get_children().order_by("path"))
    providers = list(
        Organisation.objects.below(ics)
        .filter(level="provider", closed_on__isnull=True)
        .order_by("path")
    )
    mover = providers[0]
    to = next(p for p in reversed(places) if not mover.path.startswith(p.path))
    staying = [p for p in providers if p.path.startswith(to.path)][:2]
    results = []
    try:
        with transaction.atomic():
            structure.record_move(mover, to, halfway, user=None, reason="Bench: a move")
            whole, one, rows, pairs = _rewrite(in_range, f"{mover.code} moves to {to.code}")
            results += _figures("a move", whole, one, rows, pairs)
            if len(staying) == 2:
                structure.record_merger(
                    staying, code="BENCH1", name="Bench merged trust", effective=halfway,
                    user=None, reason="Bench: a merger",
                )  # fmt: skip
                label = f"and {staying[0].code} + {staying[1].code} merge"
                whole, one, rows, pairs = _rewrite(in_range, label)
                results += _figures("+ a merger", whole, one, rows, pairs)
            raise _Rollback
    except _Rollback:
        pass
    return results
