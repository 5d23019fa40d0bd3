"""The metric page: XmR chart, drill-down and benchmarking."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from councils.models import Organisation
from councils.scoping import benchmark_q, covers

from .. import charts, metric_versions, page_cache
from ..metrics import Metric
from ..series import window
from ..suppression import Shown, shown, view_of
from .common import (
    Figure,
    Filters,
    MetricRow,
    _metric_rows,
    _targets,
    available_months,
    change_points_for,
    completeness,
    display,
    figures_in_view,
    freshness_note,
    resolve_month,
)
from .peers import PeerBenchmark, peer_benchmark_for

# ---------------------------------------------------------------------------------------------
# Metric page: XmR chart, drill-down and benchmarking


@dataclass
class PeerRow:
    org: Organisation
    figure: Shown
    current: Figure | None
    metric: Metric
    is_self: bool = False
    can_open: bool = False
    rank: int | None = None

    @property
    def display(self) -> str:
        return display(self.metric, self.figure)

    @property
    def completeness(self) -> str:
        return completeness(self.current) if not self.figure.suppressed else ""


@dataclass
class MetricDetail:
    org: Organisation
    metric: Metric
    filters: Filters
    month: dt.date | None
    months: list[dt.date]
    row: MetricRow
    chart: SafeString | str
    table: list[dict]
    children: list[PeerRow]
    siblings: list[PeerRow]
    england: PeerRow | None
    rank: int | None
    ranked: int
    freshness: str
    note: str
    peers: PeerBenchmark | None = None
    #: position in the chart's months -> the new definition that took effect that month
    definition_changes: dict[int, str] = field(default_factory=dict)

    @property
    def lines(self) -> list[tuple[str, str]]:
        """The chart's lines in words, for the summary beside the chart."""
        result, unit = self.row.result, self.metric.unit
        if result is None:
            return []
        if result.change_points:
            lines = [
                ("Process limits", words)
                for words in charts.segment_words(
                    self.row.months, result, unit, self.row.change_point_reasons
                )
            ]
            if result.target is not None:
                lines.append(("Target", charts.fmt_number(result.target, unit)))
            return lines
        if not result.has_limits:
            return [("Process limits", result.variation_label)]
        lines = [
            ("Mean", charts.fmt_number(result.mean, unit)),
            ("Upper process limit", charts.fmt_number(result.upper_limit, unit)),
            ("Lower process limit", charts.fmt_number(result.lower_limit, unit)),
        ]
        if result.target is not None:
            lines.append(("Target", charts.fmt_number(result.target, unit)))
        return lines


def _rank(rows: list[PeerRow], direction: str) -> None:
    """Competition ranking (1 = best) among the figures the viewer may see: a figure suppressed
    for the viewer gets no rank and takes no place, so its position cannot reveal its value."""
    valued = [r for r in rows if not r.figure.suppressed and r.figure.value is not None]
    if direction not in ("higher", "lower"):
        return
    reverse = direction == "higher"
    for row in valued:
        better = sum(
            1
            for other in valued
            if other.figure.value != row.figure.value
            and (other.figure.value > row.figure.value) == reverse
        )
        row.rank = better + 1


def metric_detail_for(
    user, org: Organisation, metric: Metric, filters: Filters, months: list[dt.date] | None = None
) -> MetricDetail:
    """The metric page of ``metric`` for ``org``. Its computed part is cached until the next
    recompute (:mod:`dashboard.page_cache`), keyed by the organisations on the page (children,
    siblings and England, with their codes and names), the viewer's suppression view of them,
    the targets and the change points as they stand; which of those organisations the viewer
    may open and the freshness note are worked out on every request."""
    if months is None:
        months = available_months(org)
    return _detail(user, org, metric, filters, months, _inputs(user, org, metric, filters, months))


def _detail(user, org, metric, filters, months, inputs) -> MetricDetail:
    month, targets, others, breaks, parts = inputs
    detail = page_cache.cached(
        "metric",
        parts,
        lambda: _metric_detail(user, org, metric, filters, month, targets, others, breaks),
    )
    by_pk = {o.pk: o for o in others}
    for peer in [*detail.children, *detail.siblings, *([detail.england] if detail.england else [])]:
        peer.org = by_pk[peer.org.pk]
        peer.can_open = covers(user, "view", peer.org)
    detail.org, detail.months = org, months
    detail.freshness = freshness_note(org, detail.row.computed_at)
    return detail


def _inputs(user, org: Organisation, metric: Metric, filters: Filters, months: list[dt.date]):
    """What the metric page is computed from besides the store, read on every request (the
    month, targets, the organisations on the page and the change points), and the cache
    key's parts."""
    month = resolve_month(filters, months)
    targets = _targets(org)
    # Organisations on the page: children (drill-down), siblings and England (benchmarks).
    others = list(Organisation.objects.filter(benchmark_q(org)).order_by("name"))
    breaks = change_points_for(org, [metric.code], window(month)) if month else {}
    parts = (
        org.pk,
        org.display_name,
        metric.code,
        filters.profession,
        filters.band_group,
        filters.view,
        month,
        tuple((o.pk, o.code, o.name) for o in others),
        view_of(user, [org, *others]),
        page_cache.targets_part(targets),
        page_cache.change_points_part(breaks),
    )
    return month, targets, others, breaks, parts


