"""One SPC series: the window of months ending at a month, a metric's values in it, and the
verdicts of :func:`dashboard.spc.analyse` over them. The API's SPC verdicts, the dashboard's
pages (trend lines and the board report) and the delivery plan's linked measures all build their
series here, so they judge the same months the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ahpportal.months import months_ending

from . import spc

WINDOW_MONTHS = 24  # the SPC series and trend lines cover the last 24 months


def window(month: dt.date, size: int = WINDOW_MONTHS) -> list[dt.date]:
    """The ``size`` months ending at ``month``, oldest first."""
    return months_ending(month, size)


@dataclass(frozen=True)
class SpcSeries:
    months: list[dt.date]  # the window, oldest first
    values: list[float | None]  # one per month; None where missing (or suppressed)
    result: spc.SpcResult

    @property
    def present(self) -> list[float]:
        return [v for v in self.values if v is not None]

    @property
    def latest_value(self) -> float | None:
        present = self.present
        return present[-1] if present else None


def spc_series(
    points: Mapping[dt.date, float | None],
    *,
    last: dt.date,
    direction: str,
    target: float | None,
    size: int = WINDOW_MONTHS,
    change_points: Iterable[dt.date] = (),
) -> SpcSeries:
    """The series of ``points`` (month -> value, None where suppressed) over the ``size`` months
    ending at ``last``, and its SPC verdicts against ``target``, with new limits from each of
    ``change_points`` (months; those at or before the window's first month, or after ``last``,
    change nothing: every month shown is on one side of them)."""
    months = window(last, size)
    values = [points.get(month) for month in months]
    position = {month: i for i, month in enumerate(months)}
    breaks = sorted({position[m] for m in change_points if m in position})
    return SpcSeries(
        months,
        values,
        spc.analyse(values, direction=direction, target=target, change_points=breaks),
    )


def spc_annual_series(
    points: Mapping[dt.date, float | None],
    *,
    last: dt.date,
    direction: str,
    target: float | None,
) -> SpcSeries:
    """An annual metric's series (the staff survey, PRODUCT.md 3.3): one point per survey year
    (``points`` is keyed by each year's January, metrics.annual_month) up to ``last``'s year,
    never repeated month by month; its verdicts are "not enough data" until there are as many
    years as an XmR chart needs."""
    months = sorted(m for m in points if m <= last)
    values = [points[m] for m in months]
    return SpcSeries(months, values, spc.analyse(values, direction=direction, target=target))


def metric_series(
    metric,
    points: Mapping[dt.date, float | None],
    *,
    last: dt.date,
    target: float | None,
    change_points: Iterable[dt.date] = (),
    size: int = WINDOW_MONTHS,
) -> SpcSeries:
    """THE series of a catalogue metric (``dashboard.metrics.Metric``) for one organisation,
    profession and band group, as every page shows it: an annual or quarterly metric one point
    per survey year or quarter (:func:`spc_annual_series`), any other over the ``size`` months
    ending at ``last`` with new limits from each of the organisation's ``change_points`` for the
    metric (:func:`spc_series`). The metric page, scorecard, board report and the delivery
    plan's linked measures all call this, so the same figures get the same verdicts everywhere."""
    if metric.periodic:  # one point per survey year or quarter, never repeated by month
        return spc_annual_series(points, last=last, direction=metric.direction, target=target)
    return spc_series(
        points,
        last=last,
        direction=metric.direction,
        target=target,
        size=size,
        change_points=change_points,
    )
