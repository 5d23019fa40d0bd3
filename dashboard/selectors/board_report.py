"""The board report: a chart for each exception of the scorecard."""

from __future__ import annotations

from django.utils.safestring import SafeString

from .. import charts
from .common import (
    MetricRow,
)
from .scorecard import (
    Scorecard,
)


def exception_charts(card: Scorecard) -> list[tuple[MetricRow, SafeString]]:
    """An XmR chart for each exception of the board report (no queries)."""
    return [
        (
            row,
            charts.xmr_chart(
                chart_id=f"exception-{row.metric.code}",
                title=f"{row.metric.name}, {card.org.display_name}",
                months=row.months,
                result=row.result,
                unit=row.metric.unit,
                height=260,
                reasons=row.change_point_reasons,
            ),
        )
        for row in card.exceptions
        if row.result is not None
    ]
