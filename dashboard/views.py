"""The Quality Dashboard's views: the scorecard, metric page, diversity, supply, exports and
board report; the catalogue, chairs' targets and change points, and on-demand recompute.

Each page checks scope on its first line (out of scope is 404), parses the filters from the URL,
calls one selector and renders. Pages read only the MetricValue store.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from councils import selectors as org_selectors
from councils.pages import org_page
from councils.scoping import covers, get_in_scope_or_404

from . import (
    as_it_was,
    board_reports,
    compute,
    exports,
    leases,
    metric_versions,
    pdf,
    selectors,
    services,
    spc,
)
from . import metrics as catalogue
from . import targets as target_rules
from .forms import ChangePointForm, FilterForm, TargetsForm
from .metrics import ALL_PROFESSIONS
from .models import ChangePoint, RecomputeRun


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
                        (
                            m,
                            ", ".join(DATASET_NAMES.get(ds, ds) for ds in m.datasets),
                            metric_versions.versions(m.code),
                        )
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
    "placements": "Placements",
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
            "progress": leases.progress(run) if in_progress else None,
            "breadcrumb": org_selectors.breadcrumb(request.user, org),
        },
    )


@login_required
def change_points(request, code, metric):
    """A chair records a change point for a metric at their organisation, or sees those
    recorded (and removed) before."""
    org = org_selectors.organisation_for(request.user, code, "chair")
    definition = _metric(metric)
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
    definition = _metric(metric)
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


def _filters(params, months, **options) -> tuple[FilterForm, selectors.Filters]:
    """The filter form of a query (``params``, a QueryDict) and the filters it gives."""
    form = FilterForm(params or None, months=months, **options)
    if form.is_bound:
        form.is_valid()
    return form, form.filters()


def _page_filters(request, code, **options):
    """A dashboard page's organisation, the months it has data for, and the filter form and
    filters of the request's query."""
    org = _org(request, code)
    view = request.GET.get("view") if options.get("with_view") else None
    months = selectors.available_months(org, view if view in as_it_was.VIEWS else as_it_was.CURRENT)
    form, filters = _filters(request.GET, months, **options)
    return org, months, form, filters


def _org(request, code):
    return org_selectors.organisation_for(request.user, code, "view")


def _metric(code: str) -> catalogue.Metric:
    try:
        return catalogue.get(code)
    except KeyError:
        raise Http404("No such metric.") from None


def _query(filters: selectors.Filters) -> str:
    params = filters.query()
    return f"?{urlencode(params)}" if params else ""


def _filtered_page(request, template: str, org, form, filters, **context):
    """A dashboard page about ``org`` with its filter ``form`` and, for its links, the query
    string that keeps the ``filters``."""
    # the page says which structure its figures are on (today's, where it has no switch)
    context.setdefault("structure_note", filters.view_sentence)
    return org_page(request, template, org, form=form, query=_query(filters), **context)


@login_required
@require_GET
def scorecard(request, code):
    org, months, form, filters = _page_filters(request, code, with_view=True)
    query = _query(filters)
    card, tables = selectors.scorecard_tables(
        request.user,
        org,
        filters,
        months,
        render=lambda card: render_to_string(
            "dashboard/_scorecard_table.html", {"card": card, "links": True, "query": query}
        ),
        variant=(query,),
    )
    children = list(org_selectors.children_of(org).order_by("name"))
    return _filtered_page(
        request,
        "dashboard/scorecard.html",
        org,
        form,
        filters,
        card=card,
        tables=tables,
        children=children,
        profession_name=_profession_name(form, filters),
    )


def _profession_name(form, filters) -> str:
    if filters.profession == ALL_PROFESSIONS or "profession" not in form.fields:
        return "All professions"
    return dict(form.fields["profession"].choices).get(filters.profession, filters.profession)


# What a page shows, for the page and for its download alike: (org, form, filters, page data)


def _metric_detail(request, code, metric):
    org, months, form, filters = _page_filters(request, code, with_view=True)
    definition = _metric(metric)
    detail = selectors.metric_detail_for(request.user, org, definition, filters, months)
    return org, form, filters, detail


def _diversity(request, code):
    org, months, form, filters = _page_filters(request, code, with_band_group=False)
    return org, form, filters, selectors.diversity_for(request.user, org, filters, months)


def _supply(request, code):
    org, months, form, filters = _page_filters(
        request, code, with_profession=False, with_band_group=False
    )
    return org, form, filters, selectors.supply_for(request.user, org, filters, months)


