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


STAT_FIELDS = ("count", "minimum", "lower_quartile", "median", "upper_quartile", "maximum")
STAT_KEY = ("provider_type", "metric", "month")
POSITION_FIELDS = ("rank", "quarter")
POSITION_KEY = ("organisation_id", "metric", "month")


def refresh(months: list[dt.date] | None, computed_at, *, pairs=None) -> int:
    """Replace the peer stats and positions of ``months`` (None: all), or of the (metric, month)
    ``pairs`` only, from the store's provider figures (one read of the figures). A full refresh
    deletes and writes them all; a narrower one reads those it replaces and writes only the
    stats and positions that changed (after a small import most ranks stand). Returns the stats
    written."""
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
    groups: dict[tuple[str, str, dt.date], list[tuple[float, int]]] = {}
    for kind, metric, month, value, org_id in figures.values_list(
        "organisation__provider_type", "metric", "month", "value", "organisation_id"
    ).iterator(chunk_size=10_000):
        groups.setdefault((kind, metric, month), []).append((value, org_id))
    new_stats, new_positions = {}, {}
    for (kind, metric, month), rows in groups.items():
        if len(rows) < MIN_PEERS:
            continue
        ordered = sorted(v for v, _ in rows)
        q1, median, q3 = (quantile(ordered, p) for p in (0.25, 0.5, 0.75))
        new_stats[(kind, metric, month)] = (len(ordered), ordered[0], q1, median, q3, ordered[-1])
        for value, org_id in rows:
            new_positions[(org_id, metric, month)] = (
                bisect_left(ordered, value) + 1,
                quarter(value, q1, median, q3),
            )
    if months is None and pairs is None:
        stats.delete()
        positions.delete()
    else:  # keep what stands: delete what changed or went, write what changed or came
        new_stats = _changed(stats, STAT_KEY, STAT_FIELDS, new_stats)
        new_positions = _changed(positions, POSITION_KEY, POSITION_FIELDS, new_positions)
    PeerStat.objects.bulk_create(
        [
            PeerStat(
                **dict(zip(STAT_KEY, key, strict=True)),
                **dict(zip(STAT_FIELDS, fields, strict=True)),
                computed_at=computed_at,
            )
            for key, fields in new_stats.items()
        ],
        batch_size=2_000,
    )
    PeerPosition.objects.bulk_create(
        [
            PeerPosition(
                **dict(zip(POSITION_KEY, key, strict=True)),
                **dict(zip(POSITION_FIELDS, fields, strict=True)),
                computed_at=computed_at,
            )
            for key, fields in new_positions.items()
        ],
        batch_size=2_000,
    )
    return len(new_stats)


def _changed(rows, key: tuple[str, ...], fields: tuple[str, ...], new: dict) -> dict:
    """Delete the stored ``rows`` whose fields differ from ``new`` (or that ``new`` no longer
    has), and return the part of ``new`` to write: what changed or is new."""
    gone, kept = [], set()
    for pk, *values in rows.values_list("pk", *key, *fields).iterator(chunk_size=10_000):
        stored_key, stored = tuple(values[: len(key)]), tuple(values[len(key) :])
        if new.get(stored_key) == stored:
            kept.add(stored_key)
        else:
            gone.append(pk)
    for start in range(0, len(gone), 5_000):
        rows.model.objects.filter(pk__in=gone[start : start + 5_000]).delete()
    return {k: v for k, v in new.items() if k not in kept}
