"""Views of the metrics engine: the catalogue, chairs' targets and on-demand recompute.

The scorecard and metric pages live in ``dashboard/pages.py``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from councils import selectors as org_selectors
from councils.scoping import get_in_scope_or_404

from . import compute, services
from . import metrics as catalogue
from . import targets as target_rules
from .models import RecomputeRun
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
            ]
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
