"""Reads of the Quality Dashboard shared by the pages, exports and the API.

Everything here reads the MetricValue store only (never workforce rows), with a fixed number of
queries whatever the level of the organisation: one query for the metric values on a page, one for
the targets, one each for the organisations beside or below. Every figure goes through
:mod:`dashboard.suppression` before it is returned.

The organisation passed in has already been fetched through ``councils.scoping`` (so it is in the
user's view scope); the only data about organisations outside that scope returned here are the
benchmark rows of :func:`metric_detail_for` (siblings and England, the parent's published figures),
suppressed where small.

By page: :mod:`.scorecard`, :mod:`.metric`, :mod:`.diversity`, :mod:`.supply` and
:mod:`.board_report`; what they share is in :mod:`.common`. The pages, exports and the API read
them through this package (``selectors.scorecard_for(...)``).
"""

from ..series import window
from .board_report import exception_charts
from .common import (
    Figure,
    Filters,
    MetricRow,
    available_months,
    change_points_for,
    freshness_note,
    resolve_month,
)
from .diversity import Diversity, diversity_for
from .metric import MetricDetail, metric_detail_for, metric_figures
from .scorecard import Scorecard, scorecard_for, scorecard_tables
from .supply import Supply, supply_for

__all__ = [
    "Diversity",
    "Figure",
    "Filters",
    "MetricDetail",
    "MetricRow",
    "Scorecard",
    "Supply",
    "available_months",
    "change_points_for",
    "diversity_for",
    "exception_charts",
    "freshness_note",
    "metric_detail_for",
    "metric_figures",
    "resolve_month",
    "scorecard_for",
    "scorecard_tables",
    "supply_for",
    "window",
]
