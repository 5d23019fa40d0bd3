"""The analyst REST API's shared base: token authentication, the scoped viewset, cursor
pagination, streaming CSV, RFC 9457 problem details, conditional GET and per-token throttling.

Concrete viewsets live in each app's ``api.py`` and only name their queryset, serializer and
filterset; the base restricts every queryset through :mod:`councils.scoping`:

* reads (GET, HEAD, OPTIONS) need the action ``"analyse"`` (the analyst role), so a token sees
  exactly the organisations where its owner is an analyst, and everything below them;
* writes (POST a workforce file) need the action ``"import"`` (the data manager role).

A data manager's token (tokens are for both roles) therefore imports where its owner is a data
manager and reads no organisation's data unless its owner is also an analyst there.

Anything outside the scope answers 404, the same as something that does not exist.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Iterator

import django_filters
from django.http import StreamingHttpResponse
from django.urls import NoReverseMatch
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.response import Response

from councils.scoping import scope_paths

from .api_base import (  # noqa: F401 - re-exported: the API's one import point
    PROBLEM_CONTENT_TYPE,
    ApiToken,
    BearerTokenAuthentication,
    CSVRenderer,
    CursorPagination,
    TokenRateThrottle,
    _flat,
    csv_lines,
    problem_exception_handler,
    problem_response,
    safe_cell,
)


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "ahpportal.api_base.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ahp_<43 characters>",
            "description": "A personal API token from your account page (API tokens).",
        }


READ_ACTION = "analyse"
WRITE_ACTION = "import"
CSV_CHUNK = 2000


class ProblemSerializer(serializers.Serializer):
    type = serializers.CharField(help_text='A URI for the kind of problem ("about:blank").')
    title = serializers.CharField(help_text="The HTTP status phrase.")
    status = serializers.IntegerField()
    detail = serializers.CharField(help_text="What went wrong, in words.")
    errors = inline_serializer(
        "ProblemFieldError",
        {"field": serializers.CharField(), "detail": serializers.CharField()},
        many=True,
        required=False,
        help_text="For 400: each invalid field and why.",
    )
    retry_after = serializers.IntegerField(required=False, help_text="For 429: seconds to wait.")


class ProblemAutoSchema(AutoSchema):
    """Every operation documents its problem responses (401, 404, 429; 400 where it takes input)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        problem_codes = {
            "401": "Missing, invalid, expired or revoked token.",
            "404": "Not found, or not in your scope.",
            "429": "Too many requests for this token; see Retry-After.",
        }
        if self._is_list_view() or self.method != "GET" or self.get_filter_backends():
            problem_codes["400"] = "A filter or input is not valid; `errors` names each field."
        if self.method != "GET":
            problem_codes["403"] = "You may not do this here."
        for code, description in problem_codes.items():
            if code in responses:
                continue
            response = self._get_response_for_code(
                ProblemSerializer, code, media_types=[PROBLEM_CONTENT_TYPE]
            )
            response["description"] = description
            if code == "429":
                response["headers"] = {
                    "Retry-After": {
                        "schema": {"type": "integer"},
                        "description": "Seconds to wait.",
                    }
                }
            responses[code] = response
        return responses

    def _get_paginator(self):
        """The paginator, told which path it documents (its examples of ``next`` link there)."""
        paginator = super()._get_paginator()
        if paginator is not None and hasattr(paginator, "schema_path"):
            paginator.schema_path = self.path
        return paginator

    def _is_list_view(self, serializer=None):
        if serializer is ProblemSerializer or isinstance(serializer, ProblemSerializer):
            return False
        return super()._is_list_view(serializer)


# --- the base viewset ----------------------------------------------------------------------


# --- conditional GET: versions of the data, read without building a page --------------------


def rows_version(queryset, timestamp: str | None = None) -> str:
    """How many rows, the highest id (and the latest ``timestamp``): one aggregate query.

    Enough for rows that are only added and removed, or whose every edit bumps ``timestamp``.
    """
    from django.db.models import Count, Max

    aggregates = {"n": Count("pk"), "top": Max("pk")}
    if timestamp:
        aggregates["last"] = Max(timestamp)
    found = queryset.order_by().aggregate(**aggregates)
    return "|".join(str(found[key]) for key in aggregates)


def rows_digest(queryset, *fields: str) -> str:
    """A digest of ``fields`` of every row: one query reading only those columns (no objects).

    For small tables whose rows are edited in place with no timestamp to tell (organisation
    names, measures of success, people's names).
    """
    digest = hashlib.sha256()
    for row in queryset.order_by("pk").values_list("pk", *fields):
        digest.update(repr(row).encode())
    return digest.hexdigest()[:24]


def organisations_version() -> str:
    """The whole tree's codes, names, levels and shape: a rename or a move anywhere changes it
    (the tree has a few hundred rows; one query)."""
    from councils.models import Organisation

    return rows_digest(
        Organisation.objects.all(), "code", "name", "short_name", "level", "path", "numchild"
    )


