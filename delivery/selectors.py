"""Reads of delivery plans shared by the pages and exports. All scoped through councils.scoping.

Query counts are constant: a plan page reads its themes, actions, measures and updates in four
queries whatever the plan's size, and the live metrics of every linked measure in two more.
"""

from __future__ import annotations

import datetime as dt
from collections import namedtuple
from dataclasses import dataclass

from django.db.models import Max, Prefetch, Q
from django.http import Http404

from councils.models import Organisation
from councils.selectors import organisation_for
from dashboard import metrics as catalogue
from dashboard import suppression, targets
from dashboard.models import ChangePoint, MetricValue
from dashboard.series import metric_series, window

from . import quarters
from .models import (
    PLAN_LEVELS,
    Action,
    DeliveryPlan,
    MeasureOfSuccess,
    ProgressUpdate,
    Status,
    Theme,
)

SPC_MONTHS = 24


def plan_organisation(user, code: str, action: str = "view") -> Organisation:
    """The ICS or region whose plan the user asks for, or 404 (out of scope or wrong level)."""
    org = organisation_for(user, code, action)
    if org.level not in PLAN_LEVELS:
        raise Http404("No such page.")
    return org


def plan_of(organisation: Organisation) -> DeliveryPlan | None:
    return DeliveryPlan.objects.filter(organisation=organisation).first()


def action_in_plan(plan: DeliveryPlan | None, user, action: str, pk: int) -> Action:
    """An action of this plan within the user's scope for ``action``, or 404."""
    if plan is None:
        raise Http404("No such page.")
    from councils.scoping import get_in_scope_or_404

    return get_in_scope_or_404(
        Action.objects.filter(theme__plan=plan).select_related(
            "theme", "owner_user", "owner_organisation"
        ),
        user,
        action,
        pk=pk,
    )


def measure_in_plan(plan: DeliveryPlan | None, user, action: str, pk: int) -> MeasureOfSuccess:
    if plan is None:
        raise Http404("No such page.")
    from councils.scoping import get_in_scope_or_404

    return get_in_scope_or_404(
        MeasureOfSuccess.objects.filter(action__theme__plan=plan).select_related("action__theme"),
        user,
        action,
        pk=pk,
    )


# --- the plan with its status per quarter -----------------------------------------------------


def plan_themes(plan: DeliveryPlan, quarter: str) -> list[Theme]:
    """Themes with their actions, measures and updates (four queries).

    Each action gets ``updates_list`` (oldest first), ``status_update`` (its latest update in or
    before ``quarter``: its status as at that quarter), ``quarter_update`` (its latest update in
    ``quarter``) and ``previous_update`` (its latest update before ``quarter``).
    """
    themes = list(
        Theme.objects.filter(plan=plan)
        .order_by("number")
        .prefetch_related(
            Prefetch(
                "actions",
                queryset=Action.objects.select_related("owner_user", "owner_organisation")
                .order_by("position", "pk")
                .prefetch_related(
                    Prefetch(
                        "measures", queryset=MeasureOfSuccess.objects.order_by("position", "pk")
                    ),
                    Prefetch(
                        "updates",
                        queryset=ProgressUpdate.objects.select_related("author").order_by(
                            "quarter", "created_at", "pk"
                        ),
                    ),
                ),
            )
        )
    )
    for theme in themes:
        # Plain lists, so pages and exports iterate without cloning a queryset per loop.
        theme.actions_list = list(theme.actions.all())
        for action in theme.actions_list:
            action.theme = theme  # already loaded: avoids a query per action for references
            action.measures_list = list(action.measures.all())
            _annotate_action(action, quarter)
    return themes


def _annotate_action(action: Action, quarter: str) -> None:
    updates = list(action.updates.all())
    action.updates_list = updates
    action.latest_update = updates[-1] if updates else None
    action.quarter_update = next((u for u in reversed(updates) if u.quarter == quarter), None)
    action.previous_update = next((u for u in reversed(updates) if u.quarter < quarter), None)
    action.status_update = action.quarter_update or action.previous_update


