"""The OpenAPI schema: the bearer token scheme, the problem responses every operation documents,
and the helpers that make documented examples (values from the demo, ``make demo``: the SYB ICS
(QF7), its provider Doncaster and Bassetlaw Teaching Hospitals (RP5) and their figures for
September 2026)."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, inline_serializer
from rest_framework import serializers

from .exceptions import PROBLEM_CONTENT_TYPE
from .pagination import CursorPagination


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "ahpportal.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ahp_<43 characters>",
            "description": "A personal API token from your account page (API tokens).",
        }


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


def _allow_empty(parameter: dict) -> dict:
    if parameter.get("in") == OpenApiParameter.QUERY:
        parameter["allowEmptyValue"] = True
    return parameter


class ProblemAutoSchema(AutoSchema):
    """Every operation documents its problem responses (401, 404, 429; 400 where it takes input)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        problem_codes = {
            "401": "Missing, invalid, expired or revoked token.",
            "404": "Not found, or not in your scope.",
            "429": "Too many requests for this token; see Retry-After.",
        }
        # every operation takes ``format`` (an unknown one is a 400), lists their filters too
        problem_codes["400"] = (
            "A filter, input or `format` is not valid; `errors` names each field."
        )
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

    def _get_filter_parameters(self):
        """Filters take an empty value as no filter (django-filter), and the schema says so."""
        return [_allow_empty(p) for p in super()._get_filter_parameters()]

    def _get_format_parameters(self):
        """``format``: one of the renderers' formats; empty is the default (JSON)."""
        return [_allow_empty(p) for p in super()._get_format_parameters()]

    def _resolve_path_parameters(self, variables):
        """Path ids are whole numbers from 1 (anything else matches no row: 404)."""
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if parameter["schema"].get("type") == "integer":
                parameter["schema"]["minimum"] = 1
        return parameters

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


# --- documented examples ---------------------------------------------------------------

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


def documented(
    *,
    plural: str,
    singular: str | None = None,
    description: str = "",
    rows: dict[str, dict],
    filters: dict | None = None,
    lookup: tuple | None = None,
    detail_description: str | None = None,
    detail_rows: dict[str, dict] | None = None,
    detail_options: dict | None = None,
    **list_options,
):
    """The documentation of a resource's list (and detail), as ``extend_schema_view``.

    ``rows`` are named example rows of the list (a row may be an ``OpenApiExample`` already);
    the detail shows ``detail_rows`` (by default the first of ``rows``). ``filters`` become one
    query example each (:func:`query_examples`). ``lookup`` is ``(name, value)`` or ``(name,
    value, summary)`` of the detail's path parameter, or None for a resource without a detail.
    Other keywords (``parameters``, ``responses``) go to the list's ``extend_schema``;
    ``detail_options`` to the detail's.
    """
    from drf_spectacular.utils import extend_schema, extend_schema_view

    def examples(named: dict) -> list[OpenApiExample]:
        return [
            row if isinstance(row, OpenApiExample) else response_example(name, row)
            for name, row in named.items()
        ]

    if description:
        list_options["description"] = description
    operations = {
        "list": extend_schema(
            summary=f"List {plural}",
            examples=[*examples(rows), *query_examples(**(filters or {}))],
            **list_options,
        )
    }
    if lookup is not None:
        detail_options = dict(detail_options or {})
        if detail_description:
            detail_options["description"] = detail_description
        shown = detail_rows or dict([next(iter(rows.items()))])
        operations["retrieve"] = extend_schema(
            summary=f"One {singular}",
            examples=[*examples(shown), path_example(*lookup)],
            **detail_options,
        )
    return extend_schema_view(**operations)