def _scope_fingerprint(user) -> str:
    """What the user may see, so that a role change changes every ETag."""
    roots = scope_paths(user, READ_ACTION)
    memberships = sorted(getattr(user, "_scope_memberships", None) or [])
    return f"{user.pk}|{roots}|{memberships}"


class ApiViewMixin:
    """Conditional GET (ETag / Last-Modified -> 304) and CSV for every API view."""

    #: name of a datetime field whose maximum tells when the rows last changed
    last_modified_field: str | None = None

    def wants_csv(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return getattr(renderer, "format", None) == "csv"

    def freshness(self, queryset):
        """``(seed, last_modified)`` read cheaply from the data (a few aggregate queries, see
        :func:`rows_version`), or None to build the page and hash its body.

        The seed must change whenever anything the response shows changes; ``last_modified``
        (or None) must be a time that every such change moves forward, since a client may send
        only If-Modified-Since. The default suits rows whose every edit bumps
        ``last_modified_field`` and that show nothing from other tables.
        """
        if not self.last_modified_field:
            return None
        from django.db.models import Count, Max

        agg = queryset.order_by().aggregate(
            n=Count("pk"), top=Max("pk"), last=Max(self.last_modified_field)
        )
        return f"{agg['n']}|{agg['top']}|{agg['last']}", agg["last"]

    def _validators(self, seed: str, last_modified) -> tuple[str, float | None]:
        request = self.request
        key = "|".join(
            [
                seed,
                request.get_full_path(),
                getattr(request, "accepted_media_type", "") or "",
                _scope_fingerprint(request.user),
            ]
        )
        etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
        stamp = (
            int(last_modified.timestamp()) if isinstance(last_modified, datetime.datetime) else None
        )
        return etag, stamp

    def check_not_modified(self, queryset):
        """A 304 when the client's ETag or date still matches (before any row is read)."""
        fresh = self.freshness(queryset)
        if fresh is None:
            return None
        self._etag, self._last_modified = self._validators(*fresh)
        return get_conditional_response(
            self.request, etag=self._etag, last_modified=self._last_modified
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ("Authorization", "Cookie", "Accept"))
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        etag = getattr(self, "_etag", None)
        last_modified = getattr(self, "_last_modified", None)
        if etag is None and isinstance(response, Response):
            response.render()
            etag = (
                '"'
                + hashlib.sha256(
                    response.content + _scope_fingerprint(request.user).encode()
                ).hexdigest()[:32]
                + '"'
            )
        if etag is None:
            return response
        response["ETag"] = etag
        if last_modified:
            response["Last-Modified"] = http_date(last_modified)
        response.setdefault("Cache-Control", "private, no-cache")
        conditional = get_conditional_response(
            request, etag=etag, last_modified=last_modified, response=response
        )
        return conditional


class ScopedListMixin(mixins.ListModelMixin):
    """A list: 304 when unchanged, streamed CSV when asked, else a cursor-paginated page."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        not_modified = self.check_not_modified(queryset)
        if not_modified is not None:
            return not_modified
        if self.wants_csv():
            return self.stream_csv(queryset)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.serialize_rows(page))


class ScopedRetrieveMixin(mixins.RetrieveModelMixin):
    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return Response(self.serialize_rows([instance])[0])


class ScopedViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """The one base for organisation data: the queryset is restricted by the request's action.

    A concrete viewset sets ``queryset`` (a model with a ScopedQuerySet manager), a serializer
    and a filterset. ``csv_header`` / ``csv_rows`` give a fast CSV path over ``.values_list``.
    """

    scope_actions = {"GET": READ_ACTION, "HEAD": READ_ACTION, "OPTIONS": READ_ACTION}
    cursor_ordering = ("pk",)
    csv_chunk_size = CSV_CHUNK

    @property
    def scope_action(self) -> str:
        request = getattr(self, "request", None)
        method = request.method if request is not None else "GET"
        return self.scope_actions.get(method, WRITE_ACTION)

    def get_queryset(self):
        queryset = super().get_queryset()
        request = getattr(self, "request", None)
        if getattr(self, "swagger_fake_view", False) or request is None:
            return queryset.none()
        return queryset.in_scope(request.user, self.scope_action)

    def serialize_rows(self, rows) -> list:
        return self.get_serializer(rows, many=True).data

    # CSV: the default goes through the serializer a chunk at a time; views with large tables
    # override csv_header/csv_rows with a values_list() path.
    def csv_header(self) -> list[str] | None:
        return None

    def csv_rows(self, queryset) -> Iterator[Iterable]:
        raise NotImplementedError

    def stream_csv(self, queryset) -> StreamingHttpResponse:
        header = self.csv_header()
        if header is not None:
            rows = self.csv_rows(queryset)
        else:
            header, rows = self._serialized_csv(queryset)
        response = StreamingHttpResponse(
            csv_lines(header, rows, safe=getattr(self, "csv_rows_safe", False)),
            content_type="text/csv; charset=utf-8",
        )
        filename = f"{self.basename}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def _serialized_csv(self, queryset):
        serializer_class = self.get_serializer_class()
        fields = list(_flat(self._example_row(serializer_class)).keys())

        def rows():
            chunk = []
            for obj in queryset.order_by(*self.cursor_ordering).iterator(
                chunk_size=self.csv_chunk_size
            ):
                chunk.append(obj)
                if len(chunk) >= self.csv_chunk_size:
                    yield from self._chunk_rows(chunk, fields)
                    chunk = []
            if chunk:
                yield from self._chunk_rows(chunk, fields)

        return fields, rows()

    def _chunk_rows(self, chunk, fields):
        for record in self.serialize_rows(chunk):
            flat = _flat(record)
            yield [flat.get(f) for f in fields]

    def _example_row(self, serializer_class) -> dict:
        serializer = serializer_class(context=self.get_serializer_context())
        out = {}
        for name, field in serializer.fields.items():
            if isinstance(field, serializers.Serializer):
                out[name] = dict.fromkeys(field.fields)
            else:
                out[name] = None
        return out


# --- documented examples -------------------------------------------------------------------
# Values from the demo (`make demo`): the SYB ICS (QF7), its provider Doncaster and Bassetlaw
# Teaching Hospitals (RP5) and their figures for September 2026.

EXAMPLE_ORIGIN = CursorPagination.schema_origin


def query_examples(**values) -> list[OpenApiExample]:
    """One documented example per query parameter: ``query_examples(organisation="QF7")``."""
    return [
        OpenApiExample(
            f"{name} {value}",
            value=value,
            summary=f"{name}={str(value).lower() if isinstance(value, bool) else value}",
            parameter_only=(name, OpenApiParameter.QUERY),
        )
        for name, value in values.items()
    ]


def path_example(name: str, value, summary: str = "") -> OpenApiExample:
    """A documented example of a path parameter (a detail's code or id)."""
    return OpenApiExample(
        f"{name} {value}",
        value=value,
        summary=summary or str(value),
        parameter_only=(name, OpenApiParameter.PATH),
    )


def response_example(name: str, value: dict, **kwargs) -> OpenApiExample:
    """A documented response row (drf-spectacular wraps it in a page for a list)."""
    return OpenApiExample(name, value=value, response_only=True, **kwargs)


class ApiRootSerializer(serializers.Serializer):
    resources = serializers.DictField(child=serializers.URLField())
    docs = serializers.URLField()
    schema = serializers.URLField()


ROOT_EXAMPLE = {
    "resources": {
        key: f"{EXAMPLE_ORIGIN}/api/v1/{path}/"
        for key, path in [
            ("organisations", "organisations"),
            ("metrics", "metrics"),
            ("metric_values", "metric-values"),
            ("spc", "spc"),
            ("readiness_cycles", "readiness-cycles"),
            ("readiness_submissions", "readiness-submissions"),
            ("readiness_answers", "readiness-answers"),
            ("action_plans", "action-plans"),
            ("delivery_plans", "delivery-plans"),
            ("delivery_actions", "delivery-actions"),
            ("import_runs", "import-runs"),
            ("workforce_imports", "workforce-imports"),
        ]
    },
    "docs": f"{EXAMPLE_ORIGIN}/api/v1/docs/",
    "schema": f"{EXAMPLE_ORIGIN}/api/v1/schema/",
}


@extend_schema(
    summary="The API's resources",
    description="Links to each resource, the schema and the interactive documentation.",
    responses=ApiRootSerializer,
    examples=[response_example("The resources", ROOT_EXAMPLE)],
)
@api_view(["GET"])
def api_root(request):
    from django.urls import reverse

    names = {
        "organisations": "api-organisation-list",
        "metrics": "api-metric-list",
        "metric_values": "api-metric-value-list",
        "spc": "api-spc-list",
        "readiness_cycles": "api-readiness-cycle-list",
        "readiness_submissions": "api-readiness-submission-list",
        "readiness_answers": "api-readiness-answer-list",
        "action_plans": "api-action-plan-list",
        "delivery_plans": "api-delivery-plan-list",
        "delivery_actions": "api-delivery-action-list",
        "import_runs": "api-import-run-list",
        "workforce_imports": "api-workforce-import-list",
    }
    resources = {}
    for key, name in names.items():
        try:
            resources[key] = request.build_absolute_uri(reverse(name))
        except NoReverseMatch:
            continue
    return Response(
        {
            "resources": resources,
            "docs": request.build_absolute_uri(reverse("api-docs")),
            "schema": request.build_absolute_uri(reverse("api-schema")),
        }
    )


def not_found(request, *args, **kwargs):
    """Any unknown URL under /api/v1/ as a problem, not an HTML page."""
    return problem_response(404, "There is no such API endpoint; see /api/v1/docs/.")


def api_field_month(value: datetime.date | None) -> str | None:
    return value.strftime("%Y-%m") if value else None


class IdFilter(django_filters.NumberFilter):
    """A whole-number id filter: rejects fractions and numbers no database id can reach, with a
    400 problem, instead of letting the database overflow."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)
