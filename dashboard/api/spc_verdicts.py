"""API: SPC verdicts (XmR, Making Data Count) over the stored monthly series."""

from __future__ import annotations

import datetime as dt
from typing import get_args

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework import exceptions, serializers

from ahpportal.api.conditional import organisations_version, rows_version
from ahpportal.api.filters import month_filter
from ahpportal.api.pagination import CursorPagination
from ahpportal.api.schema import documented
from ahpportal.api.viewsets import ScopedListMixin, ScopedViewSet
from councils.api import level_filter, organisation_filter, resolve_organisation, subtree_filter
from councils.models import Level, Organisation

from .. import metrics as catalogue
from .. import spc
from ..models import ChangePoint, MetricValue
from ..series import metric_series
from .examples import SPC_EXAMPLE, SPC_PROVIDER_EXAMPLE
from .metric_values import (
    FORMAT_NOTE,
    METRIC_CODES,
    _profession_codes,
    _Suppressor,
    domain_filter,
    metric_filter,
    parse_month,
    store_version,
)

# --- SPC verdicts --------------------------------------------------------------------------


class SpcChangePointSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM: new mean and limits from this month on")
    reason = serializers.CharField()


class SpcVerdictSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    organisation_name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    metric = serializers.CharField()
    profession = serializers.CharField()
    band_group = serializers.CharField()
    first_month = serializers.CharField(allow_null=True)
    last_month = serializers.CharField(allow_null=True)
    points = serializers.IntegerField(help_text="Months with a value (suppressed ones excluded)")
    latest_value = serializers.FloatField(allow_null=True)
    variation = serializers.ChoiceField(choices=list(get_args(spc.Variation)))
    variation_label = serializers.CharField()
    assurance = serializers.ChoiceField(
        # "not_applicable" (no better direction) is given as null
        choices=[a for a in get_args(spc.Assurance) if a != "not_applicable"],
        allow_null=True,
        help_text="None for metrics with no better direction (no target, no assurance)",
    )
    assurance_label = serializers.CharField(allow_null=True)
    direction = serializers.CharField()
    target = serializers.FloatField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)
    upper_limit = serializers.FloatField(allow_null=True)
    lower_limit = serializers.FloatField(allow_null=True)
    change_points = SpcChangePointSerializer(
        many=True,
        help_text="Change points a chair recorded inside the series: mean and limits (those "
        "above are the latest segment's) are computed again from each",
    )


class SpcVerdictForm(forms.Form):
    """Checks of the filters that choose the series (not the organisations) of SPC verdicts."""

    def clean_metric(self):
        value = self.cleaned_data.get("metric")
        return _form_codes(value, "metric", METRIC_CODES) if value else list(METRIC_CODES)

    def clean_profession(self):
        value = self.cleaned_data.get("profession") or catalogue.ALL_PROFESSIONS
        if value == catalogue.ALL_PROFESSIONS:
            return value
        (code,) = _form_codes(value, "profession", _profession_codes(), many=False)
        return code

    def clean_month_to(self):
        value = self.cleaned_data.get("month_to")
        if not value:
            return None
        try:
            return parse_month(value, "month_to")
        except exceptions.ValidationError:
            raise forms.ValidationError("Enter a month as YYYY-MM (for example 2026-09).") from None


def _form_codes(value: str, field: str, allowed: list[str], many: bool = True) -> list[str]:
    codes = [c.strip() for c in value.split(",") if c.strip()]
    unknown = [c for c in codes if c not in allowed]
    if unknown or not codes:
        # the codes go in as params: a client's "%" must not reach the message's formatting
        raise forms.ValidationError(
            "Unknown %(field)s %(codes)s; see the definitions.",
            params={"field": field, "codes": ", ".join(unknown) or "(empty)"},
        )
    if not many and len(codes) > 1:
        raise forms.ValidationError(f"Give one {field}: a verdict judges one series.")
    return codes


SPC_BAND_GROUPS = [*catalogue.BAND_GROUPS.items(), *catalogue.SINGLE_BANDS.items()]


