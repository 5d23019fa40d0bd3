"""API: bodies' meetings (with their agenda), decisions and meeting actions, read-only and
limited to the caller's scope (the body's organisation, through councils.scoping)."""

import django_filters
from django.db.models import Prefetch
from rest_framework import serializers

from ahpportal.api.schema import documented
from ahpportal.api.viewsets import ScopedReadViewSet
from councils.api import OrganisationScopedFilter
from councils.models import Body

from .meeting_models import AgendaItem, Decision, Meeting, MeetingAction


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = ["position", "title", "presenter", "link", "metric", "cycle", "delivery_action"]


class MeetingSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="body.organisation.code")
    body = serializers.CharField(source="body.name")
    body_kind = serializers.ChoiceField(source="body.kind", choices=Body.Kind.choices)
    agenda = AgendaItemSerializer(source="items", many=True)
    online_link = serializers.CharField(help_text="A link to join online, or empty")
    has_minutes = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "organisation",
            "body",
            "body_kind",
            "title",
            "starts_at",
            "ends_at",
            "location",
            "online_link",
            "has_minutes",
            "agenda",
        ]

    def get_has_minutes(self, meeting) -> bool:
        return bool(meeting.minutes)


class _MeetingChild(serializers.ModelSerializer):
    organisation = serializers.CharField(source="meeting.body.organisation.code")
    body = serializers.CharField(source="meeting.body.name")
    meeting = serializers.IntegerField(source="meeting_id")
    item = serializers.IntegerField(source="item.position", allow_null=True, default=None)


class DecisionSerializer(_MeetingChild):
    class Meta:
        model = Decision
        fields = ["id", "organisation", "body", "meeting", "item", "text", "decided_on"]


class MeetingActionSerializer(_MeetingChild):
    owner = serializers.CharField(source="owner.get_full_name")
    status = serializers.ChoiceField(choices=MeetingAction.Status.choices)

    class Meta:
        model = MeetingAction
        fields = [
            "id",
            "organisation",
            "body",
            "meeting",
            "item",
            "description",
            "owner",
            "due_date",
            "status",
            "updated_at",
        ]


class MeetingFilter(OrganisationScopedFilter):
    organisation_field = "body__organisation"
    body_kind = django_filters.ChoiceFilter(field_name="body__kind", choices=Body.Kind.choices)
    after = django_filters.IsoDateTimeFilter(field_name="starts_at", lookup_expr="gte")

    class Meta:
        model = Meeting
        fields = []


class MeetingRecordFilter(OrganisationScopedFilter):
    """What a meeting records (decisions, actions): its body's organisation, and ``meeting``."""

    organisation_field = "meeting__body__organisation"
    meeting = django_filters.NumberFilter(field_name="meeting_id")


class DecisionFilter(MeetingRecordFilter):
    class Meta:
        model = Decision
        fields = []


class MeetingActionFilter(MeetingRecordFilter):
    status = django_filters.ChoiceFilter(choices=MeetingAction.Status.choices)

    class Meta:
        model = MeetingAction
        fields = []


MEETING_EXAMPLE = {
    "id": 1,
    "organisation": "QF7",
    "body": "South Yorkshire and Bassetlaw ICS AHP council",
    "body_kind": "ics_council",
    "title": "Quarterly council meeting",
    "starts_at": "2026-10-14T10:00:00+01:00",
    "ends_at": "2026-10-14T12:00:00+01:00",
    "location": "Oak House, Rotherham",
    "online_link": "",
    "has_minutes": True,
    "agenda": [
        {
            "position": 1,
            "title": "AHP turnover",
            "presenter": "Chris Chair",
            "link": "metric",
            "metric": "turnover_rate",
            "cycle": None,
            "delivery_action": None,
        }
    ],
}
DECISION_EXAMPLE = {
    "id": 3,
    "organisation": "QF7",
    "body": "South Yorkshire and Bassetlaw ICS AHP council",
    "meeting": 1,
    "item": 1,
    "text": "Set up a retention task and finish group.",
    "decided_on": "2026-10-14",
}
ACTION_EXAMPLE = {
    "id": 7,
    "organisation": "QF7",
    "body": "South Yorkshire and Bassetlaw ICS AHP council",
    "meeting": 1,
    "item": 1,
    "description": "Draft the retention group's terms of reference.",
    "owner": "Ira Lead",
    "due_date": "2026-11-30",
    "status": "in_progress",
    "updated_at": "2026-10-20T09:12:00Z",
}


@documented(
    plural="meetings",
    singular="meeting",
    description="Meetings of the regional boards, ICS councils and faculties in your scope, "
    "with their agenda in order. Decisions and actions are at /api/v1/meeting-decisions/ and "
    "/api/v1/meeting-actions/.",
    rows={"An ICS council meeting": MEETING_EXAMPLE},
    filters={"organisation": "QF7", "body_kind": "ics_council", "after": "2026-10-01T00:00:00Z"},
    lookup=("id", 1),
)
class MeetingViewSet(ScopedReadViewSet):
    queryset = Meeting.objects.select_related("body__organisation").prefetch_related(
        Prefetch("items", queryset=AgendaItem.objects.order_by("position"))
    )
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter


_CHILD_RELATED = ("meeting__body__organisation", "item")


@documented(
    plural="meeting decisions",
    singular="meeting decision",
    description="Decisions recorded at the meetings in your scope.",
    rows={"A council decision": DECISION_EXAMPLE},
    filters={"organisation": "QF7", "meeting": 1},
    lookup=("id", 3),
)
class DecisionViewSet(ScopedReadViewSet):
    queryset = Decision.objects.select_related(*_CHILD_RELATED)
    serializer_class = DecisionSerializer
    filterset_class = DecisionFilter


@documented(
    plural="meeting actions",
    singular="meeting action",
    description="Actions agreed at the meetings in your scope, with owner, due date and status.",
    rows={"An action in progress": ACTION_EXAMPLE},
    filters={"organisation": "QF7", "status": "open", "meeting": 1},
    lookup=("id", 7),
)
class MeetingActionViewSet(ScopedReadViewSet):
    queryset = MeetingAction.objects.select_related(*_CHILD_RELATED, "owner")
    serializer_class = MeetingActionSerializer
    filterset_class = MeetingActionFilter
