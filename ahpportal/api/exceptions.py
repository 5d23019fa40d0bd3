"""Every error of the API as RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

import logging
from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from rest_framework import exceptions

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"


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
    if getattr(exc, "default_code", None) == "mfa_required":
        extra["mfa_setup_url"] = reverse("mfa_activate_totp")
    return problem_response(exc.status_code, str(detail), headers=headers, **extra)
