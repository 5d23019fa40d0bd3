"""API: the metric values of the aggregate store, long and wide, within the analyst scope and
through :mod:`dashboard.suppression`."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from types import SimpleNamespace

import django_filters
from django.db.models import CharField, Count, F, Max, Value
from django.db.models.functions import Cast, Concat
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
)
from rest_framework import exceptions, serializers

from ahpportal.api.filters import PatternFilter, codes_pattern, month_filter
from ahpportal.api.renderers import csv_response
from ahpportal.api.schema import documented, response_example
from ahpportal.api.viewsets import ScopedReadViewSet
from councils.api import level_filter, organisation_filter, resolve_organisation, subtree_filter
from councils.models import Level
from councils.scoping import organisation_ids_filter
from workforce.csv_safety import safe_cell

from .. import as_it_was, metric_versions, snapshots
from .. import metrics as catalogue
from ..models import AsItWasFigure, MetricValue, MetricValueVersion, RecomputeRun
from ..suppression import is_suppressed
from .examples import BAND_LONG_EXAMPLE, LONG_EXAMPLE, PROVIDER_LONG_EXAMPLE, WIDE_EXAMPLE
from .snapshots import AS_AT_PATTERN, SnapshotPagination, SnapshotReadMixin

# --- metric values -------------------------------------------------------------------------

METRIC_CODES = [m.code for m in catalogue.CATALOGUE]
#: ``band_group`` of metric values: band groups separated by commas, or "*" for every one
BAND_GROUP_PATTERN = (
    rf"^(\*|{codes_pattern([*catalogue.BAND_GROUPS, *catalogue.SINGLE_BANDS]).strip('^$')})$"
)
ANY = "*"


def parse_month(value: str, field: str) -> dt.date:
    for fmt in ("%Y-%m", "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        return day.replace(day=1)
    raise exceptions.ValidationError({field: "Enter a month as YYYY-MM (for example 2025-03)."})


def _codes(value: str, field: str, allowed: list[str]) -> list[str]:
    codes = [c.strip() for c in value.split(",") if c.strip()]
    unknown = [c for c in codes if c not in allowed]
    if unknown or not codes:
        raise exceptions.ValidationError(
            {field: f"Unknown {field} {', '.join(unknown) or '(empty)'}; see the definitions."}
        )
    return codes


def _profession_codes() -> list[str]:
    from workforce.models import Profession

    return [catalogue.ALL_PROFESSIONS, *Profession.objects.values_list("code", flat=True)]


def metric_filter(method: str, default: str = "") -> django_filters.CharFilter:
    """The ``metric`` filter of metric values and SPC verdicts (``default`` says what none is)."""
    return PatternFilter(
        method=method,
        pattern=codes_pattern(METRIC_CODES),
        message="Unknown metric %(value)s; give metric codes separated by commas (see the "
        "definitions).",
        help_text=f"Metric code, or several separated by commas{default}.",
    )


def domain_filter(method: str) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        method=method,
        choices=list(catalogue.DOMAINS.items()),
        help_text="Only metrics of this domain.",
    )


class MetricValueFilter(django_filters.FilterSet):
    """Filters of metric values and SPC verdicts. ``profession`` and ``band_group`` default to
    ``all`` (the all-professions, all-bands figure the dashboard shows); ``*`` takes every one."""

    organisation = organisation_filter()
    subtree = subtree_filter("filter_noop")
    level = level_filter("organisation__level")
    metric = metric_filter("filter_metric")
    domain = domain_filter("filter_domain")
    profession = django_filters.CharFilter(
        method="filter_profession",
        help_text='Profession code(s), comma-separated; default "all"; "*" for every one.',
    )
    band_group = PatternFilter(
        method="filter_band_group",
        pattern=BAND_GROUP_PATTERN,
        message="Unknown band_group %(value)s; give band groups separated by commas, or *.",
        help_text='"all" (default), "support" (bands 2-4), "registered" (5-9), a single band '
        '("band_2" ... "band_9", with profession "all"), comma-separated, or "*".',
    )
    month_from = month_filter(
        method="filter_month_from", help_text="First month, YYYY-MM (inclusive)."
    )
    month_to = month_filter(method="filter_month_to", help_text="Last month, YYYY-MM (inclusive).")
    as_at = PatternFilter(
        method="filter_noop",
        pattern=AS_AT_PATTERN,
        message="Give a snapshot id (for example 12) or an ISO 8601 time (for example "
        "2026-10-02T09:00:00Z).",
        help_text="The figures as they stood at a snapshot: its id (see /api/v1/snapshots/), or "
        "an ISO 8601 time (the latest snapshot committed by then). Default: the latest. Every "
        "response names its snapshot (the X-Snapshot header, and `snapshot` in JSON lists).",
    )

    view = django_filters.ChoiceFilter(
        method="filter_noop",
        choices=list(as_it_was.VIEWS.items()),
        help_text='The structure the figures are on: "current" (default; every month under '
        "today's tree) or \"as_it_was\" (each month under that month's structure: a provider "
        "counted in the place it was in then, a merged provider with its own figures). Every "
        "response names it (the X-Structure header, and `structure` in JSON lists). "
        "`as_it_was` is kept for the latest snapshot only: with an earlier `as_at`, 404.",
    )

    class Meta:
        model = MetricValueVersion
        fields = []

    def filter_noop(self, queryset, name, value):
        return queryset

    def filter_organisation(self, queryset, name, value):
        org = resolve_organisation(self.request, value)
        if self.form.cleaned_data.get("subtree"):
            ids = list(org.subtree().values_list("pk", flat=True))
            return queryset.filter(organisation_id__in=ids)
        return queryset.filter(organisation=org)

    def filter_metric(self, queryset, name, value):
        return queryset.filter(metric__in=_codes(value, "metric", METRIC_CODES))

    def filter_domain(self, queryset, name, value):
        return queryset.filter(
            metric__in=[m.code for m in catalogue.CATALOGUE if m.domain == value]
        )

    def filter_profession(self, queryset, name, value):
        if value == ANY:
            return queryset
        return queryset.filter(profession__in=_codes(value, "profession", _profession_codes()))

    def filter_band_group(self, queryset, name, value):
        if value == ANY:
            return queryset
        return queryset.filter(
            band_group__in=_codes(
                value, "band_group", [*catalogue.BAND_GROUPS, *catalogue.SINGLE_BANDS]
            )
        )

    def filter_month_from(self, queryset, name, value):
        return queryset.filter(month__gte=parse_month(value, "month_from"))

    def filter_month_to(self, queryset, name, value):
        return queryset.filter(month__lte=parse_month(value, "month_to"))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if not data.get("profession"):
            queryset = queryset.filter(profession=catalogue.ALL_PROFESSIONS)
        if not data.get("band_group"):
            queryset = queryset.filter(band_group="all")
        return queryset


class AsItWasFilter(MetricValueFilter):
    """The same filters over the figures as it was (:class:`AsItWasFigure`)."""

    class Meta:
        model = AsItWasFigure
        fields = []


class MetricValueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(help_text="Organisation code")
    organisation_name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    month = serializers.CharField(help_text="YYYY-MM")
    metric = serializers.CharField()
    profession = serializers.CharField(help_text='Profession code or "all"')
    band_group = serializers.CharField()
    value = serializers.FloatField(allow_null=True, help_text="Null when missing or suppressed")
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    people = serializers.IntegerField(allow_null=True, help_text="People behind the figure")
    suppressed = serializers.BooleanField(help_text="True when fewer than 5 people (hidden)")
    providers_reporting = serializers.IntegerField()
    providers_total = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    definition_version = serializers.IntegerField(
        help_text="The version of the metric's definition behind the figure (see "
        "/api/v1/metrics/{code}/)"
    )


class MetricValueWideSerializer(serializers.Serializer):
    organisation = serializers.CharField()
    organisation_name = serializers.CharField()
    level = serializers.ChoiceField(choices=Level.choices)
    month = serializers.CharField(help_text="YYYY-MM")
    profession = serializers.CharField()
    band_group = serializers.CharField()
    values = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text="Metric code -> value (null when missing or suppressed)",
    )
    suppressed = serializers.ListField(
        child=serializers.CharField(), help_text="Metric codes whose value is suppressed"
    )


#: The long shape's columns are the serializer's fields (declared once, above); where a column
#: is read from the store under another name (the organisation's, as annotated by _values):
STORE_NAMES = {"organisation": "org_code", "organisation_name": "org_name", "level": "org_level"}
LONG_HEADER = list(MetricValueSerializer._declared_fields)
#: columns the long shape works out rather than reads
DERIVED = ("suppressed", "definition_version")
#: what _values reads: every column but ``suppressed`` (computed), and what suppression needs
VALUE_FIELDS = (
    "organisation_id",
    "org_path",
    *(STORE_NAMES.get(name, name) for name in LONG_HEADER if name not in DERIVED),
)
#: csv_rows' values_list: the same columns, dates and times as text, the path for suppression
CSV_COLUMNS = [
    {
        "organisation": "organisation__code",
        "organisation_name": "organisation__name",
        "level": "organisation__level",
        "month": "month_text",
        "suppressed": "organisation__path",
        "computed_at": "at_text",
    }.get(name, name)
    for name in LONG_HEADER
    if name != "definition_version"
]
WIDE_KEY = ("org_code", "org_name", "org_level", "month", "profession", "band_group")
WIDE_LISTS = ("values", "suppressed")  # the wide shape's columns that are not its key


#: what the wide shape reads of each figure: its key, metric, value and what suppression needs
#: (not the long shape's counts and times: parsing 27,000 ``computed_at`` values was a third of
#: an ICS's wide page at England scale)
WIDE_FIELDS = ("organisation_id", "org_path", *WIDE_KEY, "metric", "value")


def _values(queryset, fields=VALUE_FIELDS):
    return queryset.annotate(
        org_code=F("organisation__code"),
        org_name=F("organisation__name"),
        org_level=F("organisation__level"),
        org_path=F("organisation__path"),
        stored_suppressed=F("suppressed"),
    ).values(*fields, "stored_suppressed")


def store_version() -> tuple[str, dt.datetime | None]:
    """The aggregate store changes only through recompute runs: the finished runs and the
    store's highest id (two index-only reads, whatever the size of the filtered set) say
    whether anything changed. Returns the seed and when the latest run finished."""
    runs = RecomputeRun.objects.filter(finished_at__isnull=False).aggregate(
        n=Count("pk"), last=Max("finished_at")
    )
    top = MetricValue.objects.aggregate(top=Max("pk"))["top"]
    return f"{runs['n']}|{runs['last']}|{top}", runs["last"]


class _Suppressor:
    """The dashboard's suppression rule, with no query per row (the scope is cached)."""

    def __init__(self, user):
        self.user = user
        self._cache: dict[str, bool] = {}

    def __call__(self, suppressed, path) -> bool:
        """``suppressed``: the figure's stored flag; ``path``: its organisation's path."""
        if not suppressed:
            return False
        if path not in self._cache:
            self._cache[path] = is_suppressed(
                suppressed=True, owner=SimpleNamespace(path=path), user=self.user
            )
        return self._cache[path]


