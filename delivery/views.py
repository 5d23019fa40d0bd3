"""Delivery plan pages. Reading needs "view" in scope; every edit needs "chair". Anything out of
scope, and any edit page for someone who may only read, does not exist for them: 404."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from councils.pages import form_page
from councils.scoping import covers
from councils.selectors import breadcrumb

from . import exports, quarters, selectors, services
from .forms import ActionForm, MeasureForm, UpdateForm
from .models import Theme


def _quarter(request) -> str:
    label = request.GET.get("quarter", "")
    try:
        quarters.parse(label)
    except ValueError:
        return quarters.quarter_of(timezone.localdate())
    return label


def _context(request, org, plan, **extra):
    return {
        "org": org,
        "plan": plan,
        "breadcrumb": breadcrumb(request.user, org) + [(org, True)],
        "can_edit": covers(request.user, "chair", org),
        **extra,
    }


def _plan_page_data(request, org, plan):
    quarter = _quarter(request)
    themes = selectors.plan_themes(plan, quarter) if plan else []
    live = selectors.live_metrics(org, selectors.all_measures(themes), request.user) if plan else {}
    for measure in selectors.all_measures(themes):
        measure.live = live.get(measure.pk)
    return quarter, themes, live


def _plan(request, code, action: str = "view"):
    """The organisation (``action`` in scope, else 404) and its plan (None before it has one)."""
    org = selectors.plan_organisation(request.user, code, action)
    return org, selectors.plan_of(org)


def _chair_plan(request, code):
    return _plan(request, code, "chair")


def _chair_action(request, code, pk):
    org, plan = _chair_plan(request, code)
    return org, plan, selectors.action_in_plan(plan, request.user, "chair", pk)


def _form_page(request, form, save, *, done, template, context):
    """Every add/change page of the plan (see ``form_page``): on success flash the message
    that ``done(result)`` returns with the action's pk, and go to that action."""

    def to_action(result):
        message, action_pk = done(result)
        return message, reverse(
            "delivery:action", kwargs={"code": context["org"].code, "pk": action_pk}
        )

    return form_page(request, form, save, template=template, context=context, done=to_action)


def _plan_page(template):
    """Make a reading page of the plan from ``extra(plan, quarter, themes)``, the context it adds:
    the page shows the plan in the user's view scope for the quarter asked for."""

    def make(extra):
        @login_required
        @wraps(extra)
        def page(request, code):
            org, plan = _plan(request, code)
            quarter, themes, _ = _plan_page_data(request, org, plan)
            context = _context(request, org, plan, quarter=quarter, **extra(plan, quarter, themes))
            return render(request, template, context)

        return page

    return make


def _board(themes, quarter) -> dict:
    return {
        "summary": selectors.board_summary(themes, quarter),
        "linked": [m for m in selectors.all_measures(themes) if m.live],
    }


@_plan_page("delivery/plan.html")
def plans(plan, quarter, themes):
    return {
        "quarter_choices": selectors.quarter_choices(plan, timezone.localdate()),
        "themes": themes,
    }


@login_required
@require_POST
def seed(request, code):
    org = selectors.plan_organisation(request.user, code, "chair")
    result = services.plan_seed_from_appendix(organisation=org)
    messages.success(request, result.summary())
    return redirect("delivery:plans", code=org.code)


@_plan_page("delivery/summary.html")
def summary(plan, quarter, themes):
    return {
        "quarter_months": quarters.months_of(quarter),
        "quarter_choices": selectors.quarter_choices(plan, timezone.localdate()),
        **_board(themes, quarter),
    }


@_plan_page("delivery/print.html")
def print_view(plan, quarter, themes):
    return {
        "themes": themes,
        "printed_at": timezone.localtime(),
        **_board(themes, quarter),
    }


