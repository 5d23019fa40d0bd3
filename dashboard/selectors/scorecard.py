"""The scorecard: every metric of an organisation for a month, by domain."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from councils.models import Organisation

from .. import metrics as catalogue
from .. import page_cache
from ..series import window
from ..suppression import view_of
from .common import (
    Filters,
    MetricRow,
    _metric_rows,
    _targets,
    available_months,
    change_points_for,
    month_reason,
    page_data,
    resolve_month,
)

# ---------------------------------------------------------------------------------------------
# Scorecard


@dataclass
class Scorecard:
    org: Organisation
    filters: Filters
    month: dt.date | None
    months: list[dt.date]
    domains: list[tuple[str, str, list[MetricRow]]]
    computed_at: dt.datetime | None
    freshness: str
    month_note: str = ""  # which month the page opened on, and why

    @property
    def rows(self) -> list[MetricRow]:
        return [row for _, _, rows in self.domains for row in rows]

    @property
    def exceptions(self) -> list[MetricRow]:
        return [row for row in self.rows if row.is_exception]

    @property
    def has_figures(self) -> bool:
        return any(row.current is not None for row in self.rows)


def _inputs(user, org: Organisation, filters: Filters, months: list[dt.date]):
    """What the scorecard's figures are computed from besides the store, read on every
    request: the month, the targets and the change points; and the cache key's parts."""
    month = resolve_month(filters, months)
    targets = _targets(org)
    codes = [m.code for m in catalogue.SCORECARD]
    breaks = change_points_for(org, codes, window(month)) if month else {}
    parts = (
        org.pk,
        filters.profession,
        filters.band_group,
        filters.view,
        month,
        view_of(user, [org]),
        page_cache.targets_part(targets),
        page_cache.change_points_part(breaks),
    )
    return month, targets, breaks, parts


def scorecard_for(
    user, org: Organisation, filters: Filters, months: list[dt.date] | None = None
) -> Scorecard:
    """The four domains for ``org`` at ``filters.month`` (default the latest month). The rows
    are cached until the next recompute, for the viewer's suppression view, the targets and
    the change points as they stand (:mod:`dashboard.page_cache`)."""
    if months is None:
        months = available_months(org)
    return _scorecard(user, org, filters, months, _inputs(user, org, filters, months))


def _scorecard(user, org, filters, months, inputs) -> Scorecard:
    month, targets, breaks, parts = inputs
    rows = page_cache.cached(
        "scorecard",
        parts,
        lambda: _metric_rows(
            user=user,
            org=org,
            metric_list=list(catalogue.SCORECARD),
            filters=filters,
            month=month,
            targets=targets,
            breaks=breaks,
        ),
    )
    by_code = {row.metric.code: row for row in rows}
    domains = [
        (code, name, [by_code[m.code] for m in metric_list])
        for code, name, metric_list in catalogue.by_domain(catalogue.SCORECARD)
    ]
    return _card(org, filters, months, month, [row.computed_at for row in rows], domains)


def _card(org, filters, months, month, stamps, domains) -> Scorecard:
    return page_data(
        Scorecard,
        org=org,
        stamps=stamps,
        filters=filters,
        month=month,
        months=months,
        domains=domains,
        month_note=month_reason(filters, months),
    )


def scorecard_tables(
    user,
    org: Organisation,
    filters: Filters,
    months: list[dt.date],
    *,
    render: Callable[[Scorecard], str],
    variant: tuple,
) -> tuple[Scorecard, str]:
    """The scorecard page's tables as ``render(card)`` writes them, cached like the rows (and
    by ``variant``: whatever else ``render`` reads, e.g. the query its links keep), with the
    card they came from, its rows left out. On a hit nothing is computed or rendered again:
    rendering 25 rows with their sparklines cost more than reading the cache."""
    inputs = _inputs(user, org, filters, months)
    month, _, _, parts = inputs

    def compute():
        card = _scorecard(user, org, filters, months, inputs)
        return card.computed_at, render(card)

    computed_at, tables = page_cache.cached("scorecard-tables", (*parts, variant), compute)
    return _card(org, filters, months, month, [computed_at], []), tables
