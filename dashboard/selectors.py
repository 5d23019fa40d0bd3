"""Reads of the Quality Dashboard shared by the pages, exports and the API.

Everything here reads the MetricValue store only (never workforce rows), with a fixed number of
queries whatever the level of the organisation: one query for the metric values on a page, one for
the targets, one each for the organisations beside or below. Every figure goes through
:mod:`dashboard.suppression` before it is returned.

The organisation passed in has already been fetched through ``councils.scoping`` (so it is in the
user's view scope); the only data about organisations outside that scope returned here are the
benchmark rows of :func:`metric_detail_for` (siblings and England, the parent's published figures),
suppressed where small.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.safestring import SafeString

from councils.models import Organisation
from councils.scoping import benchmark_q, covers

from . import charts, spc
from . import metrics as catalogue
from . import targets as targets_module
from .metrics import ALL_PROFESSIONS, BAND_GROUPS, Metric
from .models import ChangePoint, MetricValue, RecomputeRun
from .series import spc_annual_series, spc_series, window
from .suppression import SUPPRESSED_TEXT, Shown, shown
from .targets import EffectiveTarget

STATUS_LABELS = {**targets_module.STATUS_LABELS, None: "No target"}
STATUS_TAGS = {"met": "green", "near": "yellow", "not_met": "red", None: "grey"}
STATUS_ICONS = {"met": "\u2713", "near": "\u2248", "not_met": "\u2717", None: "\u2013"}

VARIATION_TAGS = {
    "special_cause_improving": "blue",
    "special_cause_concerning": "orange",
    "special_cause_neither_high": "purple",
    "special_cause_neither_low": "purple",
    "common_cause": "grey",
    "insufficient_data": "white",
}
ASSURANCE_TAGS = {
    "consistently_pass": "blue",
    "consistently_fail": "orange",
    "hit_and_miss": "grey",
    "no_target": "white",
    "not_applicable": "white",
    "insufficient_data": "white",
}

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
IN_POST_METRIC = "job_plan_coverage"  # its denominator is the in-post headcount


@dataclass(slots=True)
class Figure:
    """One stored MetricValue row as the pages read it (a plain tuple, no model instance)."""

    organisation_id: int
    metric: str
    profession: str
    band_group: str
    month: dt.date
    numerator: float | None
    denominator: float | None
    value: float | None
    people: int | None
    providers_reporting: int
    providers_total: int
    computed_at: dt.datetime


FIGURE_FIELDS = tuple(Figure.__dataclass_fields__)


def figures(queryset):
    """Read MetricValue rows as :class:`Figure` (values_list: no model instances)."""
    return (Figure(*row) for row in queryset.values_list(*FIGURE_FIELDS))


# ---------------------------------------------------------------------------------------------
# Filters and months


@dataclass(frozen=True)
class Filters:
    """What the user picked (already validated); ``month`` None means the latest month."""

    month: dt.date | None = None
    profession: str = ALL_PROFESSIONS
    band_group: str = "all"

    @property
    def band_group_name(self) -> str:
        return BAND_GROUPS.get(self.band_group, self.band_group)

    def query(self, month: dt.date | None = None) -> dict[str, str]:
        """The filters as GET parameters, for links that keep them."""
        params = {}
        month = month or self.month
        if month:
            params["month"] = month.strftime("%Y-%m")
        if self.profession != ALL_PROFESSIONS:
            params["profession"] = self.profession
        if self.band_group != "all":
            params["band_group"] = self.band_group
        return params


def available_months(org: Organisation) -> list[dt.date]:
    """Months that have monthly figures for ``org``, latest first (one query)."""
    return list(
        MetricValue.objects.filter(organisation=org, profession=ALL_PROFESSIONS, band_group="all")
        .exclude(metric__in=catalogue.ANNUAL_CODES)  # a survey year's January is not a month
        .order_by("-month")
        .values_list("month", flat=True)
        .distinct()
    )


def resolve_month(filters: Filters, months: list[dt.date]) -> dt.date | None:
    if filters.month is not None:
        return filters.month
    return months[0] if months else None


# ---------------------------------------------------------------------------------------------
# Targets (the engine's dashboard/targets.py holds the rule; this adapts to it)


def _targets(org: Organisation) -> dict[str, EffectiveTarget]:
    """Effective target per metric code for ``org`` (one query)."""
    return targets_module.effective_targets_many([org])[org.pk]


# ---------------------------------------------------------------------------------------------
# One metric's row


@dataclass
class MetricRow:
    metric: Metric
    applicable: bool
    note: str = ""
    current: Figure | None = None
    figure: Shown = field(default_factory=lambda: Shown(None, False))
    target: float | None = None
    target_source: str = ""
    status: str | None = None
    result: spc.SpcResult | None = None
    months: list[dt.date] = field(default_factory=list)
    series: list[float | None] = field(default_factory=list)
    trend: SafeString | str = ""
    # change points inside the window: position in ``months`` -> (month, reason)
    change_points: dict[int, tuple[dt.date, str]] = field(default_factory=dict)

    @property
    def change_point_reasons(self) -> dict[int, str]:
        return {i: reason for i, (_, reason) in self.change_points.items()}

    @property
    def display(self) -> str:
        return display(self.metric, self.figure)

    @property
    def target_display(self) -> str:
        if self.target is None:
            return "none set"
        return charts.fmt_number(self.target, self.metric.unit)

    @property
    def annual(self) -> bool:
        """An annual metric (the staff survey): one figure per survey year."""
        return self.metric.annual

    @property
    def period_note(self) -> str:
        """Which survey year an annual figure is from ("" for monthly metrics)."""
        if not self.annual or self.current is None:
            return ""
        return f"{self.current.month.year} staff survey"

    @property
    def years(self) -> int:
        """Survey years with a figure (annual metrics)."""
        return sum(1 for v in self.series if v is not None)

    @property
    def status_label(self) -> str:
        if self.status is None and self.target is not None and self.figure.value is None:
            return "No data"
        return STATUS_LABELS[self.status]

    @property
    def status_tag(self) -> str:
        return STATUS_TAGS[self.status]

    @property
    def status_icon(self) -> str:
        return STATUS_ICONS[self.status]

    @property
    def variation(self) -> str:
        return self.result.variation if self.result else "insufficient_data"

    @property
    def variation_label(self) -> str:
        if self.annual and self.result is not None and self.result.variation == "insufficient_data":
            return self._not_enough_years
        return self.result.variation_label if self.result else "No data"

    @property
    def _not_enough_years(self) -> str:
        return (
            f"Not enough survey years for an XmR chart ({self.years} of at least "
            f"{self.result.min_points})"
        )

    @property
    def variation_tag(self) -> str:
        return VARIATION_TAGS[self.variation]

    @property
    def assurance_label(self) -> str:
        if self.annual and self.result is not None and self.result.assurance == "insufficient_data":
            return self._not_enough_years
        return self.result.assurance_label if self.result else "No data"

    @property
    def assurance_tag(self) -> str:
        return ASSURANCE_TAGS[self.result.assurance if self.result else "insufficient_data"]

    @property
    def completeness(self) -> str:
        return completeness(self.current)

    @property
    def computed_at(self):
        return self.current.computed_at if self.current else None

    def recent(self, count: int = 12) -> list[tuple[dt.date, str]]:
        """The last ``count`` months and their values as shown (for tables beside charts)."""
        pairs = list(zip(self.months, self.series, strict=True))[-count:]
        return [(m, display(self.metric, Shown(v, False))) for m, v in pairs]

    @property
    def recent_12(self) -> list[tuple[dt.date, str]]:
        return self.recent(12)

    @property
    def is_exception(self) -> bool:
        """For the board report: special cause of concern, or target not met."""
        return self.status == "not_met" or self.variation == "special_cause_concerning"


def display(metric: Metric, figure: Shown) -> str:
    if figure.suppressed:
        return SUPPRESSED_TEXT
    if figure.value is None:
        return "No data"
    return charts.fmt_number(figure.value, metric.unit)


def completeness(value: Figure | None) -> str:
    if value is None or not value.providers_total:
        return ""
    noun = "provider" if value.providers_total == 1 else "providers"
    return f"{value.providers_reporting} of {value.providers_total} {noun}"


def not_applicable(metric: Metric, filters: Filters) -> str:
    if filters.profession != ALL_PROFESSIONS and not metric.by_profession:
        return "Not recorded by profession"
    if filters.band_group != "all" and not metric.by_band_group:
        return "Not recorded by band group"
    return ""


def _metric_rows(
    *,
    user,
    org: Organisation,
    metric_list: list[Metric],
    filters: Filters,
    month: dt.date | None,
    targets: dict[str, EffectiveTarget],
    chart_prefix: str = "trend",
) -> list[MetricRow]:
    """Rows for ``metric_list``: latest value, target, status, SPC verdicts and a sparkline.
    One query for all of them."""
    rows = [MetricRow(metric=m, applicable=not not_applicable(m, filters)) for m in metric_list]
    for row in rows:
        row.note = not_applicable(row.metric, filters)
        effective = targets.get(row.metric.code)
        if effective is not None:
            row.target, row.target_source = effective.value, effective.source
    if month is None:
        return rows
    months = window(month)
    wanted = [row.metric.code for row in rows if row.applicable]
    annual = [code for code in wanted if catalogue.get(code).annual]
    by_key: dict[tuple[str, dt.date], Figure] = {}
    years: dict[str, list[dt.date]] = {code: [] for code in annual}
    for mv in figures(
        MetricValue.objects.filter(
            Q(month__gte=months[0]) | Q(metric__in=annual),
            organisation=org,
            metric__in=wanted,
            profession=filters.profession,
            band_group=filters.band_group,
            month__lte=month,
        ).order_by("month")
    ):
        by_key[(mv.metric, mv.month)] = mv
        if mv.metric in years:
            years[mv.metric].append(mv.month)
    breaks = change_points_for(org, wanted, months)
    covered = covers(user, "view", org)
    for row in rows:
        if not row.applicable:
            continue
        code = row.metric.code
        # Annual metrics: one point per survey year up to the month's year, the latest shown.
        if row.metric.annual:
            on_page = {m: shown(by_key[(code, m)], user, org, covered=covered) for m in years[code]}
            series = spc_annual_series(
                {m: f.value for m, f in on_page.items()},
                last=month,
                direction=row.metric.direction,
                target=row.target,
            )
            row.months, row.series, row.result = series.months, series.values, series.result
            row.current = by_key[(code, row.months[-1])] if row.months else None
            row.figure = on_page[row.months[-1]] if row.months else Shown(None, False)
        else:
            on_page = {m: shown(by_key.get((code, m)), user, org, covered=covered) for m in months}
            row.change_points = breaks.get(code, {})
            series = spc_series(
                {m: f.value for m, f in on_page.items()},
                last=month,
                direction=row.metric.direction,
                target=row.target,
                change_points=[m for m, _ in row.change_points.values()],
            )
            row.months, row.series, row.result = series.months, series.values, series.result
            row.current = by_key.get((code, month))
            row.figure = on_page[month]
        row.status = targets_module.status(row.metric, row.figure.value, row.target)
        row.trend = charts.sparkline(
            chart_id=f"{chart_prefix}-{code}",
            title=f"{row.metric.name}: trend",
            values=row.series,
            unit=row.metric.unit,
            months=row.months,
            annual=row.metric.annual,
        )
    return rows


def change_points_for(
    org: Organisation, metric_codes, months: list[dt.date]
) -> dict[str, dict[int, tuple[dt.date, str]]]:
    """The change points in force for ``org`` (one query): metric code -> position in
    ``months`` -> (month, reason). Change points before the window change nothing in it (every
    month shown is after them), so only those inside it are returned."""
    if not months:
        return {}
    found: dict[str, dict[int, tuple[dt.date, str]]] = {}
    position = {m: i for i, m in enumerate(months)}
    for metric, month, reason in (
        ChangePoint.objects.active()
        .filter(organisation=org, metric__in=list(metric_codes), month__gt=months[0])
        .filter(month__lte=months[-1])
        .values_list("metric", "month", "reason")
    ):
        if month in position:
            found.setdefault(metric, {})[position[month]] = (month, reason)
    return found


# ---------------------------------------------------------------------------------------------
# Freshness


def freshness_note(org: Organisation, computed_at) -> str:
    """Why the figures may be out of date, or "" (at most two queries)."""
    from .services import recompute_notice

    run = recompute_notice(org)
    if run is not None and run.status in (RecomputeRun.Status.PENDING, RecomputeRun.Status.RUNNING):
        return "The figures are being recomputed; this page will show the new figures shortly."
    if computed_at is not None and _import_newer_than(org, computed_at):
        return (
            "New data has been imported since these figures were computed; "
            "the figures are being recomputed."
        )
    if run is not None and run.status == RecomputeRun.Status.FAILED:
        return (
            "The last recompute of these figures failed; the figures shown are the last ones "
            "computed successfully."
        )
    return ""


def _import_newer_than(org: Organisation, computed_at) -> bool:
    """Whether an import for ``org``, an organisation above it or one below it was committed
    after ``computed_at``."""
    from workforce.models import ImportRun

    ancestors = [org.path[:i] for i in range(org.steplen, len(org.path) + 1, org.steplen)]
    return ImportRun.objects.filter(
        Q(organisation__path__in=ancestors) | Q(organisation__path__startswith=org.path),
        status=ImportRun.Status.COMMITTED,
        committed_at__gt=computed_at,
    ).exists()


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
    """The four domains for ``org`` at ``filters.month`` (default the latest month)."""
    if months is None:
        months = available_months(org)
    month = resolve_month(filters, months)
    targets = _targets(org)
    rows = _metric_rows(
        user=user,
        org=org,
        metric_list=list(catalogue.CATALOGUE),
        filters=filters,
        month=month,
        targets=targets,
    )
    by_code = {row.metric.code: row for row in rows}
    domains = [
        (code, name, [by_code[m.code] for m in metric_list])
        for code, name, metric_list in catalogue.by_domain()
    ]
    stamps = [row.computed_at for row in rows if row.computed_at]
    computed_at = max(stamps) if stamps else None
    return Scorecard(
        org=org,
        filters=filters,
        month=month,
        months=months,
        domains=domains,
        computed_at=computed_at,
        freshness=freshness_note(org, computed_at),
    )


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
    """Competition ranking (1 = best) by the true values, suppressed ones included."""
    valued = [r for r in rows if r.current is not None and r.current.value is not None]
    if direction not in ("higher", "lower"):
        return
    reverse = direction == "higher"
    ordered = sorted(valued, key=lambda r: r.current.value, reverse=reverse)
    for row in ordered:
        better = sum(
            1
            for other in ordered
            if (other.current.value > row.current.value) == reverse
            and other.current.value != row.current.value
        )
        row.rank = better + 1


def metric_detail_for(
    user, org: Organisation, metric: Metric, filters: Filters, months: list[dt.date] | None = None
) -> MetricDetail:
    if months is None:
        months = available_months(org)
    month = resolve_month(filters, months)
    targets = _targets(org)
    (row,) = _metric_rows(
        user=user,
        org=org,
        metric_list=[metric],
        filters=filters,
        month=month,
        targets=targets,
        chart_prefix="metric-trend",
    )
    chart, table = "", []
    if row.result is not None and not (row.annual and not row.result.has_limits):
        chart = charts.xmr_chart(
            chart_id=f"xmr-{metric.code}",
            title=f"{metric.name}, {org.display_name}",
            months=row.months,
            result=row.result,
            unit=metric.unit,
            reasons=row.change_point_reasons,
        )
    if row.result is not None:
        for i, (m, point) in enumerate(zip(row.months, row.result.points, strict=True)):
            figure = row.series[i]
            change = row.change_points.get(i)
            table.append(
                {
                    "month": m,
                    "change_point": change[1] if change else "",
                    "value": display(metric, Shown(figure, False))
                    if figure is not None
                    else "No data",
                    "special": charts.point_words(point, row.result.trend_length)
                    if point.value is not None
                    else "",
                }
            )

    # Organisations on the page: children (drill-down), siblings and England (benchmarks).
    steplen = org.steplen
    parent_path = org.path[:-steplen]
    root_path = org.path[:steplen]
    others = list(Organisation.objects.filter(benchmark_q(org)).order_by("name"))
    values = {}
    # an annual metric's peers are compared on the same survey year as the organisation's own
    peer_month = row.current.month if row.annual and row.current else month
    if month is not None and not row.note:
        values = {
            mv.organisation_id: mv
            for mv in figures(
                MetricValue.objects.filter(
                    organisation__in=[o.pk for o in others],
                    metric=metric.code,
                    profession=filters.profession,
                    band_group=filters.band_group,
                    month=peer_month,
                )
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
            can_open=covers(user, "view", o),
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
        months=months,
        row=row,
        chart=chart,
        table=table,
        children=children,
        siblings=siblings,
        england=england,
        rank=own.rank if own else None,
        ranked=ranked,
        freshness=freshness_note(org, row.computed_at),
        note=row.note,
    )


# ---------------------------------------------------------------------------------------------
# Diversity

ETHNICITY_METRIC = "ethnic_minority_share"
SENIOR_METRIC = "ethnic_minority_share_senior"
DISABILITY_METRICS = ("disability_declared_share", "disabled_share")
GROUP_ORDER = ("support", "registered", "senior")  # support, registered, then bands 8a-9


@dataclass
class BandFigure:
    """One figure of the diversity page: a band (or band group, or all bands) and its value as
    the user may see it, formatted with its own metric."""

    label: str
    figure: Shown
    current: Figure | None
    gap: str = ""
    is_overall: bool = False

    @property
    def metric(self) -> Metric:
        return catalogue.get(self.current.metric if self.current else ETHNICITY_METRIC)

    @property
    def display(self) -> str:
        return display(self.metric, self.figure)


@dataclass
class DisabilityRow:
    """A band's disability declaration: the declared share and the disabled share."""

    label: str
    declared: BandFigure | None
    disabled: BandFigure | None
    is_overall: bool = False

    @property
    def declared_display(self) -> str:
        return self.declared.display if self.declared else "No data"

    @property
    def disabled_display(self) -> str:
        return self.disabled.display if self.disabled else "No data"


