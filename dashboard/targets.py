"""Targets and status (PRODUCT.md 3.2).

A chair may set a target for their organisation; it applies to every organisation below unless
one below sets its own; otherwise the metric's default target applies. Metrics where neither
direction is better have no target at all. Status compares a value
with its target, respecting the metric's direction: met, near (within 10% of the target,
relative) or not met; none without a target or a value, or for metrics where neither direction
is better. Status always has words (``STATUS_LABELS``), never colour alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from councils.models import Organisation

from . import metrics as catalogue
from .models import Target

NEAR = 0.10  # within 10% of the target (relative)

MET, NEAR_STATUS, NOT_MET = "met", "near", "not_met"
STATUS_LABELS = {
    MET: "Met",
    NEAR_STATUS: "Within 10% of target",
    NOT_MET: "Not met",
}
STATUS_TAGS = {MET: "nhsuk-tag--green", NEAR_STATUS: "nhsuk-tag--yellow", NOT_MET: "nhsuk-tag--red"}


@dataclass(frozen=True)
class EffectiveTarget:
    metric: str
    value: float | None
    set_at: Organisation | None  # None: the catalogue's default
    own: bool  # set at this very organisation

    @property
    def is_default(self) -> bool:
        return self.set_at is None

    @property
    def source(self) -> str:
        if self.set_at is None:
            return "Default" if self.value is not None else "No target"
        return "Set here" if self.own else f"Set by {self.set_at.display_name}"


def effective_targets_many(
    organisations: Iterable[Organisation], metrics: Iterable[str] | None = None
) -> dict[int, dict[str, EffectiveTarget]]:
    """``{org.pk: {metric code: EffectiveTarget}}`` for many organisations in one query."""
    organisations = list(organisations)
    codes = list(metrics) if metrics is not None else list(catalogue.BY_CODE)
    # A metric where neither direction is better has no target (PRODUCT.md 3.3): a Target row
    # for one (set before that rule) is ignored.
    directed = [code for code in codes if catalogue.get(code).has_direction]
    paths = {path for org in organisations for path in org.ancestor_paths(include_self=True)}
    found: dict[tuple[str, str], Target] = {}
    for target in Target.objects.filter(
        organisation__path__in=paths, metric__in=directed
    ).select_related("organisation"):
        found[(target.organisation.path, target.metric)] = target
    result: dict[int, dict[str, EffectiveTarget]] = {}
    for org in organisations:
        chain = list(reversed(org.ancestor_paths(include_self=True)))  # nearest first
        per_metric = {}
        for code in codes:
            for path in chain:
                target = found.get((path, code))
                if target is not None:
                    per_metric[code] = EffectiveTarget(
                        code, target.value, target.organisation, own=path == org.path
                    )
                    break
            else:
                per_metric[code] = EffectiveTarget(
                    code, catalogue.get(code).default_target, None, own=False
                )
        result[org.pk] = per_metric
    return result


def effective_targets(organisations):
    """Effective targets, in the shape the caller passes (both read in one query):

    * a list of organisations: ``{org.pk: {metric code: EffectiveTarget}}`` (value, where set);
    * one organisation: ``{metric code: target value or None}``.
    """
    if isinstance(organisations, Organisation):
        found = effective_targets_many([organisations])[organisations.pk]
        return {code: target.value for code, target in found.items()}
    return effective_targets_many(organisations)


def effective_target(organisation: Organisation, metric: str) -> EffectiveTarget:
    return effective_targets_many([organisation], [metric])[organisation.pk][metric]


def status(metric: catalogue.Metric | str, value: float | None, target: float | None) -> str | None:
    """``"met"``, ``"near"``, ``"not_met"`` or None (no target, no value, or no direction)."""
    if isinstance(metric, str):
        metric = catalogue.get(metric)
    if value is None or target is None or metric.direction not in ("higher", "lower"):
        return None
    margin = abs(target) * NEAR
    if metric.direction == "higher":
        if value >= target:
            return MET
        return NEAR_STATUS if value >= target - margin else NOT_MET
    if value <= target:
        return MET
    return NEAR_STATUS if value <= target + margin else NOT_MET


def status_label(code: str | None) -> str:
    return STATUS_LABELS.get(code, "No target") if code else "No target"
