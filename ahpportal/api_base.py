"""Pieces of the analyst API that REST_FRAMEWORK settings name (authentication, throttling,
problem details, CSV rendering, pagination). They are kept apart from :mod:`ahpportal.api` because
DRF reads these settings while its generic views are being imported.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable, Iterator
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, JsonResponse
from rest_framework import exceptions, pagination, renderers, throttling
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from councils.api_tokens import ApiToken, api_token_authenticate, may_hold_tokens
from councils.middleware import MFA_SETUP_DETAIL, must_set_up_mfa

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"

try:  # one rule for spreadsheet-safe cells, shared with the workforce exports
    from workforce.csv_safety import safe_cell
except ImportError:  # pragma: no cover - until the workforce module provides it
    _FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

    def safe_cell(value):
        """A CSV cell that a spreadsheet will not run as a formula."""
        if value is None:
            return ""
        if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
            return "'" + value
        return value


# --- authentication ------------------------------------------------------------------------


class MFARequired(exceptions.PermissionDenied):
    default_detail = MFA_SETUP_DETAIL
    default_code = "mfa_required"


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` with a personal API token.

    A token stops working at once when it is revoked or expires, when its owner is deactivated,
    or when its owner no longer holds the analyst or data manager role anywhere (the scope itself
    is computed from the memberships on every request).
    """

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>', with no spaces in the token."
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = api_token_authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                "The token is not valid, or has expired or been revoked."
            )
        if not may_hold_tokens(token.user):
            raise exceptions.AuthenticationFailed(
                "The token's owner no longer holds the analyst or data manager role, so the token "
                "does not work."
            )
        if must_set_up_mfa(token.user):
            # An admin who must use two-factor gets no data until it is set up, token or not.
            raise MFARequired()
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


# --- throttling ----------------------------------------------------------------------------


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """One bucket per API token (``token`` rate) or per signed-in browser user (``session``)."""

    scope = "token"

    def __init__(self):  # the rate is read per request, so settings can change it
        pass

    def get_rate(self):
        rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
        return rates.get(self.scope)

    def allow_request(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return True
        self.scope = "token" if isinstance(request.auth, ApiToken) else "session"
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        ident = request.auth.pk if isinstance(request.auth, ApiToken) else request.user.pk
        return self.cache_format % {"scope": self.scope, "ident": ident}


# --- problem details -----------------------------------------------------------------------


def problem_response(status: int, detail, *, headers=None, **extra) -> HttpResponse:
    """An RFC 9457 problem details response."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        **extra,
    }
    response = JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _flatten_errors(detail, prefix="") -> list[dict]:
    """DRF's nested validation errors as ``[{"field": "month_from", "detail": "..."}]``."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            out.extend(
                _flatten_errors(value, f"{prefix}.{name}" if prefix and name else name or prefix)
            )
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"field": prefix, "detail": str(item)} for item in detail]
        out = []
        for i, item in enumerate(detail):
            out.extend(_flatten_errors(item, f"{prefix}[{i}]" if prefix else str(i)))
        return out
    return [{"field": prefix, "detail": str(detail)}]


def problem_exception_handler(exc, context):
    """Every error of the API as ``application/problem+json`` (type, title, status, detail)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found, or not in your scope.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        )

    if not isinstance(exc, exceptions.APIException):
        logger.exception("API error", exc_info=exc)
        return problem_response(500, "Something went wrong on our side; it has been logged.")

    headers = {}
    extra = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1) if exc.wait is not None else 60
        wait = max(wait, 1)
        headers["Retry-After"] = str(wait)
        extra["retry_after"] = wait
        detail = (
            f"Too many requests for this token. Try again in {wait} seconds; the limit is "
            "set per token (see the API documentation)."
        )
    elif isinstance(exc, exceptions.ValidationError):
        errors = _flatten_errors(exc.detail)
        extra["errors"] = errors
        detail = (
            "; ".join(f"{e['field']}: {e['detail']}" if e["field"] else e["detail"] for e in errors)
            or "The request is not valid."
        )
    else:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if isinstance(exc, MFARequired):
        from django.urls import reverse

        extra["mfa_setup_url"] = reverse("mfa_activate_totp")
    return problem_response(exc.status_code, str(detail), headers=headers, **extra)


# --- rendering -----------------------------------------------------------------------------


def _csv_line(writer_buffer: io.StringIO, writer, row) -> str:
    writer.writerow([safe_cell(value) for value in row])
    line = writer_buffer.getvalue()
    writer_buffer.seek(0)
    writer_buffer.truncate(0)
    return line


def csv_lines(header: list[str], rows: Iterable[Iterable], *, safe: bool = False) -> Iterator[str]:
    """CSV text, a few hundred lines at a time (flat memory however many rows).

    Every cell goes through :func:`safe_cell` unless ``safe`` says the rows are already safe.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield _csv_line(buffer, writer, header)
    if not safe:
        rows = ([safe_cell(value) for value in row] for row in rows)
    writerows = writer.writerows
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == 1000:
            writerows(chunk)
            chunk.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    if chunk:
        writerows(chunk)
    tail = buffer.getvalue()
    if tail:
        yield tail


def _flat(record: dict, prefix="") -> dict:
    out = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{name}."))
        elif isinstance(value, list):
            out[name] = "; ".join(str(v) for v in value)
        else:
            out[name] = value
    return out


class CSVRenderer(renderers.BaseRenderer):
    """``text/csv``: lists stream through :meth:`ScopedViewSet.stream_csv`; this renders the
    rest (a single object, or a small list that is not a queryset)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and "results" in data:
            data = data["results"]
        records = [_flat(r) for r in (data if isinstance(data, list) else [data])]
        header: list[str] = []
        for record in records:
            header.extend(k for k in record if k not in header)
        rows = ([record.get(k) for k in header] for record in records)
        return "".join(csv_lines(header, rows)).encode()


# --- pagination ----------------------------------------------------------------------------


class CursorPagination(pagination.CursorPagination):
    """Cursor pagination over the view's ``cursor_ordering`` (a unique, indexed column)."""

    page_size = 100
    max_page_size = 1000
    page_size_query_param = "page_size"
    page_size_query_description = "Rows per page, 1 to 1000 (default 100)."
    cursor_query_description = "The `next` or `previous` link's cursor; do not build it yourself."
    ordering = ("pk",)
    invalid_cursor_message = "The cursor is not valid; follow the `next` link as given."

    def get_ordering(self, request, queryset, view):
        return tuple(getattr(view, "cursor_ordering", None) or self.ordering)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError({"cursor": self.invalid_cursor_message}) from None

    #: where the documented examples of ``next`` point (set per operation by the schema)
    schema_path = "/api/v1/metric-values/"
    schema_origin = "https://ahp-portal.example"

    def get_paginated_response_schema(self, schema):
        """DRF's schema, with examples of this API's links (a first page: no ``previous``)."""
        response_schema = super().get_paginated_response_schema(schema)
        links = response_schema["properties"]
        links["next"]["example"] = (
            f"{self.schema_origin}{self.schema_path}?{self.cursor_query_param}=cD0xMDA%3D"
        )
        links["previous"]["example"] = None
        return response_schema

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise exceptions.ValidationError(
                {"page_size": f"Enter a whole number from 1 to {self.max_page_size}."}
            )
        return size