@dataclass
class Diversity:
    org: Organisation
    filters: Filters
    month: dt.date | None
    months: list[dt.date]
    overall: BandFigure | None
    bands: list[BandFigure]
    groups: list[BandFigure]
    disability: list[DisabilityRow]
    chart: SafeString | str
    computed_at: dt.datetime | None
    freshness: str

    @property
    def by_profession(self) -> bool:
        """Single-band figures are stored for all professions together only: with a profession
        chosen the page shows that profession's band groups instead."""
        return self.filters.profession != ALL_PROFESSIONS

    @property
    def disability_overall(self) -> DisabilityRow | None:
        return next((row for row in self.disability if row.is_overall), None)


def band_label(band_group: str) -> str:
    if band_group in catalogue.SINGLE_BANDS:
        return catalogue.SINGLE_BANDS[band_group]
    if band_group.startswith("band_"):
        return f"Band {band_group[5:]}"
    return BAND_GROUPS.get(band_group, band_group)


def _band_order(band_group: str) -> int:
    codes = list(catalogue.SINGLE_BANDS)
    return codes.index(band_group) if band_group in codes else len(codes)


def _group_order(band_group: str) -> int:
    return GROUP_ORDER.index(band_group) if band_group in GROUP_ORDER else len(GROUP_ORDER)