@login_required
@require_GET
def metric(request, code, metric):
    org, months, form, filters = _page_filters(request, code, with_view=True)
    definition = _metric(metric)
    query, profession_name = _query(filters), _profession_name(form, filters)
    can_record = covers(request.user, "chair", org)
    freshness, figures = selectors.metric_figures(
        request.user,
        org,
        definition,
        filters,
        months,
        render=lambda detail: render_to_string(
            "dashboard/_metric_figures.html",
            {
                "org": org,
                "detail": detail,
                "query": query,
                "can_record_change_points": can_record,
                "profession_name": profession_name,
            },
        ),
        variant=(query, can_record, profession_name),
    )
    return _filtered_page(
        request,
        "dashboard/metric.html",
        org,
        form,
        filters,
        metric=definition,
        freshness=freshness,
        figures=figures,
    )


@login_required
@require_GET
def diversity(request, code):
    org, form, filters, data = _diversity(request, code)
    return _filtered_page(
        request,
        "dashboard/diversity.html",
        org,
        form,
        filters,
        data=data,
        profession_name=_profession_name(form, filters),
        all_professions_query=urlencode(selectors.Filters(month=filters.month).query()),
    )


@login_required
@require_GET
def supply(request, code):
    org, form, filters, data = _supply(request, code)
    return _filtered_page(request, "dashboard/supply.html", org, form, filters, data=data)


def _scorecard_for_export(request, code):
    org, months, form, filters = _page_filters(request, code, with_view=True)
    card = selectors.scorecard_for(request.user, org, filters, months)
    return card, _profession_name(form, filters)


@login_required
@require_GET
def scorecard_csv(request, code):
    card, profession_name = _scorecard_for_export(request, code)
    return exports.scorecard_csv(card, profession_name=profession_name)


@login_required
@require_GET
def scorecard_xlsx(request, code):
    card, profession_name = _scorecard_for_export(request, code)
    return exports.scorecard_xlsx(card, profession_name=profession_name)


def _page_download(request, extension: str, read, export, *args):
    """CSV or XLSX of a page as the user sees it for the same filters: ``read(request, *args)``
    is what the page shows (org, form, filters, data) and ``export`` writes the file of it."""
    if extension not in ("csv", "xlsx"):
        raise Http404("No such download.")
    _, form, filters, data = read(request, *args)
    return export(data, extension, profession_name=_profession_name(form, filters))


@login_required
@require_GET
def metric_download(request, code, metric, extension):
    return _page_download(request, extension, _metric_detail, exports.metric_download, code, metric)


@login_required
@require_GET
def diversity_download(request, code, extension):
    return _page_download(request, extension, _diversity, exports.diversity_download, code)


@login_required
@require_GET
def supply_download(request, code, extension):
    return _page_download(request, extension, _supply, exports.supply_download, code)


def board_report_context(user, org, params) -> dict:
    """What the board report shows for ``user`` and the filters in ``params`` (a QueryDict):
    the page and the PDF task share it."""
    months = selectors.available_months(org)
    form, filters = _filters(params, months)
    card = selectors.scorecard_for(user, org, filters, months)
    return {
        "org": org,
        "breadcrumb": org_selectors.breadcrumb(user, org),
        "card": card,
        "exception_charts": selectors.exception_charts(card),
        "form": form,
        "query": _query(filters),
        "profession_name": _profession_name(form, filters),
        "pdf_available": pdf.available(),
    }


def board_report_filters(org, params) -> tuple[selectors.Filters, list]:
    months = selectors.available_months(org)
    _, filters = _filters(params, months)
    return filters, months


@login_required
@require_GET
def board_report(request, code):
    context = board_report_context(request.user, _org(request, code), request.GET)
    return render(request, "dashboard/board_report.html", context)


@login_required
@require_GET
def board_report_pdf(request, code):
    """The board report as an A4 PDF download, rendered by a task and kept (see
    :mod:`dashboard.board_reports`): the stored file when it is ready, else a page that says it
    is being prepared and refreshes itself."""
    org = _org(request, code)
    if not pdf.available():
        return HttpResponse(
            "PDF downloads are not available on this server: open the board report and use "
            "your browser's print command to save it as a PDF.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    report = board_reports.board_report_file(
        user=request.user, organisation=org, params=request.GET, retry="retry" in request.GET
    )
    report.refresh_from_db()  # in the embedded default the task has already run
    if report.status == report.Status.READY:
        with report.file.open("rb") as stored:
            response = HttpResponse(stored.read(), content_type="application/pdf")
        month = f"-{report.month:%Y-%m}" if report.month else ""
        response["Content-Disposition"] = (
            f'attachment; filename="board-report-{org.code}{month}.pdf"'
        )
        return response
    return render(
        request,
        "dashboard/board_report_pending.html",
        {
            "org": org,
            "report": report,
            "breadcrumb": org_selectors.breadcrumb(request.user, org),
            "refresh_seconds": board_reports.REFRESH_SECONDS,
            "back": reverse("dashboard:board_report", args=[org.code])
            + (f"?{request.GET.urlencode()}" if request.GET else ""),
            "retry": f"?{urlencode({**request.GET.dict(), 'retry': '1'})}",
        },
        status=200 if report.status == report.Status.PENDING else 503,
    )