def all_actions(themes: list[Theme]) -> list[Action]:
    return [action for theme in themes for action in theme.actions_list]


def all_measures(themes: list[Theme]) -> list[MeasureOfSuccess]:
    return [m for action in all_actions(themes) for m in action.measures_list]


def quarter_choices(plan: DeliveryPlan | None, today: dt.date) -> list[str]:
    """Quarters to offer: the recent ones and every quarter the plan has updates for."""
    labels = set(quarters.recent(today))
    if plan is not None:
        labels.update(
            ProgressUpdate.objects.filter(action__theme__plan=plan)
            .values_list("quarter", flat=True)
            .distinct()
        )
    return sorted(labels, reverse=True)


@dataclass
class ChangedAction:
    action: Action
    update: ProgressUpdate
    previous: ProgressUpdate | None

    @property
    def change(self) -> str:
        if self.previous is None:
            return "First update"
        if self.previous.status == self.update.status:
            return f"No change: {self.update.get_status_display().lower()}"
        return f"{self.previous.get_status_display()} to {self.update.get_status_display().lower()}"


@dataclass
class BoardSummary:
    quarter: str
    counts: list[tuple[str, str, str, int]]  # (status, label, tag colour, actions)
    not_updated: list[Action]
    changed: list[ChangedAction]
    off_track: list[Action]
    at_risk: list[Action]
    total: int


def board_summary(themes: list[Theme], quarter: str) -> BoardSummary:
    """What changed in ``quarter`` and what is off track or at risk (no further queries)."""
    from .models import STATUS_TAG

    actions = all_actions(themes)
    counts = dict.fromkeys(Status.values, 0)
    for action in actions:
        if action.status_update:
            counts[action.status_update.status] += 1
    changed = [
        ChangedAction(a, a.quarter_update, a.previous_update) for a in actions if a.quarter_update
    ]
    return BoardSummary(
        quarter=quarter,
        counts=[(s.value, s.label, STATUS_TAG[s], counts[s.value]) for s in Status],
        not_updated=[a for a in actions if a.quarter_update is None],
        changed=changed,
        off_track=[
            a for a in actions if a.status_update and a.status_update.status == Status.OFF_TRACK
        ],
        at_risk=[
            a for a in actions if a.status_update and a.status_update.status == Status.AT_RISK
        ],
        total=len(actions),
    )


# --- live metrics -----------------------------------------------------------------------------


@dataclass
class LiveMetric:
    metric: catalogue.Metric
    month: dt.date | None
    value: float | None
    suppressed: bool
    target: float | None
    target_source: str  # e.g. "Set for this measure", "Default", "Set by SYB ICS"
    status: str  # "met", "near", "not_met" or "" (no value, no target or no direction)
    variation: str
    assurance: str
    providers_reporting: int
    providers_total: int
    computed_at: dt.datetime | None

    @property
    def value_display(self) -> str:
        if self.suppressed:
            return suppression.SUPPRESSED_TEXT
        if self.value is None:
            return "No data yet"
        return format_value(self.metric, self.value)

    @property
    def target_display(self) -> str:
        return "" if self.target is None else format_value(self.metric, self.target)

    @property
    def status_label(self) -> str:
        if self.status:
            return targets.STATUS_LABELS[self.status]
        if self.target is None:
            return "No target"
        return "No data" if self.value is None else "No status (neither direction is better)"

    @property
    def status_tag(self) -> str:
        return {"met": "green", "near": "yellow", "not_met": "red"}.get(self.status, "grey")


def format_value(metric: catalogue.Metric, value: float) -> str:
    if metric.unit == "percent":
        return f"{value:.1f}%"
    if metric.unit == "count":
        return f"{value:,.0f}"
    if metric.unit == "score":
        return f"{value:.1f}"
    return f"{value:.2f}"