def diversity_for(
    user, org: Organisation, filters: Filters, months: list[dt.date] | None = None
) -> Diversity:
    """Ethnic minority share for each single band (2 ... 9) and band group against the overall
    share, and disability declaration (declared share, disabled share) by band, for ``org``
    at ``filters.month`` (one query).

    Single bands are stored for all professions together only (dashboard.compute.STAFF_BANDS);
    with a profession chosen, that profession's band groups are shown instead."""
    if months is None:
        months = available_months(org)
    month = resolve_month(filters, months)
    overall, bands, groups = None, [], []
    disability: dict[str, dict[str, BandFigure]] = {}
    computed = []
    if month is not None:
        covered = covers(user, "view", org)
        found = figures(
            MetricValue.objects.filter(
                organisation=org,
                month=month,
                profession=filters.profession,
                metric__in=[ETHNICITY_METRIC, SENIOR_METRIC, *DISABILITY_METRICS],
            )
        )
        for mv in found:
            computed.append(mv.computed_at)
            item = BandFigure(
                band_label(mv.band_group), shown(mv, user, owner=org, covered=covered), mv
            )
            if mv.metric in DISABILITY_METRICS:
                disability.setdefault(mv.band_group, {})[mv.metric] = item
            elif mv.metric == SENIOR_METRIC:
                if mv.band_group == "all":
                    item.label = "Bands 8a-9"
                    groups.append(item)
            elif mv.band_group == "all":
                overall = item
            elif mv.band_group in catalogue.SINGLE_BANDS:
                bands.append(item)
            else:
                groups.append(item)
        bands.sort(key=lambda b: _band_order(b.current.band_group))
        groups.sort(
            key=lambda b: _group_order(
                "senior" if b.current.metric == SENIOR_METRIC else b.current.band_group
            )
        )
        if overall is not None:
            overall.is_overall = True
            overall.label = "All bands"
            for item in bands + groups:
                if overall.figure.value is not None and item.figure.value is not None:
                    points = item.figure.value - overall.figure.value
                    item.gap = f"{points:+.1f} percentage points"
    chart = ""
    shown_bands = bands or groups
    if shown_bands:
        chart = charts.band_bars(
            chart_id="diversity-bands",
            title=f"Ethnic minority share by band, {org.display_name}",
            bars=[(b.label, b.figure.value) for b in shown_bands],
            overall=overall.figure.value if overall else None,
        )
    computed_at = max(computed) if computed else None
    return Diversity(
        org=org,
        filters=filters,
        month=month,
        months=months,
        overall=overall,
        bands=bands,
        groups=groups,
        disability=_disability_rows(disability),
        chart=chart,
        computed_at=computed_at,
        freshness=freshness_note(org, computed_at),
    )


