"""Versioned metric definitions (PRODUCT.md 7): each metric's definition (numerator, denominator,
better direction, default target, wording) has versions, each with the month it took effect and
why.

The definitions the engine computes with are code (:mod:`dashboard.metrics`), so their history is
code too: the catalogue's :class:`~dashboard.metrics.Metric` is the current version, and
:data:`CHANGES` records, per metric, each change with its effective month, its reason and the
fields as they were before it. Version 1 is in force from the first month with figures; version
k + 1 from the month of the k-th change. A change of numerator or denominator must come with the
engine's SQL for the months before it (:mod:`dashboard.compute_datasets`); so far every metric is
at version 1.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

from . import metrics as catalogue

#: the parts of a definition a version records
VERSIONED = ("name", "numerator", "denominator", "direction", "default_target", "description")


@dataclass(frozen=True)
class Change:
    """A new version of a metric's definition from ``month`` on; ``before`` holds the fields
    (of :data:`VERSIONED`) that differed until then."""

    month: dt.date
    reason: str
    before: dict


@dataclass(frozen=True)
class Version:
    code: str
    number: int
    effective_month: dt.date | None  # None: from the first month with figures
    reason: str
    name: str
    numerator: str
    denominator: str
    direction: str
    default_target: float | None
    description: str

    def as_dict(self) -> dict:
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "code"}
        month = self.effective_month
        out["effective_month"] = month.strftime("%Y-%m") if month else None
        return out


#: metric code -> its changes, oldest first (none recorded yet: every metric is at version 1)
CHANGES: dict[str, tuple[Change, ...]] = {}
FIRST_REASON = "First definition in the portal"


def versions(code: str) -> list[Version]:
    """Every version of ``code``'s definition, oldest first (the last is the catalogue's)."""
    metric = catalogue.get(code)
    current = {name: getattr(metric, name) for name in VERSIONED}
    changes = CHANGES.get(code, ())
    states = [current]
    for change in reversed(changes):  # walk back from the current definition
        unknown = set(change.before) - set(VERSIONED)
        if unknown:
            raise ValueError(f"{code}: a change names fields no version records: {unknown}")
        states.insert(0, {**states[0], **change.before})
    out = []
    for i, state in enumerate(states):
        change = changes[i - 1] if i else None
        out.append(
            Version(
                code=code,
                number=i + 1,
                effective_month=change.month if change else None,
                reason=change.reason if change else FIRST_REASON,
                **state,
            )
        )
    return out


def version_number_at(code: str, month: dt.date) -> int:
    """The version of ``code``'s definition behind a figure of ``month``."""
    number = 1
    for i, change in enumerate(CHANGES.get(code, ()), start=2):
        if month >= change.month:
            number = i
    return number


def changes_between(code: str, first: dt.date, last: dt.date) -> list[Version]:
    """The versions of ``code`` that took effect after ``first`` and by ``last`` (a chart's
    window marks each)."""
    return [v for v in versions(code) if v.effective_month and first < v.effective_month <= last]