def target_status(metric: catalogue.Metric | str, value: float | None, target: float | None) -> str:
    """Met, within 10% of the target (relative), or not met: dashboard.targets' rule."""
    return targets.status(metric, value, target) or ""


_Row = namedtuple(
    "_Row",
    "metric month value people suppressed providers_reporting providers_total computed_at",
)


def live_metrics(
    organisation: Organisation, measures: list[MeasureOfSuccess], user
) -> dict[int, LiveMetric]:
    """The latest value, target status and SPC verdicts of every linked measure's metric, for the
    plan's organisation (all professions, all bands). Four queries whatever the number of
    measures: latest month per metric, the last 24 months of values, the effective targets.

    A measure's own target wins; otherwise the organisation's effective target applies (a chair's
    target here or above, else the catalogue default), as on the dashboard.
    """
    linked = [m for m in measures if m.metric in catalogue.BY_CODE]
    if not linked:
        return {}
    codes = sorted({m.metric for m in linked})
    base = MetricValue.objects.filter(
        organisation=organisation, metric__in=codes, profession="all", band_group="all"
    )
    latest = dict(
        base.filter(value__isnull=False)
        .values("metric")
        .annotate(latest=Max("month"))
        .values_list("metric", "latest")
    )
    org_targets = targets.effective_targets_many([organisation], codes)[organisation.pk]
    series: dict[str, dict[dt.date, _Row]] = {code: {} for code in codes}
    breaks: dict[str, list[dt.date]] = {code: [] for code in codes}
    if latest:
        since = window(min(latest.values()), SPC_MONTHS)[0]
        annual = [code for code in latest if catalogue.get(code).periodic]
        for row in (
            base.filter(Q(month__gte=since) | Q(metric__in=annual), metric__in=list(latest))
            .order_by("month")
            .values_list(*_Row._fields, named=True)
        ):
            series[row.metric][row.month] = row
        # the chair's change points, as on the metric page (those outside a metric's window
        # change nothing in it: dashboard.series drops them)
        for code, month in (
            ChangePoint.objects.active()
            .filter(organisation=organisation, metric__in=list(latest), month__gt=since)
            .values_list("metric", "month")
        ):
            breaks[code].append(month)

    result = {}
    for measure in linked:
        metric = catalogue.BY_CODE[measure.metric]
        month = latest.get(metric.code)
        target, source = _target_for(measure, org_targets[metric.code])
        if month is None:
            result[measure.pk] = LiveMetric(
                metric, None, None, False, target, source, "",
                "No data yet", "No data yet", 0, 0, None,
            )  # fmt: skip
            continue
        rows = series[metric.code]
        row = rows[month]
        own = not any(r.suppressed for r in rows.values()) or suppression.holds_role_at(
            user, organisation
        )
        analysis = metric_series(
            metric,
            {m: None if r.suppressed and not own else r.value for m, r in rows.items()},
            last=month,
            target=target,
            size=SPC_MONTHS,
            change_points=breaks[metric.code],
        ).result
        suppressed = suppression.is_suppressed(
            suppressed=row.suppressed, owner=organisation, user=user
        )
        result[measure.pk] = LiveMetric(
            metric=metric,
            month=month,
            value=None if suppressed else row.value,
            suppressed=suppressed,
            target=target,
            target_source=source,
            status="" if suppressed else target_status(metric, row.value, target),
            variation=analysis.variation_label,
            assurance=analysis.assurance_label,
            providers_reporting=row.providers_reporting,
            providers_total=row.providers_total,
            computed_at=row.computed_at,
        )
    return result


def _target_for(
    measure: MeasureOfSuccess, effective: targets.EffectiveTarget
) -> tuple[float | None, str]:
    if measure.target is not None:
        return measure.target, "Set for this measure"
    if effective.value is None:
        return None, ""
    if effective.set_at is None:
        return effective.value, "Dashboard default"
    return effective.value, f"Dashboard target set by {effective.set_at.display_name}"
