"""Every write to a delivery plan. Views and the command call these; each checks its own rules.

Scope (who may call them) is the caller's job: views fetch the organisation with the "chair"
action first, so a service is only ever handed objects the actor may edit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from councils.models import Membership, Organisation
from dashboard.metrics import BY_CODE

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

SEED_PATH = Path(__file__).resolve().parent / "seed_data" / "syb_delivery_plan.json"


def _check_plan_level(organisation: Organisation) -> None:
    if organisation.level not in PLAN_LEVELS:
        raise ValidationError(
            f"{organisation.name} is a {organisation.get_level_display().lower()}; delivery plans "
            "belong to an integrated care system's AHP council or a regional AHP board."
        )


def plan_ensure(*, organisation: Organisation, title: str = "") -> DeliveryPlan:
    """The organisation's plan, created (empty) if it has none."""
    _check_plan_level(organisation)
    plan, _ = DeliveryPlan.objects.get_or_create(
        organisation=organisation,
        defaults={"title": title or f"{organisation.display_name} AHP delivery plan"},
    )
    return plan


@dataclass
class SeedResult:
    plan: DeliveryPlan
    themes_created: int
    actions_created: int
    measures_created: int
    already_present: int

    @property
    def created(self) -> int:
        return self.themes_created + self.actions_created + self.measures_created

    def summary(self) -> str:
        if not self.created:
            return (
                f"The plan already holds all {self.already_present} items of the South Yorkshire "
                "and Bassetlaw strategy's delivery plan; nothing was added."
            )
        return (
            f"Added {self.themes_created} themes, {self.actions_created} actions and "
            f"{self.measures_created} measures of success from the South Yorkshire and Bassetlaw "
            "strategy's delivery plan"
            + (f" ({self.already_present} were already there)." if self.already_present else ".")
        )


def load_seed(path: Path = SEED_PATH) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


@transaction.atomic
def plan_seed_from_appendix(*, organisation: Organisation, seed: dict | None = None) -> SeedResult:
    """Seed the organisation's plan from seed 000 appendix 1, word for word.

    Idempotent: themes are matched by number, actions and measures by their place in the seed
    (``seed_ref``), so running it again adds only what is missing and never changes or duplicates
    what a chair has since edited. Set-based: a fixed number of queries whatever the seed's size.
    """
    seed = seed or load_seed()
    plan = plan_ensure(organisation=organisation, title=seed["title"])
    if not plan.source:
        plan.source = seed["source"]
        plan.save(update_fields=["source", "updated_at"])

    themes = {t.number: t for t in Theme.objects.filter(plan=plan)}
    new_themes = [
        Theme(plan=plan, number=t["number"], name=t["name"])
        for t in seed["themes"]
        if t["number"] not in themes
    ]
    for theme in Theme.objects.bulk_create(new_themes):
        themes[theme.number] = theme
    if any(theme.pk is None for theme in themes.values()):  # backends without RETURNING
        themes = {t.number: t for t in Theme.objects.filter(plan=plan)}

    present = 0
    existing_actions = {
        a.seed_ref: a for a in Action.objects.filter(theme__plan=plan).exclude(seed_ref="")
    }
    new_actions = []
    for t in seed["themes"]:
        for i, a in enumerate(t["actions"], start=1):
            ref = f"{t['number']}.{i}"
            if ref in existing_actions:
                present += 1
            else:
                new_actions.append(
                    Action(theme=themes[t["number"]], position=i, text=a["text"], seed_ref=ref)
                )
    Action.objects.bulk_create(new_actions)
    actions = {a.seed_ref: a for a in Action.objects.filter(theme__plan=plan).exclude(seed_ref="")}

    existing_measures = set(
        MeasureOfSuccess.objects.filter(action__theme__plan=plan)
        .exclude(seed_ref="")
        .values_list("seed_ref", flat=True)
    )
    new_measures = []
    for t in seed["themes"]:
        for i, a in enumerate(t["actions"], start=1):
            for j, m in enumerate(a["measures_of_success"], start=1):
                ref = f"{t['number']}.{i}.{j}"
                if ref in existing_measures:
                    present += 1
                    continue
                action = actions[f"{t['number']}.{i}"]
                new_measures.append(
                    MeasureOfSuccess(action=action, position=j, text=m["text"], seed_ref=ref)
                )
    MeasureOfSuccess.objects.bulk_create(new_measures)
    present += len(seed["themes"]) - len(new_themes)
    return SeedResult(
        plan=plan,
        themes_created=len(new_themes),
        actions_created=len(new_actions),
        measures_created=len(new_measures),
        already_present=present,
    )


def theme_create(*, plan: DeliveryPlan, name: str) -> Theme:
    name = _check_text(name, "name")
    last = plan.themes.order_by("-number").values_list("number", flat=True).first() or 0
    return Theme.objects.create(plan=plan, number=last + 1, name=name)


# --- owners -----------------------------------------------------------------------------------