@login_required
def export(request, code, fmt):
    org, plan = _plan(request, code)
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such page.")
    quarter, themes, live = _plan_page_data(request, org, plan)
    filename = f"delivery-plan-{org.code}-{quarter.replace('/', '-').replace(' ', '-')}"
    if fmt == "csv":
        response = HttpResponse(
            exports.to_csv(themes, live, quarter), content_type="text/csv; charset=utf-8"
        )
    else:
        title = plan.title if plan else f"{org.name} delivery plan"
        response = HttpResponse(
            exports.to_xlsx(themes, live, quarter, f"{title}: {org.name}, {quarter}"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@login_required
def action_detail(request, code, pk):
    org, plan = _plan(request, code)
    action = selectors.action_in_plan(plan, request.user, "view", pk)
    updates = list(
        action.updates.select_related("author").order_by("-quarter", "-created_at", "-pk")
    )
    return render(
        request,
        "delivery/action_detail.html",
        _context(
            request, org, plan, action=action, updates=updates, measures=action.measures.all()
        ),
    )


def _action_form(request, plan, initial=None):
    return ActionForm(
        request.POST or None,
        initial=initial,
        themes=Theme.objects.filter(plan=plan).order_by("number"),
        users=services.owner_users(plan),
        organisations=services.owner_organisations(plan),
    )


@login_required
def theme_create(request, code):
    org, plan = _chair_plan(request, code)
    name = request.POST.get("name", "").strip() if request.method == "POST" else ""
    error = ""
    if request.method == "POST":
        if not name:
            error = "Enter the theme's name."
        else:
            plan = services.plan_ensure(organisation=org)
            theme = services.theme_create(plan=plan, name=name)
            messages.success(request, f"Added theme {theme.number}: {theme.name}.")
            return redirect("delivery:plans", code=org.code)
    return render(
        request, "delivery/theme_form.html", _context(request, org, plan, name=name, error=error)
    )


@login_required
def action_create(request, code):
    org, plan = _chair_plan(request, code)
    if plan is None or not plan.themes.exists():
        messages.info(request, "Add a theme (or seed the plan) before adding actions.")
        return redirect("delivery:theme_create", code=org.code)
    form = _action_form(request, plan, initial={"theme": request.GET.get("theme")})
    return _form_page(
        request,
        form,
        lambda data: services.action_create(**data),
        done=lambda action: (f"Added action {action.reference}.", action.pk),
        template="delivery/action_form.html",
        context=_context(request, org, plan, form=form, heading="Add an action"),
    )


@login_required
def action_edit(request, code, pk):
    org, plan, action = _chair_action(request, code, pk)
    initial = {
        "theme": action.theme_id,
        "text": action.text,
        "owner_user": action.owner_user_id,
        "owner_organisation": action.owner_organisation_id,
        "start_date": action.start_date,
        "due_date": action.due_date,
    }
    form = _action_form(request, plan, initial=initial)
    return _form_page(
        request,
        form,
        lambda data: services.action_update(action=action, **data),
        done=lambda _: (f"Saved action {action.reference}.", action.pk),
        template="delivery/action_form.html",
        context=_context(request, org, plan, form=form, action=action, heading="Change the action"),
    )


@login_required
def update_add(request, code, pk):
    org, plan, action = _chair_action(request, code, pk)
    today = timezone.localdate()
    form = UpdateForm(
        request.POST or None,
        quarters=selectors.quarter_choices(plan, today),
        initial={"quarter": request.GET.get("quarter") or quarters.quarter_of(today)},
    )

    def done(update):
        status = update.get_status_display().lower()
        message = f"Recorded {update.quarter} progress for action {action.reference}: {status}."
        return message, action.pk

    return _form_page(
        request,
        form,
        lambda data: services.update_add(action=action, author=request.user, **data),
        done=done,
        template="delivery/update_form.html",
        context=_context(request, org, plan, form=form, action=action),
    )


@login_required
def measure_create(request, code, pk):
    org, plan, action = _chair_action(request, code, pk)
    form = MeasureForm(request.POST or None)
    return _form_page(
        request,
        form,
        lambda data: services.measure_create(action=action, **data),
        done=lambda _: (f"Added a measure of success to action {action.reference}.", action.pk),
        template="delivery/measure_form.html",
        context=_context(
            request, org, plan, form=form, action=action, heading="Add a measure of success"
        ),
    )


@login_required
def measure_edit(request, code, pk):
    org, plan = _chair_plan(request, code)
    measure = selectors.measure_in_plan(plan, request.user, "chair", pk)
    form = MeasureForm(
        request.POST or None,
        initial={"text": measure.text, "metric": measure.metric, "target": measure.target},
    )

    def done(_):
        linked = f", linked to {measure.get_metric_display()}" if measure.metric else ""
        return f"Saved the measure of success{linked}.", measure.action_id

    return _form_page(
        request,
        form,
        lambda data: services.measure_update(measure=measure, **data),
        done=done,
        template="delivery/measure_form.html",
        context=_context(
            request,
            org,
            plan,
            form=form,
            action=measure.action,
            measure=measure,
            heading="Change the measure of success",
        ),
    )
