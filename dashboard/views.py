"""Views of the metrics engine: the catalogue, chairs' targets and on-demand recompute.

The scorecard and metric pages live in ``dashboard/pages.py``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from councils import selectors as org_selectors
from councils.scoping import get_in_scope_or_404

from . import compute, selectors, services, spc
from . import metrics as catalogue
from . import targets as target_rules
from .change_point_forms import ChangePointForm
from .models import ChangePoint, RecomputeRun
from .target_forms import TargetsForm


@login_required
def catalogue_page(request):
    return render(
        request,
        "dashboard/catalogue.html",
        {
            "domains": [
                (
                    domain,
                    name,
                    [
                        (m, ", ".join(DATASET_NAMES.get(ds, ds) for ds in m.datasets))
                        for m in metrics
                    ],
                )
                for domain, name, metrics in catalogue.by_domain()
            ],
            "trend_length": spc.trend_length_setting(),
            "shift_length": spc.SHIFT_LENGTH,
            "min_points": spc.DEFAULT_MIN_POINTS,
        },
    )


DATASET_NAMES = {
    "staff": "Staff",
    "staff_month": "Staff months",
    "establishment": "Establishment",
    "activity": "Activity",
    "spend": "Spend",
    "staff_survey": "Staff survey",
}


@login_required
def targets(request, code):
    org = org_selectors.organisation_for(request.user, code, "chair")
    effective = target_rules.effective_targets_many([org])[org.pk]
    form = TargetsForm(request.POST or None, effective=effective)
    if request.method == "POST" and form.is_valid():
        to_set, to_clear = form.changes()
        with transaction.atomic():
            for metric, value in to_set.items():
                services.target_set(
                    organisation=org, metric=metric, value=value, actor=request.user
                )
            for metric in to_clear:
                services.target_clear(organisation=org, metric=metric, actor=request.user)
        messages.success(
            request,
            f"Targets saved for {org.name}: {len(to_set)} set here, {len(to_clear)} cleared.",
        )
        return redirect("dashboard:targets", code=org.code)
    rows = [(metric, effective[metric.code]) for metric in catalogue.CATALOGUE]
    return render(
        request,
        "dashboard/targets.html",
        {
            "org": org,
            "form": form,
            "rows": rows,
            "breadcrumb": org_selectors.breadcrumb(request.user, org),
            "latest_run": services.latest_run(org),
        },
    )


@login_required
@require_POST
def recompute(request, code):
    org = org_selectors.organisation_for(request.user, code, "chair")
    with transaction.atomic():
        run = services.request_recompute(
            provider_ids=compute.provider_ids_below(org),
            months=None,
            requested_by=request.user,
            kind=RecomputeRun.Kind.ON_DEMAND,
            organisation=org,
        )
    messages.info(request, f"Recompute requested for {org.name}.")
    return redirect("dashboard:run_status", code=org.code, pk=run.pk)


@login_required
def run_status(request, code, pk):
    org = org_selectors.organisation_for(request.user, code, "chair")
    run = get_in_scope_or_404(
        RecomputeRun.objects.select_related("requested_by"),
        request.user,
        "chair",
        pk=pk,
        organisation=org,
    )
    in_progress = run.status in (RecomputeRun.Status.PENDING, RecomputeRun.Status.RUNNING)
    return render(
        request,
        "dashboard/run_status.html",
        {
            "org": org,
            "run": run,
            "in_progress": in_progress,
            "breadcrumb": org_selectors.breadcrumb(request.user, org),
        },
    )


def _definition(code: str) -> catalogue.Metric:
    try:
        return catalogue.get(code)
    except KeyError:
        raise Http404("No such metric.") from None


@login_required
def change_points(request, code, metric):
    """A chair records a change point for a metric at their organisation, or sees those
    recorded (and removed) before."""
    org = org_selectors.organisation_for(request.user, code, "chair")
    definition = _definition(metric)
    available = selectors.available_months(org)
    months = selectors.window(available[0]) if available else []
    form = ChangePointForm(request.POST or None, months=months, organisation=org, metric=definition)
    if request.method == "POST" and form.is_valid():
        try:
            point = services.change_point_record(
                organisation=org,
                metric=definition.code,
                month=form.cleaned_data["month"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except services.ChangePointError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Change point recorded for {definition.name} from {point.month:%B %Y}: "
                "the chart's limits are recomputed from that month on.",
            )
            return redirect(reverse("dashboard:metric", args=[org.code, definition.code]))
    recorded = list(
        ChangePoint.objects.filter(organisation=org, metric=definition.code)
        .select_related("recorded_by", "removed_by")
        .order_by("-month", "-recorded_at")
    )
    return render(
        request,
        "dashboard/change_points.html",
        {
            "org": org,
            "metric": definition,
            "form": form,
            "active": [p for p in recorded if p.removed_at is None],
            "removed": [p for p in recorded if p.removed_at is not None],
            "has_months": len(months) > 1,
            "breadcrumb": org_selectors.breadcrumb(request.user, org),
        },
    )


@login_required
@require_POST
def change_point_remove(request, code, metric, pk):
    org = org_selectors.organisation_for(request.user, code, "chair")
    definition = _definition(metric)
    point = get_in_scope_or_404(
        ChangePoint.objects.active(),
        request.user,
        "chair",
        pk=pk,
        organisation=org,
        metric=definition.code,
    )
    services.change_point_remove(change_point=point, actor=request.user)
    messages.success(
        request,
        f"Change point of {point.month:%B %Y} removed from {definition.name}: the chart's "
        "limits no longer break there. The record of it is kept.",
    )
    return redirect(reverse("dashboard:change_points", args=[org.code, definition.code]))