def owner_users(plan: DeliveryPlan):
    """Users who hold a role at the plan's organisation or below it: who may own an action."""
    from councils.models import User

    return (
        User.objects.filter(
            is_active=True,
            pk__in=Membership.objects.below(plan.organisation).values("user_id"),
        )
        .distinct()
        .order_by("full_name", "email")
    )


def owner_organisations(plan: DeliveryPlan):
    return plan.organisation.subtree().order_by("path")


def _check_owner(plan: DeliveryPlan, owner_user, owner_organisation) -> None:
    errors = {}
    if (
        owner_user is not None
        and not Membership.objects.below(plan.organisation).filter(user=owner_user).exists()
    ):
        errors["owner_user"] = (
            f"{owner_user.get_full_name()} holds no role at {plan.organisation.name} or below it, "
            "so cannot own one of its actions."
        )
    if owner_organisation is not None and not plan.organisation.covers(owner_organisation):
        errors["owner_organisation"] = (
            f"{owner_organisation.name} is not {plan.organisation.name} "
            "or an organisation below it."
        )
    if errors:
        raise ValidationError(errors)


def _check_dates(start_date: date | None, due_date: date | None) -> None:
    if start_date and due_date and due_date < start_date:
        raise ValidationError(
            {
                "due_date": f"The due date ({due_date:%-d %B %Y}) is before the start date "
                f"({start_date:%-d %B %Y})."
            }
        )


def _check_text(text: str, field: str = "text") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: "Enter the text."})
    return text


# --- actions and measures ---------------------------------------------------------------------


@transaction.atomic
def action_create(
    *,
    theme: Theme,
    text: str,
    owner_user=None,
    owner_organisation: Organisation | None = None,
    start_date: date | None = None,
    due_date: date | None = None,
) -> Action:
    text = _check_text(text)
    _check_owner(theme.plan, owner_user, owner_organisation)
    _check_dates(start_date, due_date)
    last = theme.actions.order_by("-position").values_list("position", flat=True).first() or 0
    return Action.objects.create(
        theme=theme,
        position=last + 1,
        text=text,
        owner_user=owner_user,
        owner_organisation=owner_organisation,
        start_date=start_date,
        due_date=due_date,
    )


@transaction.atomic
def action_update(
    *,
    action: Action,
    theme: Theme,
    text: str,
    owner_user=None,
    owner_organisation: Organisation | None = None,
    start_date: date | None = None,
    due_date: date | None = None,
) -> Action:
    if theme.plan_id != action.theme.plan_id:
        raise ValidationError({"theme": "That theme belongs to another plan."})
    text = _check_text(text)
    _check_owner(theme.plan, owner_user, owner_organisation)
    _check_dates(start_date, due_date)
    if theme.pk != action.theme_id:
        last = theme.actions.order_by("-position").values_list("position", flat=True).first()
        action.position = (last or 0) + 1
    action.theme = theme
    action.text = text
    action.owner_user = owner_user
    action.owner_organisation = owner_organisation
    action.start_date = start_date
    action.due_date = due_date
    action.save()
    return action


def _check_metric(metric: str, target: float | None) -> None:
    if metric and metric not in BY_CODE:
        raise ValidationError({"metric": f"{metric!r} is not a metric in the catalogue."})
    if target is not None and not metric:
        raise ValidationError({"target": "A target needs a linked metric to measure against."})


def measure_create(
    *, action: Action, text: str, metric: str = "", target: float | None = None
) -> MeasureOfSuccess:
    text = _check_text(text)
    _check_metric(metric, target)
    last = action.measures.order_by("-position").values_list("position", flat=True).first() or 0
    return MeasureOfSuccess.objects.create(
        action=action, position=last + 1, text=text, metric=metric, target=target
    )


def measure_update(
    *, measure: MeasureOfSuccess, text: str, metric: str = "", target: float | None = None
) -> MeasureOfSuccess:
    text = _check_text(text)
    _check_metric(metric, target)
    measure.text = text
    measure.metric = metric
    measure.target = target
    measure.save(update_fields=["text", "metric", "target"])
    return measure


def measure_link_metric(
    *, measure: MeasureOfSuccess, metric: str, target: float | None = None
) -> MeasureOfSuccess:
    return measure_update(measure=measure, text=measure.text, metric=metric, target=target)


# --- progress updates -------------------------------------------------------------------------


def update_add(
    *, action: Action, quarter: str, status: str, narrative: str, author
) -> ProgressUpdate:
    """Record an action's progress for a quarter. Earlier updates are kept as its history; the
    latest update in a quarter is the action's status for that quarter."""
    try:
        quarters.parse(quarter)
    except ValueError as error:
        raise ValidationError({"quarter": str(error)}) from None
    if status not in Status.values:
        raise ValidationError(
            {
                "status": f"{status!r} is not a status; "
                "choose on track, at risk, off track or complete."
            }
        )
    narrative = _check_text(narrative, "narrative")
    return ProgressUpdate.objects.create(
        action=action, quarter=quarter, status=status, narrative=narrative, author=author
    )
