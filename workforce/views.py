"""Pages for data managers: import history, upload, preview, confirm, error reports, templates."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from councils import selectors as council_selectors
from councils.pages import org_page
from councils.scoping import scope_roots

from . import corrections, import_errors, selectors, services
from .csv_safety import stream_safe_csv
from .datasets import DATASETS
from .file_templates import guidance, template_csv, template_xlsx
from .forms import UploadForm
from .models import ImportRun, Profession

ERRORS_ON_PAGE = 100
RUNS_PER_PAGE = 50
REFRESH_SECONDS = 3  # the run page, while an import or its recompute is under way


@login_required
def home(request):
    professions = list(Profession.objects.values_list("code", flat=True))
    return render(
        request,
        "workforce/home.html",
        {
            "organisations": scope_roots(request.user, "import"),
            "runs": selectors.history_rows(request.user, selectors.history_for(request.user)[:20]),
            "datasets": [(spec, guidance(spec, professions)) for spec in DATASETS.values()],
        },
    )


@login_required
def imports(request, code):
    org = council_selectors.organisation_for(request.user, code, "import")
    page = Paginator(selectors.history_for(request.user, org), RUNS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.history_rows(request.user, page.object_list, org)
    return org_page(request, "workforce/imports.html", org, page=page)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request, code):
    org = council_selectors.organisation_for(request.user, code, "import")
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if form.is_bound and form.is_valid():
        run = services.import_file(
            dataset=form.cleaned_data["dataset"],
            fileobj=form.cleaned_data["file"],
            file_name=form.cleaned_data["file"].name,
            organisation=org,
            user=request.user,
            commit=False,
            store=True,
        )
        return redirect("workforce:run", code=org.code, pk=run.pk)
    return org_page(
        request,
        "workforce/upload.html",
        org,
        form=form,
        datasets=DATASETS.values(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def run_detail(request, code, pk):
    org = council_selectors.organisation_for(request.user, code, "import")
    run = selectors.run_for(request.user, org, pk)
    if request.method == "POST":
        try:
            run = services.commit_queue(run=run, user=request.user)
        except ValueError as problem:
            messages.error(request, str(problem))
        else:
            run.refresh_from_db()  # in the embedded default the task has already run
            if run.status == ImportRun.Status.COMMITTED:
                messages.success(
                    request,
                    f"Imported {run.file_name}: {run.rows_added} added, {run.rows_updated} "
                    f"updated, {run.rows_unchanged} unchanged.",
                )
            elif run.status in (ImportRun.Status.QUEUED, ImportRun.Status.IMPORTING):
                messages.success(
                    request, f"Importing {run.file_name}: this page shows how far it has got."
                )
            else:
                messages.error(request, "The import was not committed: nothing was written.")
        return redirect("workforce:run", code=org.code, pk=run.pk)
    fixes, fixes_total = corrections.for_run_page(run, request.user)
    return org_page(
        request,
        "workforce/run.html",
        org,
        run=run,
        dataset=DATASETS.get(run.dataset),
        errors=run.errors[:ERRORS_ON_PAGE],
        errors_shown=min(ERRORS_ON_PAGE, run.error_count),
        retention_days=settings.IMPORT_PREVIEW_RETENTION_DAYS,
        refresh_seconds=REFRESH_SECONDS,
        corrections=fixes,
        corrections_total=fixes_total,
        corrections_shown=min(fixes_total, corrections.SHOWN_ON_PAGE),
    )


@login_required
def run_errors_csv(request, code, pk):
    org = council_selectors.organisation_for(request.user, code, "import")
    run = selectors.run_for(request.user, org, pk)
    response = StreamingHttpResponse(
        stream_safe_csv(import_errors.error_rows(run), import_errors.ERROR_HEADER),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.csv"'
    return response


@login_required
def template(request, dataset, fmt):
    spec = DATASETS.get(dataset)
    if spec is None or fmt not in ("csv", "xlsx"):
        raise Http404("No such template.")
    if fmt == "csv":
        response = HttpResponse(template_csv(spec), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            template_xlsx(spec),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{spec.code}-template.{fmt}"'
    return response
