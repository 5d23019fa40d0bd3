"""Conditional GET: every response carries an ``ETag`` (and ``Last-Modified`` where one time
covers every change); ``If-None-Match`` / ``If-Modified-Since`` answer 304. Lists read a version
of their rows (an aggregate or a digest, see :func:`rows_version`) before reading any row, so a
304 costs a query or two; other responses hash their body."""

from __future__ import annotations

import datetime
import hashlib

from django.db.models import Count, Max
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from rest_framework.response import Response

from councils.scoping import scope_memberships, scope_paths

#: the scope action of every read (the analyst role)
READ_ACTION = "analyse"


def rows_version(queryset, timestamp: str | None = None) -> str:
    """How many rows, the highest id (and the latest ``timestamp``): one aggregate query.

    Enough for rows that are only added and removed, or whose every edit bumps ``timestamp``.
    """
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
    """The whole tree's codes, names, levels, shape, closures and successors: a rename, a move
    or a merger anywhere changes it (the tree has a few hundred rows; one query)."""
    from councils.models import Organisation

    return rows_digest(
        Organisation.objects.all(),
        *("code", "name", "short_name", "level", "path", "numchild", "closed_on", "successor"),
    )


def scope_fingerprint(user) -> str:
    """What the user may see, so that a role change changes every ETag."""
    return f"{user.pk}|{scope_paths(user, READ_ACTION)}|{scope_memberships(user)}"


class ConditionalMixin:
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
                scope_fingerprint(request.user),
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
                    response.content + scope_fingerprint(request.user).encode()
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
