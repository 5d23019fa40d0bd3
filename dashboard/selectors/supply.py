"""The workforce supply page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from councils.models import Organisation

from .. import metrics as catalogue
from ..metrics import Metric
from ..models import MetricValue
from ..suppression import Shown, shown
from .common import (
    Figure,
    Filters,
    MetricRow,
    _metric_rows,
    _targets,
    available_months,
    completeness,
    display,
    figures,
    page_data,
    resolve_month,
)

SUPPLY_TOTALS = (
    "support_workforce_share",
    "apprentices",
    "advanced_practitioners",
    "return_to_practice_starters",
)
SUPPLY_BY_PROFESSION = (
    "vacancy_rate",
    "turnover_rate",
    "apprentices",
    "advanced_practitioners",
    "return_to_practice_starters",
)
# Capacity and risk (issue 19): placements, retirement risk, qualifications, clinical time.
SUPPLY_CAPACITY = (
    "placement_fill_rate",
    "placement_capacity_rate",
    "aged_55_plus_share",
    "support_qualified_l3",
    "dcc_sessions_per_fte",
)
APPRENTICE_LEVELS = tuple(m.code for m in catalogue.group_metrics("apprentice_levels"))
IN_POST_METRIC = "job_plan_coverage"  # its denominator is the in-post headcount


# ---------------------------------------------------------------------------------------------
# Workforce supply


@dataclass
class ProfessionSupply:
    profession: object  # workforce.Profession
    in_post: str
    cells: list[tuple[Metric, str, str]]  # metric, value as shown, completeness
    in_post_completeness: str = ""


@dataclass
class Supply:
    org: Organisation
    filters: Filters
    month: dt.date | None
    months: list[dt.date]
    totals: list[MetricRow]
    capacity: list[MetricRow]
    apprentice_levels: list[MetricRow]
    professions: list[ProfessionSupply]
    metrics: list[Metric]
    computed_at: dt.datetime | None
    freshness: str


def supply_for(
    user, org: Organisation, filters: Filters, months: list[dt.date] | None = None
) -> Supply:
    """Small and vulnerable professions (seed 004), support workforce share, apprentices (and
    by level), advanced practitioners, return-to-practice starters, placements, retirement
    risk, support staff qualifications and direct clinical care per FTE (one query for all of
    the measures)."""
    from workforce.models import Profession

    if months is None:
        months = available_months(org)
    month = resolve_month(filters, months)
    targets = _targets(org)
    all_filters = Filters(month=month)
    codes = (*SUPPLY_TOTALS, *SUPPLY_CAPACITY, *APPRENTICE_LEVELS)
    rows = _metric_rows(
        user=user,
        org=org,
        metric_list=[catalogue.get(code) for code in codes],
        filters=all_filters,
        month=month,
        targets=targets,
        chart_prefix="supply-trend",
    )
    totals = rows[: len(SUPPLY_TOTALS)]
    capacity = rows[len(SUPPLY_TOTALS) : len(SUPPLY_TOTALS) + len(SUPPLY_CAPACITY)]
    apprentice_levels = rows[len(SUPPLY_TOTALS) + len(SUPPLY_CAPACITY) :]
    small = list(Profession.objects.filter(small_and_vulnerable=True))
    table_metrics = [catalogue.get(code) for code in SUPPLY_BY_PROFESSION]
    found: dict[tuple[str, str], Figure] = {}
    if month is not None and small:
        for mv in figures(
            MetricValue.objects.filter(
                organisation=org,
                month=month,
                band_group="all",
                profession__in=[p.code for p in small],
                metric__in=[m.code for m in table_metrics] + [IN_POST_METRIC],
            )
        ):
            found[(mv.profession, mv.metric)] = mv
    professions = []
    in_post_metric = catalogue.get("apprentices")  # a count, for formatting
    for p in small:
        in_post_mv = found.get((p.code, IN_POST_METRIC))
        figure = shown(in_post_mv, user, owner=org)
        in_post = (
            display(in_post_metric, Shown(in_post_mv.denominator, False))
            if in_post_mv is not None and not figure.suppressed
            else display(in_post_metric, Shown(None, figure.suppressed))
        )
        cells = [
            (
                m,
                display(m, shown(found.get((p.code, m.code)), user, owner=org)),
                completeness(found.get((p.code, m.code))),
            )
            for m in table_metrics
        ]
        professions.append(
            ProfessionSupply(
                profession=p,
                in_post=in_post,
                cells=cells,
                in_post_completeness=completeness(in_post_mv),
            )
        )
    return page_data(
        Supply,
        org=org,
        stamps=[r.computed_at for r in rows] + [mv.computed_at for mv in found.values()],
        filters=all_filters,
        month=month,
        months=months,
        totals=totals,
        capacity=capacity,
        apprentice_levels=apprentice_levels,
        professions=professions,
        metrics=table_metrics,
    )
