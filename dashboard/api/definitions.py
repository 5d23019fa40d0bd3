"""API: the metric catalogue (code, not organisation data)."""

from __future__ import annotations

import hashlib
import json

from drf_spectacular.utils import (
    OpenApiParameter,
)
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response

from ahpportal.api.conditional import ConditionalMixin
from ahpportal.api.schema import documented

from .. import metric_versions
from .. import metrics as catalogue

# --- metric definitions --------------------------------------------------------------------


class MetricVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    effective_month = serializers.CharField(
        allow_null=True, help_text="YYYY-MM it took effect; null: from the first month"
    )
    reason = serializers.CharField()
    name = serializers.CharField()
    numerator = serializers.CharField()
    denominator = serializers.CharField()
    direction = serializers.ChoiceField(choices=["higher", "lower", "neither"])
    default_target = serializers.FloatField(allow_null=True)
    description = serializers.CharField()


class MetricDefinitionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    domain = serializers.ChoiceField(choices=list(catalogue.DOMAINS.items()))
    domain_name = serializers.CharField()
    unit = serializers.ChoiceField(choices=["percent", "score", "ratio", "count"])
    numerator = serializers.CharField()
    denominator = serializers.CharField(help_text="Empty for counts")
    direction = serializers.ChoiceField(
        choices=["higher", "lower", "neither"], help_text="Which way is better"
    )
    default_target = serializers.FloatField(allow_null=True)
    datasets = serializers.ListField(child=serializers.CharField())
    by_profession = serializers.BooleanField()
    by_band_group = serializers.BooleanField()
    by_band = serializers.BooleanField(
        help_text="Also stored for each single band (band_2 ... band_9), for all professions"
    )
    description = serializers.CharField()
    period = serializers.ChoiceField(
        choices=["month", "quarter", "year"],
        help_text="One figure per month; per quarter (stored at its first month); or per survey "
        "year (stored at its January)",
    )
    version = serializers.IntegerField(help_text="The current version of the definition")
    versions = MetricVersionSerializer(
        many=True, help_text="Every version, oldest first: what changed, from when and why"
    )


def _definition(metric: catalogue.Metric) -> dict:
    history = metric_versions.versions(metric.code)
    return {
        "code": metric.code,
        "name": metric.name,
        "domain": metric.domain,
        "domain_name": metric.domain_name,
        "unit": metric.unit,
        "numerator": metric.numerator,
        "denominator": metric.denominator,
        "direction": metric.direction,
        "default_target": metric.default_target,
        "datasets": list(metric.datasets),
        "by_profession": metric.by_profession,
        "by_band_group": metric.by_band_group,
        "by_band": metric.by_band,
        "description": metric.description,
        "period": "year" if metric.annual else "quarter" if metric.quarterly else "month",
        "version": len(history),
        "versions": [version.as_dict() for version in history],
    }


@documented(
    plural="metric definitions",
    singular="metric definition",
    description="The Quality Dashboard's metric catalogue (not paginated; about 40 rows).",
    parameters=[
        OpenApiParameter(
            "domain", str, enum=list(catalogue.DOMAINS), description="Only this domain."
        )
    ],
    rows={"Sickness absence": _definition(catalogue.get("sickness_absence_rate"))},
    filters={"domain": "supporting_staff"},
    lookup=("code", "turnover_rate"),
    detail_description="By its code.",
    detail_rows={"Turnover": _definition(catalogue.get("turnover_rate"))},
)
class MetricDefinitionViewSet(ConditionalMixin, viewsets.ViewSet):
    """The catalogue is code, not organisation data: anyone signed in may read it."""

    serializer_class = MetricDefinitionSerializer
    lookup_field = "code"
    lookup_value_regex = "[a-z0-9_]+"
    pagination_class = None

    def freshness(self, queryset):
        """The catalogue changes only with the code: its digest, read from no table."""
        return CATALOGUE_VERSION, None

    def list(self, request):
        domain = request.query_params.get("domain")
        if domain and domain not in catalogue.DOMAINS:
            raise exceptions.ValidationError(
                {"domain": f"Choose one of {', '.join(catalogue.DOMAINS)}."}
            )
        not_modified = self.check_not_modified(None)
        if not_modified is not None:
            return not_modified
        rows = [_definition(m) for m in catalogue.CATALOGUE if not domain or m.domain == domain]
        return Response(rows)

    def retrieve(self, request, code=None):
        try:
            metric = catalogue.get(code)
        except KeyError:
            raise exceptions.NotFound(f"There is no metric with the code {code!r}.") from None
        return self.check_not_modified(None) or Response(_definition(metric))


CATALOGUE_VERSION = hashlib.sha256(
    json.dumps([_definition(m) for m in catalogue.CATALOGUE], sort_keys=True).encode()
).hexdigest()[:24]
