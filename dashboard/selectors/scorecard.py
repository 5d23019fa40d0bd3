"""The scorecard: every metric of an organisation for a month, by domain."""

from __future__ import annotations

import datetime as dt
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


def scorecard_for(
    user, org: Organisation, filters: Filters, months: list[dt.date] | None = None
) -> Scorecard:
    """The four domains for ``org`` at ``filters.month`` (default the latest month). The rows
    are cached until the next recompute, for the viewer's suppression view, the targets and
    the change points as they stand (:mod:`dashboard.page_cache`)."""
    if months is None:
        months = available_months(org)
    month = resolve_month(filters, months)
    targets = _targets(org)
    metric_list = list(catalogue.SCORECARD)
    breaks = change_points_for(org, [m.code for m in metric_list], window(month)) if month else {}
    rows = page_cache.cached(
        "scorecard",
        (
            org.pk,
            filters.profession,
            filters.band_group,
            month,
            view_of(user, [org]),
            page_cache.targets_part(targets),
            page_cache.change_points_part(breaks),
        ),
        lambda: _metric_rows(
            user=user,
            org=org,
            metric_list=metric_list,
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
    return page_data(
        Scorecard,
        org=org,
        stamps=[row.computed_at for row in rows],
        filters=filters,
        month=month,
        months=months,
        domains=domains,
        month_note=month_reason(filters, months),
    )
