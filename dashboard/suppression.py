"""Small-number suppression (PRODUCT.md 3.4), applied wherever a figure leaves the server.

Which figures are small is decided once, when the figures are computed
(``dashboard.compute.suppress``), and stored with each figure (``MetricValue.suppressed``):
a figure resting on fewer than :data:`THRESHOLD` people, and secondary suppression: wherever a
total and its parts (a parent and its children; all professions and each profession; all bands
and the band groups; all bands and the single bands) hold exactly one hidden figure, which could
be worked out by subtraction, one more (the smallest visible part, or the total), repeated until
no group holds exactly one.

Who may see a small figure is decided here, by :func:`is_suppressed` alone: only people holding a
role at the organisation that owns the figure. Everyone else (the parents, siblings, regional and
national users, analysts) sees "fewer than 5": on pages, in charts (no plotted point), tables,
CSV and XLSX downloads, the board report and the API (value, numerator and denominator null,
``suppressed: true``).
"""

from __future__ import annotations

from dataclasses import dataclass

from councils.scoping import scope_memberships

THRESHOLD = 5
SUPPRESSED_TEXT = "fewer than 5"


def holds_role_at(user, owner) -> bool:
    """Whether ``user`` holds any role at ``owner`` itself (an Organisation, or anything with its
    ``path``); a role above it does not count. No query after the first for a user."""
    return any(path == owner.path for _, path in scope_memberships(user))


def view_of(user, organisations) -> tuple[int, ...]:
    """``user``'s suppression view of a page showing the figures of ``organisations``: the
    sorted ids of those where they hold a role, which decides every suppressed figure they may
    see there. Viewers with the same view see the same figures (the dashboard's page cache is
    keyed by it, :mod:`dashboard.page_cache`)."""
    return tuple(sorted({org.pk for org in organisations if holds_role_at(user, org)}))


def is_suppressed(*, suppressed: bool, owner, user) -> bool:
    """THE rule: whether ``user`` must not see a figure of ``owner`` that the recompute marked
    ``suppressed`` (fewer than 5 people, or hidden so that such a figure cannot be derived)."""
    return bool(suppressed) and not holds_role_at(user, owner)


@dataclass(frozen=True)
class Shown:
    """A figure as it may leave the server: ``value`` is None when suppressed or missing."""

    value: float | None
    suppressed: bool

    @property
    def is_missing(self) -> bool:
        return self.value is None and not self.suppressed


def shown(metric_value, user, owner=None, *, own: bool | None = None) -> Shown:
    """The value of a stored figure (MetricValue or selectors.Figure) as ``user`` may see it.

    ``owner`` defaults to ``metric_value.organisation`` (select it with ``select_related`` or
    pass it, so that no query is made here). ``own`` may pass the answer of
    ``holds_role_at(user, owner)`` when the caller already has it (many rows of one owner).
    """
    if metric_value is None:
        return Shown(None, False)
    if not metric_value.suppressed:
        return Shown(metric_value.value, False)
    if own is not None:  # holds_role_at(user, owner), worked out once for many rows
        hidden = not own
    else:
        owner = owner if owner is not None else metric_value.organisation
        hidden = is_suppressed(suppressed=True, owner=owner, user=user)
    return Shown(None, True) if hidden else Shown(metric_value.value, False)


def people_text(metric_value, figure: Shown) -> str:
    """The people a figure rests on, as shown beside it ("" when not people-based)."""
    if metric_value is None or metric_value.people is None:
        return ""
    if figure.suppressed:
        return SUPPRESSED_TEXT
    return f"{metric_value.people:,}"
