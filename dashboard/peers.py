"""Peer benchmarking (PRODUCT.md 9): each provider's figure against every provider of the same
type (acute, community, mental health, ambulance, local authority, independent) in England, in
the Model Hospital manner.

Written by the recompute, in its transaction, right after the figures and their suppression
(:func:`refresh`), for the months it computed; pages and the API only read it.

* The distribution is over the providers' figures for all professions and all bands. A figure
  hidden by small-number suppression (fewer than 5 people, or hidden so that one cannot be
  worked out: ``MetricValue.suppressed``) is left out, and so is a missing one.
* Quartiles by linear interpolation between order statistics, "type 7" of Hyndman and Fan (R's
  ``quantile()`` default, numpy's ``percentile`` default): for sorted values x1..xn, the p-th
  quantile is at position h = (n - 1) p + 1, x[floor h] + (h - floor h)(x[floor h + 1] -
  x[floor h]).
* No stats are kept for fewer than :data:`MIN_PEERS` providers, so a distribution never gives
  away the figures of one or two others. No provider's value is stored here: only the count,
  minimum, quartiles, median and maximum, and each provider's rank and quarter.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left

from django.db.models import Q

from councils.models import Level

from .models import MetricValue, PeerPosition, PeerStat

MIN_PEERS = 5


def quantile(ordered: list[float], p: float) -> float:
    """Type 7 quantile of ``ordered`` (sorted, not empty) at ``p`` in [0, 1]."""
    h = (len(ordered) - 1) * p
    low = math.floor(h)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (h - low) * (ordered[high] - ordered[low])


def quarter(value: float, q1: float, median: float, q3: float) -> int:
    """1: at or below the lower quartile; 2: up to the median; 3: up to the upper quartile; 4:
    above it."""
    if value <= q1:
        return 1
    if value <= median:
        return 2
    if value <= q3:
        return 3
    return 4


def _of_pairs(pairs) -> Q:
    """The rows of the (metric, month) pairs, one condition per month."""
    metrics_of: dict[str, set[str]] = {}
    for metric, month in pairs:
        metrics_of.setdefault(str(month)[:10], set()).add(metric)
    q = Q(pk__in=[])
    for month, metrics in sorted(metrics_of.items()):
        q |= Q(month=dt.date.fromisoformat(month), metric__in=sorted(metrics))
    return q


def refresh(months: list[dt.date] | None, computed_at, *, pairs=None) -> int:
    """Replace the peer stats and positions of ``months`` (None: all), or of the (metric, month)
    ``pairs`` only, from the store's provider figures (one read, two deletes, two bulk
    inserts). Returns the stats written."""
    if pairs is not None and not pairs:
        return 0
    stats, positions = PeerStat.objects.all(), PeerPosition.objects.all()
    figures = MetricValue.objects.filter(
        organisation__level=Level.PROVIDER,
        profession="all",
        band_group="all",
        suppressed=False,
        value__isnull=False,
    ).exclude(organisation__provider_type="")
    if months is not None:
        stats, positions = stats.filter(month__in=months), positions.filter(month__in=months)
        figures = figures.filter(month__in=months)
    if pairs is not None:
        narrow = _of_pairs(pairs)
        stats, positions = stats.filter(narrow), positions.filter(narrow)
        figures = figures.filter(narrow)
    stats.delete()
    positions.delete()
    groups: dict[tuple[str, str, dt.date], list[tuple[float, int]]] = {}
    for kind, metric, month, value, org_id in figures.values_list(
        "organisation__provider_type", "metric", "month", "value", "organisation_id"
    ).iterator(chunk_size=10_000):
        groups.setdefault((kind, metric, month), []).append((value, org_id))
    new_stats, new_positions = [], []
    for (kind, metric, month), rows in groups.items():
        if len(rows) < MIN_PEERS:
            continue
        ordered = sorted(v for v, _ in rows)
        q1, median, q3 = (quantile(ordered, p) for p in (0.25, 0.5, 0.75))
        new_stats.append(
            PeerStat(
                provider_type=kind,
                metric=metric,
                month=month,
                count=len(ordered),
                minimum=ordered[0],
                lower_quartile=q1,
                median=median,
                upper_quartile=q3,
                maximum=ordered[-1],
                computed_at=computed_at,
            )
        )
        new_positions += [
            PeerPosition(
                organisation_id=org_id,
                metric=metric,
                month=month,
                rank=bisect_left(ordered, value) + 1,
                quarter=quarter(value, q1, median, q3),
                computed_at=computed_at,
            )
            for value, org_id in rows
        ]
    PeerStat.objects.bulk_create(new_stats, batch_size=2_000)
    PeerPosition.objects.bulk_create(new_positions, batch_size=2_000)
    return len(new_stats)