class SpcVerdictFilter(django_filters.FilterSet):
    """Which organisations (``organisation``, ``subtree``, ``level``) and which of their series
    (``metric``, ``domain``, ``profession``, ``band_group``, ``month_to``) to judge."""

    organisation = organisation_filter()
    subtree = subtree_filter("filter_series")
    level = level_filter()
    metric = metric_filter("filter_series", " (default: every metric)")
    domain = domain_filter("filter_series")
    profession = django_filters.CharFilter(
        method="filter_series", help_text='One profession code; default "all" (every profession).'
    )
    band_group = django_filters.ChoiceFilter(
        method="filter_series",
        choices=SPC_BAND_GROUPS,
        help_text='"all" (default), "support" (bands 2-4), "registered" (5-9), or a single band '
        '("band_2" ... "band_9"; stored for the diversity metrics, with profession "all").',
    )
    month_to = month_filter(
        method="filter_series",
        help_text="Last month of the series, YYYY-MM (default: the latest stored).",
    )

    class Meta:
        model = Organisation
        fields = []
        form = SpcVerdictForm

    def filter_organisation(self, queryset, name, value):
        org = resolve_organisation(self.request, value)
        if self.form.cleaned_data.get("subtree"):
            return queryset.below(org)
        return queryset.filter(pk=org.pk)

    def filter_series(self, queryset, name, value):
        return queryset  # these choose the series to judge: see series()

    def series(self) -> tuple[list[str], str, str, dt.date | None]:
        """``(metrics, profession, band_group, month_to)`` for the verdicts (after is_valid)."""
        data = self.form.cleaned_data
        metrics = data["metric"]
        if data.get("domain"):
            metrics = [c for c in metrics if catalogue.get(c).domain == data["domain"]]
        return metrics, data["profession"], data.get("band_group") or "all", data["month_to"]


class SpcPagination(CursorPagination):
    page_size = 10
    max_page_size = 100
    page_size_query_description = "Organisations per page, 1 to 100 (default 10)."


def _csv_verdict(verdict: dict) -> list:
    """A verdict as a CSV row: change points as "YYYY-MM: reason", separated by "; "."""
    row = dict(verdict)
    row["change_points"] = "; ".join(f"{c['month']}: {c['reason']}" for c in row["change_points"])
    return list(row.values())


def _targets_for(orgs) -> dict[int, dict[str, float | None]]:
    """Each organisation's effective targets (its own, an ancestor's or the default), as the
    dashboard uses them: one query for the whole page."""
    from ..targets import effective_targets_many

    return {
        pk: {code: target.value for code, target in per_metric.items()}
        for pk, per_metric in effective_targets_many(orgs).items()
    }


