"""Small-number suppression (PRODUCT.md 3.4), applied wherever a figure leaves the server.

A figure resting on fewer than :data:`THRESHOLD` people is shown as "fewer than 5" to anyone whose
view scope does not cover the organisation that owns it. People inside the organisation (or above
it) see the figure itself. Pages, exports and the API all call :func:`shown` or
:func:`is_suppressed`, so the rule lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from councils.scoping import covers

THRESHOLD = 5
SUPPRESSED_TEXT = "fewer than 5"


def is_suppressed(*, people: int | None, owner, user) -> bool:
    """Whether ``user`` must not see a figure of ``owner`` (an Organisation) resting on
    ``people`` people. Figures with no people count (ratios of activity) are never suppressed."""
    if people is None or people >= THRESHOLD:
        return False
    return not covers(user, "view", owner)


@dataclass(frozen=True)
class Shown:
    """A figure as it may leave the server: ``value`` is None when suppressed or missing."""

    value: float | None
    suppressed: bool

    @property
    def is_missing(self) -> bool:
        return self.value is None and not self.suppressed


def shown(metric_value, user, owner=None, *, covered: bool | None = None) -> Shown:
    """The value of a MetricValue row as ``user`` may see it.

    ``owner`` defaults to ``metric_value.organisation`` (select it with ``select_related`` or
    pass it, so that no query is made here). ``covered`` may pass the answer of
    ``covers(user, "view", owner)`` when the caller already has it (many rows of one owner).
    """
    if metric_value is None:
        return Shown(None, False)
    people = metric_value.people
    if people is None or people >= THRESHOLD:
        return Shown(metric_value.value, False)
    if covered is None:
        owner = owner if owner is not None else metric_value.organisation
        covered = covers(user, "view", owner)
    if not covered:
        return Shown(None, True)
    return Shown(metric_value.value, False)
