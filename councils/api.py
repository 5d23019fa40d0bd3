"""API: the organisation tree (read-only), limited to the caller's analyst scope."""

import django_filters
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Length, Substr
from rest_framework import serializers

from ahpportal.api.conditional import organisations_version
from ahpportal.api.filters import BooleanFilter, organisation_code_filter
from ahpportal.api.schema import documented
from ahpportal.api.viewsets import ScopedReadViewSet

from .models import Level, Organisation
from .scoping import below_q, get_in_scope_or_404


def with_parent_code(queryset):
    """Annotate each organisation with its parent's and its successor's codes in the same query
    (set-based)."""
    steplen = Organisation.steplen
    parent = Organisation.objects.filter(
        path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - steplen)
    ).values("code")[:1]
    return queryset.annotate(parent_code=Subquery(parent), successor_code=F("successor__code"))


class OrganisationSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(
        source="parent_code", allow_null=True, read_only=True, help_text="The parent's code"
    )
    has_children = serializers.SerializerMethodField()
    closed_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text="The first day it no longer exists (a merger's effective month); null if no "
        "closure is recorded",
    )
    successor = serializers.CharField(
        source="successor_code",
        allow_null=True,
        read_only=True,
        help_text="The code of the organisation that took it over when it closed; null if none",
    )

    class Meta:
        model = Organisation
        fields = [
            "code",
            "name",
            "short_name",
            "level",
            "parent",
            "depth",
            "has_children",
            "closed_on",
            "successor",
        ]

    def get_has_children(self, obj) -> bool:
        return obj.numchild > 0


def resolve_organisation(request, code: str, action: str = "analyse") -> Organisation:
    """An organisation named in a filter: within the caller's scope, else 404 (never a hint)."""
    return get_in_scope_or_404(Organisation, request.user, action, code=code)


def organisation_filter(method: str = "filter_organisation") -> django_filters.CharFilter:
    """The ``organisation`` filter of a list: a code in the caller's scope (404 otherwise)."""
    return organisation_code_filter(
        method=method,
        help_text="Organisation code in your scope (404 otherwise). With subtree=true, also "
        "everything below it.",
    )


def subtree_filter(method: str = "filter_subtree") -> BooleanFilter:
    """The ``subtree`` filter that goes with :func:`organisation_filter`."""
    return BooleanFilter(method=method, help_text="With organisation: include everything below it.")


def level_filter(field_name: str | None = None) -> django_filters.ChoiceFilter:
    """The ``level`` filter (of the organisation at ``field_name``, default the row itself)."""
    return django_filters.ChoiceFilter(
        field_name=field_name, choices=Level.choices, help_text="Only this level."
    )


class OrganisationFilter(django_filters.FilterSet):
    level = level_filter()
    parent = organisation_code_filter(
        method="filter_parent",
        help_text="Code of an organisation in your scope: only its direct children.",
    )
    within = organisation_code_filter(
        method="filter_within",
        help_text="Code of an organisation in your scope: it and everything below it.",
    )

    class Meta:
        model = Organisation
        fields = ["level"]

    def filter_parent(self, queryset, name, value):
        parent = resolve_organisation(self.request, value)
        return queryset & Organisation.objects.children_of(parent)

    def filter_within(self, queryset, name, value):
        root = resolve_organisation(self.request, value)
        return queryset.below(root)


ICS_EXAMPLE = {
    "code": "QF7",
    "name": "South Yorkshire and Bassetlaw Integrated Care System",
    "short_name": "South Yorkshire and Bassetlaw",
    "level": "ics",
    "parent": "Y63",
    "depth": 3,
    "has_children": True,
    "closed_on": None,
    "successor": None,
}
PROVIDER_EXAMPLE = {
    "code": "RP5",
    "name": "Doncaster and Bassetlaw Teaching Hospitals NHS Foundation Trust",
    "short_name": "",
    "level": "provider",
    "parent": "QF7-DON",
    "depth": 5,
    "has_children": False,
    "closed_on": None,
    "successor": None,
}


@documented(
    plural="organisations",
    singular="organisation",
    description=(
        "The organisations in your scope (where you hold the analyst role, and everything "
        "below), in tree order. Filter by `level`, `parent` (direct children) or `within` "
        "(a subtree). A `parent` or `within` code outside your scope answers 404."
    ),
    rows={"An ICS": ICS_EXAMPLE, "A provider": PROVIDER_EXAMPLE},
    filters={"level": "provider", "parent": "QF7-DON", "within": "QF7"},
    lookup=("code", "RP5", "Doncaster and Bassetlaw Teaching Hospitals"),
    detail_description="By its code; 404 outside your scope.",
    detail_rows={"A provider": PROVIDER_EXAMPLE},
)
class OrganisationViewSet(ScopedReadViewSet):
    queryset = Organisation.objects.all()
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z0-9-]+"
    cursor_ordering = ("path",)

    def get_queryset(self):
        return with_parent_code(super().get_queryset())

    def freshness(self, queryset):
        """The tree's digest (no timestamps to read: names are edited in place)."""
        return organisations_version(), None

    def csv_header(self):
        return OrganisationSerializer.Meta.fields

    def csv_rows(self, queryset):
        rows = queryset.order_by("path").values_list(
            "code",
            "name",
            "short_name",
            "level",
            "parent_code",
            "depth",
            F("numchild"),
            "closed_on",
            "successor_code",
        )
        for *cells, numchild, closed_on, successor in rows.iterator(chunk_size=self.csv_chunk_size):
            yield [*cells, numchild > 0, closed_on, successor]


class OrganisationScopedFilter(django_filters.FilterSet):
    """Base filterset: ``organisation`` (a code in your scope; 404 otherwise) and ``subtree``."""

    organisation_field = "organisation"

    organisation = organisation_filter()
    subtree = subtree_filter()

    def filter_subtree(self, queryset, name, value):
        return queryset

    def filter_organisation(self, queryset, name, value):
        org = resolve_organisation(self.request, value)
        if self.form.cleaned_data.get("subtree"):
            return queryset.filter(below_q(org, f"{self.organisation_field}__path"))
        return queryset.filter(**{self.organisation_field: org})