def _long(row: dict, suppress: _Suppressor) -> dict:
    hidden = suppress(row["stored_suppressed"], row["org_path"])
    out = {name: row[STORE_NAMES.get(name, name)] for name in LONG_HEADER if name not in DERIVED}
    out["definition_version"] = metric_versions.version_number_at(row["metric"], row["month"])
    out["month"] = row["month"].strftime("%Y-%m")
    if hidden:
        out.update(value=None, numerator=None, denominator=None, people=None)
    out["suppressed"] = hidden
    return {name: out[name] for name in LONG_HEADER}


SHAPE_PARAMETER = OpenApiParameter(
    "shape",
    str,
    enum=["long", "wide"],
    description="long (default): one row per value. wide: one row per organisation x month "
    "(x profession x band group) with the metrics as columns.",
)
FORMAT_NOTE = " Add `?format=csv` to stream every matching row as CSV (no pagination)."

METRIC_VALUE_ROW = PolymorphicProxySerializer(
    component_name="MetricValueRow",
    serializers=[MetricValueSerializer, MetricValueWideSerializer],
    resource_type_field_name=None,
    many=True,
)


@documented(
    plural="metric values",
    singular="metric value",
    description=(
        "Stored metric values (the figures the dashboard shows) for the organisations in "
        "your scope, cursor-paginated by id. Values resting on fewer than 5 people are null "
        "with `suppressed: true` for organisations outside your own." + FORMAT_NOTE
    ),
    parameters=[SHAPE_PARAMETER],
    rows={
        "Long shape for the SYB ICS": LONG_EXAMPLE,
        "Long shape for a profession at a provider": PROVIDER_LONG_EXAMPLE,
        "Long shape for a single band": BAND_LONG_EXAMPLE,
        "Wide shape": response_example(
            "Wide shape",
            WIDE_EXAMPLE,
            description="`?shape=wide&organisation=QF7&metric=sickness_absence_rate,"
            "turnover_rate,vacancy_rate&month_from=2026-09`",
        ),
    },
    filters={
        "organisation": "QF7",
        "subtree": True,
        "level": "provider",
        "metric": "sickness_absence_rate",
        "domain": "supporting_staff",
        "profession": "physiotherapist",
        "band_group": "registered",
        "month_from": "2025-10",
        "month_to": "2026-09",
        "shape": "wide",
    },
    responses={200: METRIC_VALUE_ROW},
    lookup=("id", LONG_EXAMPLE["id"]),
    detail_description="By its id (the `id` of a long-shape row); 404 outside your scope.",
    detail_rows={"Sickness absence at the SYB ICS": LONG_EXAMPLE},
    detail_options={"responses": MetricValueSerializer},
)
class MetricValueViewSet(SnapshotReadMixin, ScopedReadViewSet):
    """Reads the figures of one snapshot (:mod:`dashboard.snapshots`): the latest, or the one
    ``as_at`` names, so a pull made now and one made later with ``as_at`` are the same rows.
    ``id`` is the figure version's: it changes only when the figure does."""

    queryset = MetricValueVersion.objects.all()
    scope_by_organisation_ids = True  # read the store by its organisation index (no path join)
    serializer_class = MetricValueSerializer
    pagination_class = SnapshotPagination

    def get_queryset(self):
        if self.structure == as_it_was.AS_IT_WAS:
            # the same scope (councils.scoping's ids), on the view's rows
            scoped = self._scoped_queryset()
            rows = AsItWasFigure.objects.filter(
                **organisation_ids_filter(self.request.user, self.scope_action)
            )
            rows.query.scope_marker = scoped.query.scope_marker
            return rows
        return snapshots.versions_at(super().get_queryset(), self.snapshot)

    @property
    def filterset_class(self):
        return AsItWasFilter if self.structure == as_it_was.AS_IT_WAS else MetricValueFilter

    @property
    def structure(self) -> str:
        """The structure view the request reads (PRODUCT.md 7): checked here as well as by
        the filter, since the wide shape and the detail read it before filtering."""
        view = self.request.query_params.get("view") or as_it_was.CURRENT
        if view not in as_it_was.VIEWS:
            raise exceptions.ValidationError({"view": 'Choose "current" or "as_it_was".'})
        if view == as_it_was.AS_IT_WAS and self.request.query_params.get("as_at"):
            latest = snapshots.latest()
            if self.snapshot is None or latest is None or self.snapshot.pk != latest.pk:
                raise exceptions.NotFound(
                    "Figures as it was are kept for the latest snapshot only"
                    + (f" ({latest.pk})" if latest else "")
                    + "; pull an earlier snapshot on today's structure (leave out view)."
                )
        return view

    def freshness(self, queryset):
        seed, modified = super().freshness(queryset)
        return f"{seed}|{self.structure}", modified

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["structure"] = self.structure
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        view = request.query_params.get("view") or as_it_was.CURRENT
        if response.status_code in (200, 304) and view in as_it_was.VIEWS:
            # named, never checked, here: a bad view or as_at was answered 400 already (a
            # request that reads no figures, OPTIONS, does not check them)
            response["X-Structure"] = view
        return response

    @property
    def shape(self) -> str:
        shape = self.request.query_params.get("shape", "long")
        if shape not in ("long", "wide"):
            raise exceptions.ValidationError({"shape": 'Choose "long" or "wide".'})
        return shape

    def list(self, request, *args, **kwargs):
        if self.shape == "long":
            return super().list(request, *args, **kwargs)
        queryset = self.filter_queryset(self.get_queryset())
        not_modified = self.check_not_modified(queryset)
        if not_modified is not None:
            return not_modified
        metrics = self._wide_metrics()
        if self.wants_csv():
            return self.stream_wide_csv(queryset, metrics)
        keys = (
            queryset.annotate(
                wide_key=Concat(
                    F("organisation__path"),
                    Value("|"),
                    Cast("month", CharField()),
                    Value("|"),
                    F("profession"),
                    Value("|"),
                    F("band_group"),
                    output_field=CharField(),
                )
            )
            .values("wide_key", "organisation_id", "month", "profession", "band_group")
            .distinct()
        )
        paginator = self.paginator
        paginator_ordering = self.cursor_ordering
        self.cursor_ordering = ("wide_key",)
        try:
            page = paginator.paginate_queryset(keys, request, view=self)
        finally:
            self.cursor_ordering = paginator_ordering
        wanted = {
            (k["organisation_id"], k["month"], k["profession"], k["band_group"]) for k in page
        }
        page_rows = queryset.filter(
            # the cross product of the page's parts; rows of other keys are dropped below
            organisation_id__in={k[0] for k in wanted},
            month__in={k[1] for k in wanted},
            profession__in={k[2] for k in wanted},
            band_group__in={k[3] for k in wanted},
        ).order_by("organisation__path", "month", "profession", "band_group", "metric")
        rows = _values(page_rows, WIDE_FIELDS)
        rows = (
            r
            for r in rows
            if (r["organisation_id"], r["month"], r["profession"], r["band_group"]) in wanted
        )
        return paginator.get_paginated_response(list(self._wide_rows(rows, metrics)))

    def _wide_metrics(self) -> list[str]:
        params = self.request.query_params
        codes = METRIC_CODES
        if params.get("metric"):
            codes = _codes(params["metric"], "metric", METRIC_CODES)
        if params.get("domain"):
            codes = [c for c in codes if catalogue.get(c).domain == params["domain"]]
        return codes

    def _wide_rows(self, rows, metrics):
        suppress = _Suppressor(self.request.user)
        for key, group in groupby(rows, key=lambda r: tuple(r[k] for k in WIDE_KEY)):
            values = dict.fromkeys(metrics)
            hidden = []
            for row in group:
                if row["metric"] not in values:
                    continue
                if suppress(row["stored_suppressed"], row["org_path"]):
                    hidden.append(row["metric"])
                else:
                    values[row["metric"]] = row["value"]
            code, name, level, month, profession, band_group = key
            yield {
                "organisation": code,
                "organisation_name": name,
                "level": level,
                "month": month.strftime("%Y-%m"),
                "profession": profession,
                "band_group": band_group,
                "values": values,
                "suppressed": hidden,
            }

    def stream_wide_csv(self, queryset, metrics):
        rows = _values(queryset, WIDE_FIELDS).order_by(
            "organisation__path", "month", "profession", "band_group", "metric"
        )

        def flat():
            for record in self._wide_rows(rows.iterator(chunk_size=self.csv_chunk_size), metrics):
                yield [
                    *(record[name] for name in key_columns),
                    *record["values"].values(),
                    ";".join(record["suppressed"]),
                ]

        key_columns = [n for n in MetricValueWideSerializer._declared_fields if n not in WIDE_LISTS]
        header = [*key_columns, *metrics, "suppressed"]
        return csv_response(header, flat(), filename="metric-values-wide")

    def get_object(self):
        queryset = _values(self.get_queryset())
        try:
            pk = int(self.kwargs["pk"])
            return queryset.get(pk=pk)
        except (ValueError, MetricValueVersion.DoesNotExist, AsItWasFigure.DoesNotExist):
            raise exceptions.NotFound("Not found, or not in your scope.") from None

    def paginate_queryset(self, queryset):
        return super().paginate_queryset(_values(queryset))

    def serialize_rows(self, rows) -> list:
        suppress = _Suppressor(self.request.user)
        return [_long(row, suppress) for row in rows]

    def csv_header(self):
        return LONG_HEADER

    csv_rows_safe = True  # csv_rows neutralises its own text cells (the rest are numbers)
    csv_chunk_size = 5_000

    def csv_rows(self, queryset):
        """Every row in organisation, metric, profession, band group and month order, straight
        from ``values_list`` (no dict per row; months and timestamps formatted once each)."""
        suppress = _Suppressor(self.request.user)
        rows = (
            # the order of the unique index (organisation, metric, profession, band group, month):
            # an index scan that streams, with no sort
            queryset.order_by("organisation_id", "metric", "profession", "band_group", "month")
            # dates and times as text: parsed once per distinct value below, not once per row
            .annotate(
                month_text=Cast("month", CharField()), at_text=Cast("computed_at", CharField())
            )
            .values_list(*CSV_COLUMNS, "suppressed")
        )
        months: dict = {}
        stamps: dict = {}
        texts: dict = {}
        versions: dict = {}

        def text(value):
            if value not in texts:
                texts[value] = safe_cell(value)
            return texts[value]

        # the order of LONG_HEADER (CSV_COLUMNS), with the path where "suppressed" goes
        for (pk, code, name, level, month, metric, profession, band_group, value,
             numerator, denominator, people, path, reporting, total, computed_at,
             stored_suppressed) in rows.iterator(
            chunk_size=self.csv_chunk_size
        ):  # fmt: skip
            if month not in months:
                months[month] = month[:7]
            if computed_at not in stamps:
                stamps[computed_at] = _iso(computed_at)
            hidden = suppress(stored_suppressed, path)
            if hidden:
                value = numerator = denominator = people = None
            if (metric, month) not in versions:
                versions[metric, month] = metric_versions.version_number_at(
                    metric, dt.date.fromisoformat(month[:10])
                )
            yield (
                pk,
                text(code),
                text(name),
                level,
                months[month],
                text(metric),
                text(profession),
                text(band_group),
                value,
                numerator,
                denominator,
                people,
                "Y" if hidden else "N",
                reporting,
                total,
                stamps[computed_at],
                versions[metric, month],
            )


def _iso(text: str) -> str:
    """A timestamp the database gave as text, in the JSON's ISO 8601 form."""
    from django.utils.dateparse import parse_datetime

    text = text.strip()
    if text.endswith("+00"):
        text += ":00"
    stamp = parse_datetime(text.replace(" ", "T", 1))
    if stamp is None:
        return text
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
