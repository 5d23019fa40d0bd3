"""Cursor pagination over a unique, indexed column, with a 400 problem for a bad cursor or size."""

from __future__ import annotations

from rest_framework import exceptions, pagination


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

    def get_schema_operation_parameters(self, view):
        """DRF's parameters, with the limits :meth:`get_page_size` enforces."""
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "default": self.page_size,
                }
        return parameters

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
