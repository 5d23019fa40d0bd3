"""API: import history (read by analysts) and workforce imports (POST a file, by data managers).

A POST runs the same service as the upload page, :func:`workforce.services.import_file`: the file
is validated as a whole and the run's result (counts and the errors, each naming the row, column
and reason) is returned. Without ``?commit=true`` it is a preview that writes nothing but the run.
"""

import django_filters
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from ahpportal.api.schema import documented
from ahpportal.api.viewsets import ScopedReadViewSet, ScopedViewSet
from councils.api import OrganisationScopedFilter
from councils.models import Organisation
from councils.scoping import get_in_scope_or_404

from . import selectors
from .datasets import DATASET_CHOICES
from .models import ImportRun
from .services import ImportNotAllowed, commit_queue, import_file


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True, help_text="Row number in the file")
    column = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()


class ImportRunSerializer(serializers.ModelSerializer):
    """A run; for a run uploaded for an organisation outside your scope that wrote rows for
    providers in it (``partial``), only those providers' counts, and no errors or file size."""

    organisation = serializers.CharField(
        source="organisation.code", help_text="Code of the organisation the file was uploaded for"
    )
    size_bytes = serializers.IntegerField(allow_null=True, help_text="Null when partial")
    errors = serializers.SerializerMethodField(
        help_text="The first 1,000 errors, each naming the row, column and reason"
    )
    partial = serializers.SerializerMethodField(
        help_text="True when the file was uploaded for an organisation outside your scope: the "
        "counts are only the rows for providers in your scope, and the run itself is not "
        "available at /import-runs/{id}/"
    )

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "organisation",
            "dataset",
            "file_name",
            "sha256",
            "size_bytes",
            "status",
            "created_at",
            "committed_at",
            "rows_total",
            "rows_added",
            "rows_updated",
            "rows_unchanged",
            "error_count",
            "errors",
            "partial",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_partial(self, run) -> bool:
        return getattr(run, "share", None) is not None

    def to_representation(self, run):
        data = super().to_representation(run)
        share = getattr(run, "share", None)
        if share is not None:
            data.update(
                size_bytes=None,
                rows_total=share.rows_total,
                rows_added=share.rows_added,
                rows_updated=share.rows_updated,
                rows_unchanged=share.rows_unchanged,
                error_count=0,
                errors=[],
            )
        return data

    @extend_schema_field(ImportErrorSerializer(many=True))
    def get_errors(self, run):
        return [
            {
                "row": error.get("row"),
                "column": error.get("column") or "",
                "reason": error.get("reason") or "",
            }
            for error in run.errors or []
        ]


class ImportRunFilter(OrganisationScopedFilter):
    dataset = django_filters.ChoiceFilter(choices=DATASET_CHOICES)
    status = django_filters.ChoiceFilter(choices=ImportRun.Status.choices)
    created_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", help_text="YYYY-MM-DD (inclusive)"
    )
    created_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", help_text="YYYY-MM-DD (inclusive)"
    )

    class Meta:
        model = ImportRun
        fields = ["dataset", "status"]


RUN_EXAMPLE = {
    "id": 42,
    "organisation": "RP5",
    "dataset": "staff",
    "file_name": "staff-2026-09.csv",
    "sha256": "1b99768e6a1f2b90deb887d567c8bd558340736e2f2b9454afb84fa6f0058504",
    "size_bytes": 183220,
    "status": "rejected",
    "created_at": "2026-10-02T09:15:00Z",
    "committed_at": None,
    "rows_total": 1840,
    "rows_added": 0,
    "rows_updated": 0,
    "rows_unchanged": 0,
    "error_count": 1,
    "errors": [{"row": 17, "column": "band", "reason": "Band 10 is not an Agenda for Change band"}],
    "partial": False,
}
COMMITTED_RUN_EXAMPLE = {
    **RUN_EXAMPLE,
    "id": 43,
    "file_name": "staff-2026-09-fixed.csv",
    "status": "committed",
    "created_at": "2026-10-02T09:40:00Z",
    "committed_at": "2026-10-02T09:40:02Z",
    "rows_added": 12,
    "rows_updated": 31,
    "rows_unchanged": 1797,
    "error_count": 0,
    "errors": [],
}


@documented(
    plural="import runs",
    singular="import run",
    description="Every upload of a workforce file for organisations in your scope, newest "
    "first by id: who uploaded is not shown; counts, outcome and the first errors are. "
    "Files uploaded for an organisation above your scope (an ICS-wide file) that imported "
    "rows for providers in your scope are listed too, with `partial` true and only those "
    "providers' counts. `organisation` filters by the organisation a file was uploaded for. "
    "Add `?format=csv` for CSV.",
    rows={"A committed file": COMMITTED_RUN_EXAMPLE, "A rejected file": RUN_EXAMPLE},
    filters={"organisation": "RP5", "dataset": "staff", "status": "rejected"},
    lookup=("id", 42),
    detail_rows={"A rejected file": RUN_EXAMPLE},
)
class ImportRunViewSet(ScopedReadViewSet):
    queryset = ImportRun.objects.select_related("organisation")
    serializer_class = ImportRunSerializer
    filterset_class = ImportRunFilter
    cursor_ordering = ("-id",)

    # The list is the import history: runs uploaded in scope, and committed runs uploaded
    # elsewhere that wrote rows for providers in scope. A run's own page: only runs uploaded in
    # scope.
    action_scopes = {"list": selectors.history_for}

    def serialize_rows(self, rows) -> list:
        if self.action == "list":
            rows = selectors.history_rows(self.request.user, rows, action=self.scope_action)
        return super().serialize_rows(rows)