def _disability_rows(found: dict[str, dict[str, BandFigure]]) -> list[DisabilityRow]:
    """Single bands in band order, then the band groups, then all bands."""

    def order(band_group: str) -> tuple[int, int]:
        if band_group == "all":
            return (2, 0)
        if band_group in catalogue.SINGLE_BANDS:
            return (0, _band_order(band_group))
        return (1, _group_order(band_group))

    declared, disabled = DISABILITY_METRICS
    return [
        DisabilityRow(
            label="All bands" if band_group == "all" else band_label(band_group),
            declared=found[band_group].get(declared),
            disabled=found[band_group].get(disabled),
            is_overall=band_group == "all",
        )
        for band_group in sorted(found, key=order)
    ]


# ---------------------------------------------------------------------------------------------
# Workforce supply


@dataclass
class ProfessionSupply:
    profession: object  # workforce.Profession
    in_post: str
    cells: list[tuple[Metric, str]]


@dataclass
class Supply:
    org: Organisation
    filters: Filters
    month: dt.date | None
    months: list[dt.date]
    totals: list[MetricRow]
    professions: list[ProfessionSupply]
    metrics: list[Metric]
    computed_at: dt.datetime | None
    freshness: str


def supply_for(
    user, org: Organisation, filters: Filters, months: list[dt.date] | None = None
) -> Supply:
    """Small and vulnerable professions (seed 004), support workforce share, apprentices,
    advanced practitioners and return-to-practice starters."""
    from workforce.models import Profession

    if months is None:
        months = available_months(org)
    month = resolve_month(filters, months)
    targets = _targets(org)
    all_filters = Filters(month=month)
    totals = _metric_rows(
        user=user,
        org=org,
        metric_list=[catalogue.get(code) for code in SUPPLY_TOTALS],
        filters=all_filters,
        month=month,
        targets=targets,
        chart_prefix="supply-trend",
    )
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
            (m, display(m, shown(found.get((p.code, m.code)), user, owner=org)))
            for m in table_metrics
        ]
        professions.append(ProfessionSupply(profession=p, in_post=in_post, cells=cells))
    stamps = [r.computed_at for r in totals if r.computed_at] + [
        mv.computed_at for mv in found.values()
    ]
    computed_at = max(stamps) if stamps else None
    return Supply(
        org=org,
        filters=all_filters,
        month=month,
        months=months,
        totals=totals,
        professions=professions,
        metrics=table_metrics,
        computed_at=computed_at,
        freshness=freshness_note(org, computed_at),
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
