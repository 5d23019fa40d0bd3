"""Where a recompute's write changed the store, for its snapshot (:mod:`dashboard.snapshots`).

While :func:`recorded` is open, the engine notes where it changed figures: an incremental run's
merge (:func:`dashboard.compute.merge`: figures updated, added or removed) and suppression
(:func:`dashboard.compute_suppression.secondary`: flags changed, anywhere in a metric and month,
siblings and parents included). Each is noted as (organisation id, month, metric). A write that
replaces figures some other way (a full run, a month computed for every organisation, months
dropped from the range) marks the record inexact, and the snapshot falls back on the run's
whole scope. The snapshot then compares the history with the store only where figures changed,
not over every figure of every organisation above an import's providers.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Changes:
    where: set[tuple[int, str, str]] = field(default_factory=set)  # (organisation, month, metric)
    exact: bool = True  # False: something was written without being noted here


_CURRENT: ContextVar[Changes | None] = ContextVar("store_changes", default=None)


@contextmanager
def recorded():
    """Note, inside it, where the store changes (yields the :class:`Changes`, filled in place)."""
    changes = Changes()
    token = _CURRENT.set(changes)
    try:
        yield changes
    finally:
        _CURRENT.reset(token)


@contextmanager
def not_recorded():
    """Inside it nothing is noted (a full rebuild: its snapshot compares everything)."""
    token = _CURRENT.set(None)
    try:
        yield
    finally:
        _CURRENT.reset(token)


def recording() -> bool:
    return _CURRENT.get() is not None


def note(places: Iterable[tuple]) -> None:
    """Figures changed at these (organisation id, month, metric)."""
    changes = _CURRENT.get()
    if changes is not None:
        changes.where.update((int(org), str(month)[:10], metric) for org, month, metric in places)


def note_inexact() -> None:
    """Figures were replaced without being noted: the snapshot must compare the run's scope."""
    changes = _CURRENT.get()
    if changes is not None:
        changes.exact = False
