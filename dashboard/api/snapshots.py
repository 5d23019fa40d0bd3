"""API: the snapshots of the aggregate store (:mod:`dashboard.snapshots`), so an analyst can see
which pulls can be reproduced with ``as_at``."""

from __future__ import annotations

from rest_framework import exceptions, serializers

from ahpportal.api.conditional import organisations_version
from ahpportal.api.pagination import CursorPagination
from ahpportal.api.schema import documented
from ahpportal.api.viewsets import ScopedReadViewSet

from .. import snapshots
from ..models import Snapshot

#: ``as_at``: a snapshot id, or an ISO 8601 date or time (seconds, fraction and zone optional)
AS_AT_PATTERN = (
    r"^([1-9][0-9]{0,8}|[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"(Z|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?)?)$"
)


class SnapshotPagination(CursorPagination):
    """Pages of metric values name the snapshot their figures come from."""

    def get_paginated_response_schema(self, schema):
        response_schema = super().get_paginated_response_schema(schema)
        response_schema["properties"]["snapshot"] = {
            "type": "object",
            "nullable": True,
            "description": "The snapshot the figures come from (null before any recompute); "
            "give its id as `as_at` to pull the same figures later.",
            "properties": {
                "id": {"type": "integer", "example": 42},
                "committed_at": {
                    "type": "string",
                    "format": "date-time",
                    "example": "2026-10-02T02:31:07Z",
                },
            },
        }
        response_schema["properties"]["structure"] = {
            "type": "string",
            "enum": ["current", "as_it_was"],
            "description": "The structure the figures are on (the `view` filter): today's, or "
            "each month's own.",
            "example": "current",
        }
        return response_schema


class SnapshotReadMixin:
    """A view reading the figures of one snapshot: the latest, or the one ``as_at`` names. Its
    ETag and Last-Modified are the snapshot's; every response names it."""

    @property
    def snapshot(self):
        """The snapshot this request reads (None: no recompute has run yet)."""
        if "_snapshot" not in self.__dict__:
            as_at = self.request.query_params.get("as_at")
            try:
                self._snapshot = snapshots.resolve(as_at) if as_at else snapshots.latest()
            except snapshots.SnapshotNotFound as exc:
                raise exceptions.NotFound(str(exc)) from None
            except snapshots.BadMoment as exc:
                raise exceptions.ValidationError({"as_at": str(exc)}) from None
        return self._snapshot

    def freshness(self, queryset):
        """The snapshot read (a recompute makes a new one) and the tree's version (rows name
        their organisation); Last-Modified is when the snapshot was committed."""
        snapshot = self.snapshot
        if snapshot is None:
            return f"none|{organisations_version()}", None
        return f"{snapshot.pk}|{organisations_version()}", snapshot.committed_at

    def snapshot_fields(self) -> dict | None:
        snapshot = self.snapshot
        if snapshot is None:
            return None
        return {"id": snapshot.pk, "committed_at": snapshot.committed_at.isoformat()}

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["snapshot"] = self.snapshot_fields()
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if response.status_code in (200, 304) and "_snapshot" in self.__dict__:
            response["X-Snapshot"] = str(self._snapshot.pk) if self._snapshot else "none"
        return response


SNAPSHOT_EXAMPLE = {
    "id": 42,
    "committed_at": "2026-10-02T02:31:07Z",
    "organisation": "ENG",
    "organisation_name": "NHS England",
    "kind": "full",
    "opened": 1204,
    "closed": 1188,
    "reproducible": True,
}


class SnapshotSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="Give it as `as_at` to pull its figures")
    committed_at = serializers.DateTimeField()
    organisation = serializers.CharField(
        source="organisation.code", help_text="The root of what its recompute covered"
    )
    organisation_name = serializers.CharField(source="organisation.name")
    kind = serializers.ChoiceField(
        choices=["full", "incremental", "on_demand", "capture"],
        help_text="The recompute's kind (capture: written outside a recompute run)",
    )
    opened = serializers.IntegerField(help_text="Figures it changed or added")
    closed = serializers.IntegerField(help_text="Figures it changed or removed")
    reproducible = serializers.BooleanField(
        help_text="False once older than the retention period: its figures are pruned"
    )


def _visible(user, action):
    return Snapshot.objects.visible_to(user, action).select_related("organisation", "run")


@documented(
    plural="snapshots",
    singular="snapshot",
    description="Every recompute of the figures is a numbered snapshot. Listed: those of "
    "recomputes for organisations in your scope (their imports, a chair's runs) and England's "
    "(the nightly full run), newest first. Pull any snapshot's figures with "
    "`/api/v1/metric-values/?as_at=<id>`. Add `?format=csv` for CSV.",
    rows={"The nightly full run": SNAPSHOT_EXAMPLE},
    lookup=("id", 42),
)
class SnapshotViewSet(ScopedReadViewSet):
    queryset = Snapshot.objects.select_related("organisation", "run")
    serializer_class = SnapshotSerializer
    cursor_ordering = ("-id",)
    action_scopes = {"list": _visible, "retrieve": _visible}

    def serialize_rows(self, rows) -> list:
        return [
            {
                "id": snapshot.pk,
                "committed_at": serializers.DateTimeField().to_representation(
                    snapshot.committed_at
                ),
                "organisation": snapshot.organisation.code,
                "organisation_name": snapshot.organisation.name,
                "kind": snapshot.run.kind if snapshot.run else "capture",
                "opened": snapshot.opened,
                "closed": snapshot.closed,
                "reproducible": snapshot.pruned_at is None,
            }
            for snapshot in rows
        ]
