"""What every page of the Quality Dashboard reads: figures, filters and months, targets, one
metric's row (latest value, target status, SPC series and sparkline), change points and the
freshness note."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, F, Max, Q, Value, When
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.timesince import timesince

from councils.models import Organisation

from .. import as_it_was, charts, page_cache, spc
from .. import metrics as catalogue
from .. import targets as targets_module
from ..compute_datasets import SUBMITTED_METRICS
from ..metrics import ALL_PROFESSIONS, BAND_GROUPS, Metric
from ..models import AsItWasScope, AsItWasValue, ChangePoint, MetricValue, RecomputeRun
from ..series import metric_series, window
from ..suppression import SUPPRESSED_TEXT, Shown, holds_role_at, shown
from ..targets import EffectiveTarget

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
    suppressed: bool
    providers_reporting: int
    providers_total: int
    computed_at: dt.datetime


FIGURE_FIELDS = tuple(Figure.__dataclass_fields__)


def figures(queryset):
    """Read MetricValue rows as :class:`Figure` (values_list: no model instances)."""
    return (Figure(*row) for row in queryset.values_list(*FIGURE_FIELDS))


def figures_in_view(view: str, *args, **lookups) -> list[Figure]:
    """The stored figures matching the filters, in the structure ``view`` (PRODUCT.md 7):
    today's structure (the store), or as it was, where the organisation-months that differ
    (:mod:`dashboard.as_it_was`) read their own figures instead (two more queries). In month
    order."""
    found = list(figures(MetricValue.objects.filter(*args, **lookups).order_by("month")))
    if view != as_it_was.AS_IT_WAS:
        return found
    whose = {k: v for k, v in lookups.items() if k.split("__")[0] == "organisation"}
    differ = set(AsItWasScope.objects.filter(**whose).values_list("organisation_id", "month"))
    if not differ:
        return found
    found = [f for f in found if (f.organisation_id, f.month) not in differ]
    found += figures(AsItWasValue.objects.filter(*args, **lookups))
    return sorted(found, key=lambda f: f.month)


# ---------------------------------------------------------------------------------------------
# Filters and months


@dataclass(frozen=True)
class Filters:
    """What the user picked (already validated); ``month`` None means the latest month."""

    month: dt.date | None = None
    profession: str = ALL_PROFESSIONS
    band_group: str = "all"
    view: str = as_it_was.CURRENT  # the structure the figures are on (PRODUCT.md 7)

    @property
    def view_sentence(self) -> str:
        return as_it_was.SENTENCES[self.view]

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
        if self.view != as_it_was.CURRENT:
            params["view"] = self.view
        return params


class Months(list):
    """Months that have monthly figures for an organisation, latest first, with the month a page
    opens on (``default``) and why (``reason``)."""

    default: dt.date | None = None
    reason: str = ""


def available_months(org: Organisation, view: str = as_it_was.CURRENT) -> Months:
    """Months that have monthly figures for ``org``, latest first (one query, cached until the
    next recompute: :mod:`dashboard.page_cache`), opening on the latest month for which most of
    the providers below have submitted monthly data (staff months, establishment, activity or
    spend): staff-record figures exist for every month, so the latest month is often one where
    nothing else has arrived yet. As it was (``view``), the months of its figures as it was
    (two more queries)."""
    return page_cache.cached("months", (org.pk, view), lambda: _available_months(org, view))


def _month_rows(model, org: Organisation):
    return list(
        model.objects.filter(organisation=org, profession=ALL_PROFESSIONS, band_group="all")
        .exclude(metric__in=catalogue.ANNUAL_CODES)  # a survey year's January is not a month
        .values("month")
        .annotate(
            reporting=Max(
                Case(
                    When(metric__in=SUBMITTED_METRICS, then=F("providers_reporting")),
                    default=Value(0),
                )
            ),
            total=Max("providers_total"),
        )
        .order_by("-month")
    )


def _available_months(org: Organisation, view: str = as_it_was.CURRENT) -> Months:
    rows = _month_rows(MetricValue, org)
    if view == as_it_was.AS_IT_WAS:
        differ = set(AsItWasScope.objects.filter(organisation=org).values_list("month", flat=True))
        if differ:
            rows = [r for r in rows if r["month"] not in differ] + _month_rows(AsItWasValue, org)
            rows.sort(key=lambda r: r["month"], reverse=True)
    months = Months(row["month"] for row in rows)
    if not months:
        return months
    most = next((r for r in rows if r["total"] and 2 * r["reporting"] > r["total"]), None)
    some = next((r for r in rows if r["reporting"]), None)
    chosen = most or some
    if chosen is None:
        months.default = months[0]
        months.reason = (
            f"Showing {months[0]:%B %Y}, the latest month. No monthly data (staff months, "
            "establishment, activity or spend) has been submitted yet: only figures from "
            "staff records."
        )
        return months
    months.default = chosen["month"]
    counts = f"{chosen['reporting']} of {chosen['total']}"
    if chosen["total"] == 1:
        who = "this provider has"
    elif chosen is most:
        who = f"most of the providers below ({counts}) have"
    else:
        who = f"any provider below ({counts}) has"
    months.reason = (
        f"Showing {chosen['month']:%B %Y}, the latest month for which {who} submitted "
        "monthly data (staff months, establishment, activity or spend)."
    )
    if chosen["month"] != months[0]:
        months.reason += " Later months have data from fewer providers; choose one above."
    return months


def resolve_month(filters: Filters, months: list[dt.date]) -> dt.date | None:
    if filters.month is not None:
        return filters.month
    if isinstance(months, Months) and months.default is not None:
        return months.default
    return months[0] if months else None


def month_reason(filters: Filters, months: list[dt.date]) -> str:
    """Why the page shows its month ("" when the user chose it)."""
    if filters.month is not None:
        return ""
    return months.reason if isinstance(months, Months) else ""


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
    stored: dict[dt.date, Figure | None] = field(default_factory=dict)  # by month, as stored
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
    def quarterly(self) -> bool:
        """A quarterly metric (placements): one figure per quarter, at its first month."""
        return self.metric.quarterly

    @property
    def period_note(self) -> str:
        """Which survey year or quarter the figure is from ("" for monthly metrics)."""
        if self.current is None:
            return ""
        if self.annual:
            return f"{self.current.month.year} staff survey"
        if self.quarterly:
            return quarter_label(self.current.month)
        return ""

    @property
    def years(self) -> int:
        """Survey years (or quarters) with a figure (annual and quarterly metrics)."""
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
        return self._result_label("variation")

    @property
    def _not_enough_years(self) -> str:
        periods = "quarters" if self.quarterly else "survey years"
        return (
            f"Not enough {periods} for an XmR chart ({self.years} of at least "
            f"{self.result.min_points})"
        )

    @property
    def variation_tag(self) -> str:
        return VARIATION_TAGS[self.variation]

    @property
    def assurance_label(self) -> str:
        return self._result_label("assurance")

    def _result_label(self, kind: str) -> str:
        """The label of the result's ``variation`` or ``assurance``; a periodic metric with too
        few points says how many it has."""
        if self.result is None:
            return "No data"
        if self.metric.periodic and getattr(self.result, kind) == "insufficient_data":
            return self._not_enough_years
        return getattr(self.result, f"{kind}_label")

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


def quarter_label(month: dt.date) -> str:
    """ "April to June 2026": the quarter starting at ``month``."""
    last = dt.date(month.year, month.month + 2, 1)
    return f"{month:%B} to {last:%B %Y}"


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
    breaks: dict | None = None,
) -> list[MetricRow]:
    """Rows for ``metric_list``: latest value, target, status, SPC verdicts and a sparkline.
    One query for all of them, and one for the change points unless ``breaks`` gives them
    (:func:`change_points_for` over the month's window)."""
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
    # annual and quarterly metrics: every stored period up to the month
    annual = [code for code in wanted if catalogue.get(code).periodic]
    by_key: dict[tuple[str, dt.date], Figure] = {}
    years: dict[str, list[dt.date]] = {code: [] for code in annual}
    for mv in figures_in_view(
        filters.view,
        Q(month__gte=months[0]) | Q(metric__in=annual),
        organisation=org,
        metric__in=wanted,
        profession=filters.profession,
        band_group=filters.band_group,
        month__lte=month,
    ):
        by_key[(mv.metric, mv.month)] = mv
        if mv.metric in years:
            years[mv.metric].append(mv.month)
    if breaks is None:
        breaks = change_points_for(org, wanted, months)
    own = holds_role_at(user, org)
    for row in rows:
        if not row.applicable:
            continue
        code = row.metric.code
        # Annual and quarterly metrics: one point per survey year (or quarter) up to the month,
        # the latest shown.
        if row.metric.periodic:
            on_page = {m: shown(by_key[(code, m)], user, org, own=own) for m in years[code]}
            series = metric_series(
                row.metric, {m: f.value for m, f in on_page.items()}, last=month, target=row.target
            )
            row.months, row.series, row.result = series.months, series.values, series.result
            row.current = by_key[(code, row.months[-1])] if row.months else None
            row.stored = {m: by_key.get((code, m)) for m in row.months}
            row.figure = on_page[row.months[-1]] if row.months else Shown(None, False)
        else:
            on_page = {m: shown(by_key.get((code, m)), user, org, own=own) for m in months}
            row.change_points = breaks.get(code, {})
            series = metric_series(
                row.metric,
                {m: f.value for m, f in on_page.items()},
                last=month,
                target=row.target,
                change_points=[m for m, _ in row.change_points.values()],
            )
            row.months, row.series, row.result = series.months, series.values, series.result
            row.current = by_key.get((code, month))
            row.stored = {m: by_key.get((code, m)) for m in months}
            row.figure = on_page[month]
        row.status = targets_module.status(row.metric, row.figure.value, row.target)
        row.trend = charts.sparkline(
            chart_id=f"{chart_prefix}-{code}",
            title=f"{row.metric.name}: trend",
            values=row.series,
            unit=row.metric.unit,
            months=row.months,
            annual=row.metric.annual,
            quarterly=row.metric.quarterly,
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
    """Why the figures may be out of date, or "" (two queries): every pending, running, lapsed
    or failed recompute whose providers are below ``org`` (or one covering every organisation)
    is mentioned with its state and age, oldest first (see ``services.recompute_notices``)."""
    from ..services import recompute_notices

    now = timezone.now()
    sentences = []
    for run in recompute_notices(org):
        sentence = _run_sentence(run, now)
        if sentence not in sentences:
            sentences.append(sentence)
    if not sentences:
        return ""
    if any(s.startswith("The last recompute") for s in sentences):
        sentences.append("The figures shown are the last ones computed successfully.")
    return " ".join(sentences)


def _ago(when, now) -> str:
    return f"{timesince(when, now, depth=1)} ago" if when else "some time ago"


def _run_sentence(run: RecomputeRun, now) -> str:
    from .. import leases

    state = leases.state(run, now)
    if run.kind == RecomputeRun.Kind.INCREMENTAL:
        being = "New data has been imported since these figures were computed; the figures are"
    else:
        being = "The figures are"
    if state == "waiting":
        return (
            f"{being} being recomputed: the recompute is waiting for a worker (requested "
            f"{_ago(run.created_at, now)})."
        )
    if state == "running":
        return f"{being} being recomputed (started {_ago(run.started_at, now)})."
    if state == "lapsed":
        return (
            f"{being} being recomputed, but the worker doing it stopped responding "
            f"{_ago(leases.last_sign_of_life(run), now)}: another worker will take it over and "
            "do it again from the start."
        )
    if state == "retrying":
        return (
            f"{being} being recomputed: an attempt failed {_ago(run.started_at, now)} and will be "
            f"tried again (attempt {run.attempts + 1} of {settings.RECOMPUTE_MAX_ATTEMPTS})."
        )
    tries = f", after {run.attempts} attempt{pluralize(run.attempts)}" if run.attempts else ""
    return f"The last recompute of these figures failed {_ago(run.finished_at, now)}{tries}."


def page_data(cls, *, org: Organisation, stamps, **fields):
    """A page's data (``cls``, a dataclass with ``computed_at`` and ``freshness``): ``fields``,
    when its figures were computed (the latest of ``stamps``) and the freshness note."""
    stamps = [stamp for stamp in stamps if stamp]
    computed_at = max(stamps) if stamps else None
    return cls(
        org=org, computed_at=computed_at, freshness=freshness_note(org, computed_at), **fields
    )
