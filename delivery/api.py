"""API: delivery plans and their actions (with the latest quarterly status), read-only and
limited to the analyst's scope."""

import django_filters
from django.db.models import Count, Max, OuterRef, Prefetch, Subquery
from rest_framework import serializers

from ahpportal.api.conditional import rows_digest
from ahpportal.api.filters import IdFilter
from ahpportal.api.schema import documented
from ahpportal.api.viewsets import ScopedReadViewSet
from councils.api import OrganisationScopedFilter

from .models import Action, DeliveryPlan, MeasureOfSuccess, ProgressUpdate, Status, Theme


class ThemeSerializer(serializers.ModelSerializer):
    actions = serializers.IntegerField(source="n_actions")

    class Meta:
        model = Theme
        fields = ["number", "name", "actions"]


class DeliveryPlanSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code")
    themes = ThemeSerializer(many=True)

    class Meta:
        model = DeliveryPlan
        fields = ["id", "organisation", "title", "source", "created_at", "updated_at", "themes"]


class DeliveryPlanFilter(OrganisationScopedFilter):
    class Meta:
        model = DeliveryPlan
        fields = []


# The demo's SYB ICS plan (seed 000 appendix 1).
PLAN_EXAMPLE = {
    "id": 1,
    "organisation": "QF7",
    "title": "Delivering the Plan - Areas for Consideration",
    "source": "seed 000 appendix 1",
    "created_at": "2026-04-01T09:00:00Z",
    "updated_at": "2026-10-14T16:20:00Z",
    "themes": [
        {"number": 1, "name": "Value", "actions": 5},
        {"number": 2, "name": "Health & Wellbeing", "actions": 4},
        {"number": 3, "name": "Quality Evidence Based Care", "actions": 5},
        {"number": 4, "name": "Excellence Through Leadership", "actions": 7},
        {"number": 5, "name": "Workforce for the Future", "actions": 5},
    ],
}
ACTION_EXAMPLE = {
    "id": 18,
    "organisation": "QF7",
    "plan": 1,
    "theme_number": 4,
    "theme": "Excellence Through Leadership",
    "reference": "4.4",
    "text": "Development of flexible employment models across the ICS with collaboration "
    "between employers in recruitment and retention.",
    "owner": "Ira Lead, Sheffield",
    "owner_organisation": "QF7-SHE",
    "start_date": "2026-04-01",
    "due_date": "2027-03-31",
    "latest_quarter": "2026/27 Q3",
    "latest_status": "off_track",
    "measures": [
        "Improve recruitment and retention within the ICS",
        "Staff rotations between ICS partners",
    ],
    "updated_at": "2026-10-14T16:20:00Z",
}


@documented(
    plural="delivery plans",
    singular="delivery plan",
    description="Each organisation's delivery plan in your scope with its themes and how "
    "many actions each has. The actions are at /api/v1/delivery-actions/.",
    rows={"SYB ICS": PLAN_EXAMPLE},
    filters={"organisation": "QF7", "subtree": True},
    lookup=("id", 1),
)
class DeliveryPlanViewSet(ScopedReadViewSet):
    queryset = DeliveryPlan.objects.select_related("organisation").prefetch_related(
        Prefetch(
            "themes",
            queryset=Theme.objects.annotate(n_actions=Count("actions")).order_by("number"),
        )
    )
    serializer_class = DeliveryPlanSerializer
    filterset_class = DeliveryPlanFilter

    def freshness(self, queryset):
        """One aggregate over the plans (title and source bump updated_at), their themes (added,
        never edited) and their actions (an action moved between themes bumps its updated_at).
        No Last-Modified: a new theme leaves no time behind."""
        found = queryset.order_by().aggregate(
            n_plans=Count("pk", distinct=True),
            plan_top=Max("pk"),
            plan_last=Max("updated_at"),
            n_themes=Count("themes", distinct=True),
            theme_top=Max("themes__pk"),
            n_actions=Count("themes__actions", distinct=True),
            action_top=Max("themes__actions__pk"),
            action_last=Max("themes__actions__updated_at"),
        )
        return "|".join(str(value) for value in found.values()), None


class DeliveryActionSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="theme.plan.organisation.code")
    plan = serializers.IntegerField(source="theme.plan_id")
    theme_number = serializers.IntegerField(source="theme.number")
    theme = serializers.CharField(source="theme.name")
    reference = serializers.CharField()
    owner = serializers.CharField(source="owner_display")
    owner_organisation = serializers.CharField(
        source="owner_organisation.code", allow_null=True, default=None
    )
    latest_quarter = serializers.CharField(allow_null=True)
    latest_status = serializers.ChoiceField(choices=Status.choices, allow_null=True)
    measures = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "organisation",
            "plan",
            "theme_number",
            "theme",
            "reference",
            "text",
            "owner",
            "owner_organisation",
            "start_date",
            "due_date",
            "latest_quarter",
            "latest_status",
            "measures",
            "updated_at",
        ]

    def get_measures(self, action) -> list[str]:
        return [m.text for m in action.measures.all()]


class DeliveryActionFilter(OrganisationScopedFilter):
    organisation_field = "theme__plan__organisation"
    theme = IdFilter(field_name="theme__number", help_text="Theme number")
    latest_status = django_filters.ChoiceFilter(choices=Status.choices)
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Action
        fields = []


def _latest(field):
    return Subquery(
        ProgressUpdate.objects.filter(action=OuterRef("pk"))
        .order_by("-quarter", "-created_at", "-pk")
        .values(field)[:1]
    )


@documented(
    plural="delivery plan actions",
    singular="delivery plan action",
    description="Every action of the delivery plans in your scope, one row each, with its "
    "owner, dates, measures of success and the latest quarterly status.",
    rows={"An action off track": ACTION_EXAMPLE},
    filters={
        "organisation": "QF7",
        "theme": 4,
        "latest_status": "off_track",
        "due_before": "2027-03-31",
    },
    lookup=("id", 18),
)
class DeliveryActionViewSet(ScopedReadViewSet):
    queryset = (
        Action.objects.select_related(
            "theme__plan__organisation", "owner_user", "owner_organisation"
        )
        .prefetch_related(
            Prefetch("measures", queryset=MeasureOfSuccess.objects.order_by("position"))
        )
        .annotate(latest_quarter=_latest("quarter"), latest_status=_latest("status"))
    )
    serializer_class = DeliveryActionSerializer
    filterset_class = DeliveryActionFilter

    def freshness(self, queryset):
        """A digest of what the rows show that could change, read without building a row: each
        action's timestamp (every edit of the action bumps it), latest status, owner's and owner
        organisation's names, and its measures of success (edited in place). Two queries. No
        Last-Modified: an edited measure or a renamed owner leaves no time behind."""
        actions = rows_digest(
            queryset,
            "updated_at",
            "latest_quarter",
            "latest_status",
            "theme__number",
            "theme__name",
            "theme__plan__organisation__code",
            "owner_user__full_name",
            "owner_user__email",
            "owner_organisation__code",
            "owner_organisation__name",
        )
        measures = rows_digest(
            MeasureOfSuccess.objects.filter(action__in=queryset.values("pk")),
            "action_id",
            "position",
            "text",
        )
        return f"{actions}|{measures}", None