class WorkforceImportSerializer(serializers.Serializer):
    """Input of a workforce import (multipart/form-data)."""

    file = serializers.FileField(help_text="The dataset file: CSV (UTF-8) or XLSX")
    dataset = serializers.ChoiceField(choices=DATASET_CHOICES)
    organisation = serializers.CharField(
        help_text="Code of the organisation the file is for, where you are a data manager"
    )


@extend_schema_view(
    create=extend_schema(
        summary="Import a workforce file",
        description=(
            "Validate a dataset file for an organisation where you hold the data manager role "
            "(action `import`; 404 elsewhere) with the same checks as the upload page. Without "
            "`commit=true` nothing is written but the run (a preview: counts of rows that would "
            "be added, updated or left unchanged). With `commit=true` the rows are written in "
            "one transaction if, and only if, the whole file is valid. The response is the run: "
            "201 when it was validated or committed, 422 when the file was rejected (see "
            "`errors`). A preview's file is kept, so that it can be confirmed with "
            "`POST /workforce-imports/{id}/confirm/`, which imports it off the request (for "
            "large files; `commit=true` imports in the request)."
        ),
        parameters=[
            OpenApiParameter(
                "commit",
                OpenApiTypes.BOOL,
                description="Write the rows (default false: validate only).",
            )
        ],
        request={"multipart/form-data": WorkforceImportSerializer},
        responses={201: ImportRunSerializer, 422: ImportRunSerializer},
        examples=[
            OpenApiExample(
                "Committed",
                value=COMMITTED_RUN_EXAMPLE,
                response_only=True,
                status_codes=[201],
            ),
            OpenApiExample("Rejected", value=RUN_EXAMPLE, response_only=True, status_codes=[422]),
        ],
    ),
    confirm=extend_schema(
        summary="Confirm a previewed import (queued)",
        description=(
            "Queue the commit of a run previewed by a POST without `commit=true` (status "
            "`validated`). Answers 202 with the run's URL in `Location` and in `url`: poll "
            "`GET /import-runs/{id}/`, whose status goes `queued`, `importing`, then "
            "`committed` (or `rejected`/`failed`, with the reasons in `errors`; nothing is "
            "written then). 409 when the run is not a preview that can be confirmed."
        ),
        request=None,
        responses={202: ImportRunSerializer, 409: OpenApiTypes.OBJECT},
        examples=[
            OpenApiExample(
                "Queued",
                value={
                    **RUN_EXAMPLE,
                    "status": "queued",
                    "url": "https://ahp.example.org/api/v1/import-runs/42/",
                },
                response_only=True,
                status_codes=[202],
            ),
        ],
    ),
)
class WorkforceImportViewSet(mixins.CreateModelMixin, ScopedViewSet):
    queryset = ImportRun.objects.all()
    serializer_class = WorkforceImportSerializer
    pagination_class = None
    filter_backends = []

    def create(self, request, *args, **kwargs):
        commit = request.query_params.get("commit", "false").lower()
        if commit not in ("true", "false", "1", "0", "yes", "no"):
            raise exceptions.ValidationError({"commit": "Use true or false."})
        form = WorkforceImportSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        organisation = get_in_scope_or_404(
            Organisation, request.user, "import", code=data["organisation"]
        )
        upload = data["file"]
        try:
            run = import_file(
                dataset=data["dataset"],
                fileobj=upload,
                file_name=upload.name,
                organisation=organisation,
                user=request.user,
                commit=commit in ("true", "1", "yes"),
                store=commit not in ("true", "1", "yes"),  # a preview can be confirmed
            )
        except ImportNotAllowed:
            raise exceptions.NotFound("Not found, or not in your scope.") from None
        ok = run.status in (ImportRun.Status.VALIDATED, ImportRun.Status.COMMITTED)
        return Response(
            ImportRunSerializer(run).data,
            status=status.HTTP_201_CREATED if ok else status.HTTP_422_UNPROCESSABLE_ENTITY,
        )

    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        run = self.get_object()
        try:
            run = commit_queue(run=run, user=request.user)
        except ImportNotAllowed:
            raise exceptions.NotFound("Not found, or not in your scope.") from None
        except ValueError as problem:
            raise _Conflict(str(problem)) from None
        run.refresh_from_db()
        url = request.build_absolute_uri(reverse("api-import-run-detail", args=[run.pk]))
        return Response(
            {**ImportRunSerializer(run).data, "url": url},
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": url},
        )


class _Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The run cannot be confirmed now."
