"""The dashboard pages' computed figures, cached until the next recompute (issue 16).

A page's figures change only when a recompute commits, yet every request read them from the
store, ran the SPC rules over 24 months per metric and drew the charts again. What is cached:

* the months a page can show for an organisation (:func:`~.selectors.available_months`);
* the scorecard's metric rows (latest value as the viewer may see it, target status, SPC
  verdicts, sparkline), also read by its CSV and XLSX downloads, the board report and meetings;
* the metric page's computed part (XmR chart and its table, drill-down, benchmarks and ranks,
  peer benchmarking).

The key of each entry (:func:`key`) holds everything the entry is computed from:

* **the store's version**: the latest snapshot's id (:mod:`.snapshots`; every recompute commits
  one in its own transaction, so a new one comes with the new figures). While the store has no
  snapshot (figures written outside a recompute) nothing is cached;
* the page's organisation and parameters (filters, the month shown, the metric, and for the
  metric page the organisations on it with their codes and names, so a change of the tree or a
  rename is a new key);
* **the viewer's suppression view** (:func:`.suppression.view_of`): the ids of the
  organisations on the page where the viewer holds a role, the only thing that decides which
  figures marked ``suppressed`` they may see. Two viewers with the same view see the same
  figures; a viewer with another view never gets their entry;
* what a chair can change without a recompute, as read on this request: the effective targets
  and the change points in the window.

Never cached: anything that depends on the request or on time (the freshness note, which says
a recompute is running and since when; which organisations the viewer may open; the page
itself, with its CSRF token, the user's name and messages). Old versions' entries are never
read again and expire (``DASHBOARD_CACHE_SECONDS``, default a day). The cache is Django's
default cache (``CACHE_URL``: per-process memory unless set, Redis shared by every worker when
set).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

from .models import Snapshot

T = TypeVar("T")


def store_version() -> int | None:
    """The latest snapshot's id (one indexed query), or None while there is none."""
    return Snapshot.objects.order_by("-pk").values_list("pk", flat=True).first()


def key(kind: str, version: int, parts: tuple) -> str:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()
    return f"dashboard:{kind}:v{version}:{digest}"


def cached(kind: str, parts: tuple, compute: Callable[[], T]) -> T:
    """``compute()``'s value for ``parts`` at the store's current version, from the cache when
    it holds it. ``parts`` must name everything ``compute`` reads besides the store."""
    version = store_version()
    if version is None:
        return compute()
    name = key(kind, version, parts)
    value = cache.get(name)
    if value is None:
        value = compute()
        cache.set(name, value, settings.DASHBOARD_CACHE_SECONDS)
    return value


def targets_part(targets: dict) -> tuple:
    """The effective targets as read (``{code: EffectiveTarget}``), for a key."""
    return tuple(sorted((code, t.value, t.source) for code, t in targets.items()))


def change_points_part(breaks: dict) -> tuple:
    """The change points as read (``{code: {position: (month, reason)}}``), for a key."""
    return tuple(sorted((code, tuple(sorted(points.items()))) for code, points in breaks.items()))
