"""API: peer benchmarks (PRODUCT.md 9). For each provider in your scope, metric and month: the
distribution of that metric over every provider of the same type in England (count, lowest,
quartiles, median, highest; aggregates only, never another provider's figure) and the
provider's rank and quarter in it. Read from the store written by the recompute
(``dashboard.peers``); a provider whose own figure is hidden (fewer than 5 people) or missing is
not in the comparison and has no row."""

from __future__ import annotations

from rest_framework import serializers

from ahpportal.api.filters import month_filter
from ahpportal.api.schema import documented
from ahpportal.api.viewsets import ScopedListMixin, ScopedViewSet
from councils.api import OrganisationScopedFilter

from ..models import PeerPosition, PeerStat
from .metric_values import MetricValueFilter as _Codes
from .metric_values import metric_filter, parse_month


class PeerBenchmarkSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    organisation_name = serializers.CharField()
    provider_type = serializers.CharField()
    metric = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    peers = serializers.IntegerField(help_text="Providers of the type compared, in England")
    minimum = serializers.FloatField()
    lower_quartile = serializers.FloatField(help_text="Linear interpolation (R type 7)")
    median = serializers.FloatField()
    upper_quartile = serializers.FloatField(help_text="Linear interpolation (R type 7)")
    maximum = serializers.FloatField()
    rank = serializers.IntegerField(help_text="1 = the lowest figure; ties share the lower rank")
    quarter = serializers.IntegerField(
        help_text="1: at or below the lower quartile ... 4: above the upper quartile"
    )
    computed_at = serializers.DateTimeField()


class PeerBenchmarkFilter(OrganisationScopedFilter):
    metric = metric_filter("filter_metric")
    month = month_filter(method="filter_month", help_text="The month, YYYY-MM.")

    class Meta:
        model = PeerPosition
        fields = []

    filter_metric = _Codes.filter_metric

    def filter_month(self, queryset, name, value):
        return queryset.filter(month=parse_month(value, "month"))


EXAMPLE = {
    "organisation": "RHQ",
    "organisation_name": "Sheffield Teaching Hospitals NHS Foundation Trust",
    "provider_type": "acute",
    "metric": "turnover_rate",
    "month": "2026-09",
    "peers": 138,
    "minimum": 4.1,
    "lower_quartile": 8.9,
    "median": 10.6,
    "upper_quartile": 12.4,
    "maximum": 19.8,
    "rank": 61,
    "quarter": 2,
    "computed_at": "2026-10-02T02:14:09Z",
}


@documented(
    plural="peer benchmarks",
    description="For each provider in your scope: its figure's place among every provider of "
    "the same type (acute, community, mental health, ambulance, local authority, independent) "
    "in England, for all professions and all bands. The distribution is over the providers' "
    "figures that are shown (not resting on fewer than 5 people), with at least 5 providers; "
    "quartiles by linear interpolation (R's default, type 7). No other provider's figure is "
    "given.",
    rows={"An acute trust": EXAMPLE},
    filters={"organisation": "RHQ", "metric": "turnover_rate", "month": "2026-09"},
)
class PeerBenchmarkViewSet(ScopedListMixin, ScopedViewSet):
    queryset = PeerPosition.objects.select_related("organisation")
    serializer_class = PeerBenchmarkSerializer
    filterset_class = PeerBenchmarkFilter
    cursor_ordering = ("id",)
    last_modified_field = "computed_at"

    def serialize_rows(self, rows) -> list:
        """One more query for the page's peer stats, whatever its length."""
        rows = list(rows)
        wanted = {(r.organisation.provider_type, r.metric, r.month) for r in rows}
        stats = {}
        if wanted:
            found = PeerStat.objects.filter(
                provider_type__in={k for k, _, _ in wanted},
                metric__in={m for _, m, _ in wanted},
                month__in={mo for _, _, mo in wanted},
                profession="all",
                band_group="all",
            )
            stats = {(s.provider_type, s.metric, s.month): s for s in found}
        out = []
        for r in rows:
            stat = stats.get((r.organisation.provider_type, r.metric, r.month))
            if stat is None:  # a provider's type changed since the recompute
                continue
            out.append(
                {
                    "organisation": r.organisation.code,
                    "organisation_name": r.organisation.name,
                    "provider_type": stat.provider_type,
                    "metric": r.metric,
                    "month": r.month.strftime("%Y-%m"),
                    "peers": stat.count,
                    "minimum": stat.minimum,
                    "lower_quartile": stat.lower_quartile,
                    "median": stat.median,
                    "upper_quartile": stat.upper_quartile,
                    "maximum": stat.maximum,
                    "rank": r.rank,
                    "quarter": r.quarter,
                    "computed_at": serializers.DateTimeField().to_representation(r.computed_at),
                }
            )
        return out
