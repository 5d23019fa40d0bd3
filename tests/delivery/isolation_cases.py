"""Every delivery plan URL, for an ICS council and a regional board. Reading needs a role in
scope; editing needs the chair role in scope. Everyone else gets 404."""

from delivery.models import Action, DeliveryPlan, MeasureOfSuccess, Theme
from tests.isolation import ScopedURL


def _action(org, make_user):
    plan, _ = DeliveryPlan.objects.get_or_create(organisation=org, defaults={"title": "Plan"})
    theme, _ = Theme.objects.get_or_create(plan=plan, number=1, defaults={"name": "Value"})
    return Action.objects.create(theme=theme, position=1, text="Implement job planning")


def action_kwargs(org, make_user):
    return {"code": org.code, "pk": _action(org, make_user).pk}


def measure_kwargs(org, make_user):
    action = _action(org, make_user)
    measure = MeasureOfSuccess.objects.create(action=action, position=1, text="Capacity assessed")
    return {"code": org.code, "pk": measure.pk}


CASES = []
for level in ("ics", "region"):
    CASES += [
        ScopedURL("delivery:plans", "viewer", level=level),
        ScopedURL("delivery:summary", "viewer", level=level),
        ScopedURL("delivery:print", "viewer", level=level),
        ScopedURL(
            "delivery:export",
            "viewer",
            level=level,
            build=lambda org, make_user: {"code": org.code, "fmt": "csv"},
        ),
        ScopedURL(
            "delivery:export",
            "viewer",
            level=level,
            build=lambda org, make_user: {"code": org.code, "fmt": "xlsx"},
        ),
        ScopedURL("delivery:action", "viewer", level=level, build=action_kwargs),
        ScopedURL("delivery:seed", "chair", level=level, method="post", ok_status=(302,)),
        ScopedURL("delivery:theme_create", "chair", level=level),
        ScopedURL(
            "delivery:action_create",
            "chair",
            level=level,
            build=lambda org, make_user: {
                "code": _action(org, make_user).theme.plan.organisation.code
            },
        ),
        ScopedURL("delivery:action_edit", "chair", level=level, build=action_kwargs),
        ScopedURL("delivery:update_add", "chair", level=level, build=action_kwargs),
        ScopedURL("delivery:measure_create", "chair", level=level, build=action_kwargs),
        ScopedURL("delivery:measure_edit", "chair", level=level, build=measure_kwargs),
    ]
