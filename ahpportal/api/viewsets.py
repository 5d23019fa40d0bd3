"""The one base of the API's viewsets: every queryset is restricted through
:mod:`councils.scoping` by the request's action.

* reads (GET, HEAD, OPTIONS) need the action ``"analyse"`` (the analyst role), so a token sees
  exactly the organisations where its owner is an analyst, and everything below them;
* writes (POST a workforce file) need the action ``"import"`` (the data manager role).

A data manager's token (tokens are for both roles) therefore imports where its owner is a data
manager and reads no organisation's data unless its owner is also an analyst there.

As NetBox's ``BaseViewSet`` does, :meth:`ScopedViewSet.initial` restricts ``self.queryset`` once
the user is known, so ``get_queryset`` (and whatever builds on it) starts from scoped rows. A
concrete viewset that overrides ``get_queryset`` cannot drop the scope: its result is checked to
descend from the restricted queryset, and is intersected with it when it does not.

Anything outside the scope answers 404, the same as something that does not exist.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator

from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from councils.scoping import organisation_ids_filter

from .conditional import READ_ACTION, ConditionalMixin
from .renderers import csv_response, flatten

WRITE_ACTION = "import"
CSV_CHUNK = 2000


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


def _keep_scoped(get_queryset):
    """``get_queryset`` of a concrete viewset, made unable to drop the scope."""

    @functools.wraps(get_queryset)
    def scoped_get_queryset(self):
        queryset = get_queryset(self)
        if getattr(self, "swagger_fake_view", False) or getattr(self, "request", None) is None:
            return queryset.none()
        scoped = self._scoped_queryset()
        if getattr(queryset.query, "scope_marker", None) is not scoped.query.scope_marker:
            queryset = queryset & scoped  # built from scratch: keep only the rows in scope
        return queryset

    scoped_get_queryset.keeps_scope = True
    return scoped_get_queryset


class ScopedViewSet(ConditionalMixin, viewsets.GenericViewSet):
    """The one base for organisation data: the queryset is restricted by the request's action.

    A concrete viewset sets ``queryset`` (a model with a ScopedQuerySet manager), a serializer
    and a filterset. ``csv_header`` / ``csv_rows`` give a fast CSV path over ``.values_list``.

    How the scope applies is declared, never overridden:

    * ``scope_by_organisation_ids``: filter a large table by the ids of the organisations in
      scope (its organisation index) instead of joining it to the tree on paths;
    * ``action_scopes``: for a viewset action (``"list"``), a function ``(user, action=...)``
      returning the rows it may read, when that is not the queryset's ``in_scope`` (an import
      history also lists runs uploaded elsewhere that wrote rows here).
    """

    scope_actions = {"GET": READ_ACTION, "HEAD": READ_ACTION, "OPTIONS": READ_ACTION}
    scope_by_organisation_ids = False
    action_scopes: dict = {}
    cursor_ordering = ("pk",)
    csv_chunk_size = CSV_CHUNK

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("get_queryset")
        if own is not None and not getattr(own, "keeps_scope", False):
            cls.get_queryset = _keep_scoped(own)

    @property
    def scope_action(self) -> str:
        request = getattr(self, "request", None)
        method = request.method if request is not None else "GET"
        return self.scope_actions.get(method, WRITE_ACTION)

    def initial(self, request, *args, **kwargs):
        """Authenticate (DRF), then restrict the queryset to the user's scope for the action."""
        super().initial(request, *args, **kwargs)
        self.queryset = self._scoped_queryset()

    def _scoped_queryset(self):
        """The class's queryset restricted to the request's scope (computed once a request)."""
        cached = self.__dict__.get("_scoped")
        if cached is not None:
            return cached
        user, action = self.request.user, self.scope_action
        rule = self.action_scopes.get(self.action)
        if rule is not None:
            queryset = rule(user, action=action)
        elif self.scope_by_organisation_ids:
            queryset = type(self).queryset.filter(**organisation_ids_filter(user, action))
        else:
            queryset = type(self).queryset.in_scope(user, action)
        queryset.query.scope_marker = object()  # kept by every queryset built on this one
        self._scoped = queryset
        return queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or getattr(self, "request", None) is None:
            return type(self).queryset.none()
        return self._scoped_queryset().all()

    def serialize_rows(self, rows) -> list:
        return self.get_serializer(rows, many=True).data

    # CSV: the default goes through the serializer a chunk at a time; views with large tables
    # override csv_header/csv_rows with a values_list() path.
    csv_rows_safe = False  # csv_rows already made its cells safe

    def csv_header(self) -> list[str] | None:
        return None

    def csv_rows(self, queryset) -> Iterator[Iterable]:
        raise NotImplementedError

    def stream_csv(self, queryset):
        header = self.csv_header()
        if header is not None:
            rows = self.csv_rows(queryset)
        else:
            header, rows = self._serialized_csv(queryset)
        return csv_response(header, rows, filename=self.basename, safe=self.csv_rows_safe)

    def _serialized_csv(self, queryset):
        serializer_class = self.get_serializer_class()
        fields = list(flatten(self._example_row(serializer_class)).keys())

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
            flat = flatten(record)
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


class ScopedReadViewSet(ScopedListMixin, ScopedRetrieveMixin, ScopedViewSet):
    """A read-only resource of organisation data: list and retrieve, paged by id unless the
    resource names another ``cursor_ordering``."""

    cursor_ordering = ("id",)