def metric_figures(
    user,
    org: Organisation,
    metric: Metric,
    filters: Filters,
    months: list[dt.date],
    *,
    render: Callable[[MetricDetail], str],
    variant: tuple,
) -> tuple[str, str]:
    """The metric page's figures as ``render(detail)`` writes them, cached like the detail and
    by ``variant`` (whatever else ``render`` reads) and the organisations on the page the viewer
    may open (its links); with the freshness note, worked out on every request."""
    inputs = _inputs(user, org, metric, filters, months)
    *_, others, _, parts = inputs
    opens = tuple(o.pk for o in others if covers(user, "view", o))

    def compute():
        detail = _detail(user, org, metric, filters, months, inputs)
        return detail.row.computed_at, render(detail)

    computed_at, html = page_cache.cached("metric-figures", (*parts, opens, variant), compute)
    return freshness_note(org, computed_at), html


def _metric_detail(
    user,
    org: Organisation,
    metric: Metric,
    filters: Filters,
    month: dt.date | None,
    targets: dict,
    others: list[Organisation],
    breaks: dict,
) -> MetricDetail:
    """What :func:`metric_detail_for` caches (its ``freshness`` left empty)."""
    (row,) = _metric_rows(
        user=user,
        org=org,
        metric_list=[metric],
        filters=filters,
        month=month,
        targets=targets,
        chart_prefix="metric-trend",
        breaks=breaks,
    )
    chart, table = "", []
    definition_changes = definition_changes_in(metric, row.months)
    if row.result is not None and not (row.metric.periodic and not row.result.has_limits):
        chart = charts.xmr_chart(
            chart_id=f"xmr-{metric.code}",
            title=f"{metric.name}, {org.display_name}",
            months=row.months,
            result=row.result,
            unit=metric.unit,
            reasons=row.change_point_reasons,
            definition_changes=definition_changes,
            width=960,  # the page's full column: 14 px text, read beside its 24-row table
            height=420,
        )
    if row.result is not None:
        for i, (m, point) in enumerate(zip(row.months, row.result.points, strict=True)):
            # as the viewer may see it: a hidden month says "fewer than 5", not "No data"
            figure = shown(row.stored.get(m), user, owner=org)
            change = row.change_points.get(i)
            table.append(
                {
                    "month": m,
                    "change_point": change[1] if change else "",
                    "definition_change": definition_changes.get(i, ""),
                    "figure": figure,
                    "value": display(metric, figure),
                    "special": charts.point_words(point, row.result.trend_length)
                    if point.value is not None
                    else "",
                    "completeness": completeness(row.stored.get(m)),
                }
            )

    parent_path, root_path = org.parent_path, org.root_path
    values = {}
    # an annual (quarterly) metric's peers are compared on the same survey year (quarter) as the
    # organisation's own
    peer_month = row.current.month if row.metric.periodic and row.current else month
    if month is not None and not row.note:
        values = {
            mv.organisation_id: mv
            for mv in figures_in_view(
                filters.view,
                organisation__in=[o.pk for o in others],
                metric=metric.code,
                profession=filters.profession,
                band_group=filters.band_group,
                month=peer_month,
            )
        }

    def peer(o: Organisation) -> PeerRow:
        mv = values.get(o.pk)
        return PeerRow(
            org=o,
            figure=shown(mv, user, owner=o),
            current=mv,
            metric=metric,
            is_self=o.pk == org.pk,
        )

    children = [peer(o) for o in others if o.depth == org.depth + 1]
    siblings = [peer(o) for o in others if o.depth == org.depth and parent_path]
    england = next((peer(o) for o in others if o.path == root_path and parent_path), None)
    _rank(siblings, metric.direction)
    own = next((s for s in siblings if s.is_self), None)
    ranked = sum(1 for s in siblings if s.rank is not None)
    return MetricDetail(
        org=org,
        metric=metric,
        filters=filters,
        month=month,
        months=[],
        row=row,
        chart=chart,
        table=table,
        children=children,
        siblings=siblings,
        england=england,
        rank=own.rank if own else None,
        ranked=ranked,
        freshness="",
        note=row.note,
        peers=None
        if row.note
        else peer_benchmark_for(org, metric, filters, peer_month, row.figure),
        definition_changes=definition_changes,
    )


def definition_changes_in(metric: Metric, months: list[dt.date]) -> dict[int, str]:
    """Where a new version of ``metric``'s definition took effect inside ``months``: position
    -> "Definition version 2 from April 2026: reason"."""
    if not months:
        return {}
    changes = metric_versions.changes_between(metric.code, months[0], months[-1])
    out = {}
    for version in changes:
        position = next(i for i, m in enumerate(months) if m >= version.effective_month)
        out[position] = (
            f"Definition version {version.number} from "
            f"{version.effective_month:%B %Y}: {version.reason}"
        )
    return out