@documented(
    plural="SPC verdicts",
    description=(
        "Statistical process control (XmR, Making Data Count) verdicts for each organisation "
        "x metric, computed over the stored monthly series (the last 24 months up to "
        "`month_to`). Paginated by organisation (`page_size` organisations per page); "
        "suppressed months count as missing." + FORMAT_NOTE
    ),
    rows={
        "Sickness absence at the SYB ICS": SPC_EXAMPLE,
        "Turnover at a provider with special cause": SPC_PROVIDER_EXAMPLE,
    },
    filters={
        "organisation": "QF7",
        "subtree": True,
        "level": "provider",
        "metric": "turnover_rate",
        "domain": "optimising_workforce",
        "profession": "physiotherapist",
        "band_group": "registered",
        "month_to": "2026-09",
    },
    responses={200: SpcVerdictSerializer(many=True)},
)
class SpcVerdictViewSet(ScopedListMixin, ScopedViewSet):
    """Verdicts are computed per request from the stored series (one query per page)."""

    queryset = Organisation.objects.all()
    serializer_class = SpcVerdictSerializer
    pagination_class = SpcPagination
    cursor_ordering = ("path",)
    filterset_class = SpcVerdictFilter
    window = 24

    def freshness(self, queryset):
        """Verdicts rest on the store, the targets (set, changed or removed), the change points
        in force (only ever added or removed) and the tree. No Last-Modified: removing a target
        leaves no time behind."""
        from ..models import Target

        seed, _ = store_version()
        targets = rows_version(Target.objects.all(), "set_at")
        breaks = self._active_change_points()
        version = f"{len(breaks)}|{max((pk for pk, *_ in breaks), default=None)}"
        return f"{seed}|{targets}|{version}|{organisations_version()}", None

    def _active_change_points(self) -> list[tuple]:
        """Every change point in force, ``(pk, organisation_id, metric, month, reason)``: one
        query per request, shared by the ETag and the verdicts (chairs record few)."""
        if not hasattr(self, "_breaks"):
            self._breaks = list(
                ChangePoint.objects.active()
                .order_by("month")
                .values_list("pk", "organisation_id", "metric", "month", "reason")
            )
        return self._breaks

    def filter_queryset(self, queryset):
        """The organisations, through the filterset, which also says which series to judge."""
        filterset = DjangoFilterBackend().get_filterset(self.request, queryset, self)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        self.series = filterset.series()
        return filterset.qs

    def serialize_rows(self, orgs) -> list:
        return list(self._verdicts(list(orgs), *self.series))

    def _verdicts(self, orgs, metrics, profession, band_group, month_to):
        if not orgs:
            return
        values = MetricValue.objects.filter(
            organisation__in=orgs,
            metric__in=metrics,
            profession=profession,
            band_group=band_group,
        )
        if month_to:
            values = values.filter(month__lte=month_to)
        rows = values.values_list("organisation_id", "metric", "month", "value", "suppressed")
        series: dict[tuple[int, str], dict[dt.date, float | None]] = {}
        by_id = {org.pk: org for org in orgs}
        suppress = _Suppressor(self.request.user)
        for org_id, metric, month, value, stored_suppressed in rows:
            hidden = suppress(stored_suppressed, by_id[org_id].path)
            series.setdefault((org_id, metric), {})[month] = None if hidden else value
        targets = _targets_for(orgs)
        breaks: dict[tuple[int, str], list[tuple[dt.date, str]]] = {}
        for _, org_id, metric, month, reason in self._active_change_points():
            breaks.setdefault((org_id, metric), []).append((month, reason))
        for org in orgs:
            for code in metrics:
                points = series.get((org.pk, code))
                if not points:
                    continue
                yield self._verdict(
                    org,
                    catalogue.get(code),
                    points,
                    targets[org.pk],
                    profession,
                    band_group,
                    breaks.get((org.pk, code), []),
                )

    def _verdict(self, org, metric, points, targets, profession, band_group, breaks=()):
        target = targets.get(metric.code, metric.default_target)
        # one point per survey year or quarter for a periodic metric, never repeated month by month
        series = metric_series(
            metric,
            points,
            last=max(points),
            target=target,
            size=self.window,
            change_points=[m for m, _ in breaks],
        )
        result = series.result
        inside = [(m, r) for m, r in breaks if series.months[0] < m <= series.months[-1]]
        assessed = result.assurance != "not_applicable"  # no better direction: no assurance
        months = [m for m in sorted(points) if m >= series.months[0]]  # months with a row
        return {
            "organisation": org.code,
            "organisation_name": org.name,
            "level": org.level,
            "metric": metric.code,
            "profession": profession,
            "band_group": band_group,
            "first_month": months[0].strftime("%Y-%m") if months else None,
            "last_month": series.months[-1].strftime("%Y-%m"),
            "points": len(series.present),
            "latest_value": series.latest_value,
            "variation": result.variation,
            "variation_label": result.variation_label,
            "assurance": result.assurance if assessed else None,
            "assurance_label": result.assurance_label if assessed else None,
            "direction": metric.direction,
            "target": result.target,
            "mean": result.mean,
            "upper_limit": result.upper_limit,
            "lower_limit": result.lower_limit,
            "change_points": [{"month": m.strftime("%Y-%m"), "reason": r} for m, r in inside],
        }

    def csv_header(self):
        return list(SpcVerdictSerializer().fields)

    def csv_rows(self, queryset):
        params = self.series  # validated by filter_queryset, before the response streams

        def rows():
            chunk = []
            for org in queryset.order_by("path").iterator(chunk_size=200):
                chunk.append(org)
                if len(chunk) == 200:
                    for verdict in self._verdicts(chunk, *params):
                        yield _csv_verdict(verdict)
                    chunk = []
            for verdict in self._verdicts(chunk, *params):
                yield _csv_verdict(verdict)

        return rows()
