"""The month range of the metrics engine (:mod:`dashboard.compute`): which months have figures,
which the store holds, and the ``months`` list each statement is joined to."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max, Min

from ahpportal.months import add_months, month_end, month_range, month_start
from councils.models import Organisation
from workforce.models import Activity, Establishment, Spend, StaffMonth

from . import metrics as catalogue
from .models import MetricValue


def months_with_data() -> list[dt.date]:
    """The store's month range: every month from the first to the last month found in the
    monthly datasets (4 queries); the 24 months to this month when there are none.

    This is the one definition of which months have figures. The full recompute writes exactly
    these months, an incremental run keeps the store to them (:func:`align_range`) and an import
    bounds the months a staff change touches by them, so the store never depends on the order
    in which files were imported. Staff records and the staff survey do not move the range (a
    person in post since 1998 gives no figures for 1998); their figures fill it."""
    firsts, lasts = [], []
    for model in (StaffMonth, Establishment, Activity, Spend):
        bounds = model.objects.aggregate(first=Min("month"), last=Max("month"))
        if bounds["first"]:
            firsts.append(bounds["first"])
            lasts.append(bounds["last"])
    if not firsts:
        this_month = month_start(dt.date.today())
        return month_range(add_months(this_month, -23), this_month)
    return month_range(min(firsts), max(lasts))


def _months_cte(months: list[dt.date]) -> tuple[str, list]:
    rows, params = [], []
    for month in months:
        start = month_start(month)
        rows.append("(%s, %s, %s, %s, %s)")
        params += [
            start,
            month_end(start),
            month_end(add_months(start, -12)),
            start.year,
            catalogue.annual_month(start.year),
        ]
    return (
        "months(m_start, m_end, w_end, m_year, m_year_start) AS (VALUES " + ", ".join(rows) + ")",
        params,
    )


def stored_months() -> set[dt.date]:
    """The months the store holds figures for (one indexed query): every figure rolls up to the
    root of the tree, so its months are the store's months."""
    root = Organisation.get_first_root_node()
    if root is None:
        return set()
    return set(
        MetricValue.objects.filter(organisation=root)
        .exclude(metric__in=catalogue.ANNUAL_CODES)  # a survey year's January is not a month
        .values_list("month", flat=True)
        .distinct()
    )


def range_changes(in_range: list[dt.date]) -> tuple[list[dt.date], list[dt.date]]:
    """Months to add to the store (in the range, no figures yet) and to drop from it (figures,
    but outside the range): both change every organisation's figures."""
    stored, wanted = stored_months(), set(in_range)
    return sorted(wanted - stored), sorted(stored - wanted)
