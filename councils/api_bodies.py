"""API: leadership bodies, their members (names and positions only, never emails) and the
leadership register, read-only and limited to the analyst's scope like everything else."""

import django_filters
from django.db.models import Count, Q
from django.utils import timezone
from rest_framework import serializers

from ahpportal.api.filters import BooleanFilter, IdFilter
from ahpportal.api.schema import documented
from ahpportal.api.viewsets import ScopedReadViewSet

from .api import OrganisationScopedFilter
from .models import Body, BodyMember, LeadershipPost, Position


def _current_q(prefix: str = "") -> Q:
    today = timezone.localdate()
    return (
        Q(**{f"{prefix}term_start__isnull": True}) | Q(**{f"{prefix}term_start__lte": today})
    ) & (Q(**{f"{prefix}term_end__isnull": True}) | Q(**{f"{prefix}term_end__gte": today}))


class BodySerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code")
    current_members = serializers.IntegerField(
        source="n_current", help_text="Seats whose term is current today"
    )

    class Meta:
        model = Body
        fields = ["id", "organisation", "kind", "name", "current_members"]


class BodyFilter(OrganisationScopedFilter):
    kind = django_filters.ChoiceFilter(choices=Body.Kind.choices)

    class Meta:
        model = Body
        fields = []


BODY_EXAMPLE = {
    "id": 12,
    "organisation": "QF7",
    "kind": "ics_council",
    "name": "South Yorkshire and Bassetlaw ICS AHP council",
    "current_members": 4,
}


@documented(
    plural="bodies",
    singular="body",
    description="The regional AHP boards, ICS AHP councils and ICS AHP faculties of the "
    "organisations in your scope, with how many members each has today. The members are at "
    "/api/v1/body-members/.",
    rows={"SYB's council": BODY_EXAMPLE},
    filters={"organisation": "QF7", "kind": "ics_council"},
    lookup=("id", 12),
)
class BodyViewSet(ScopedReadViewSet):
    queryset = Body.objects.select_related("organisation").annotate(
        n_current=Count("members", filter=_current_q("members__"))
    )
    serializer_class = BodySerializer
    filterset_class = BodyFilter


class BodyMemberSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="body.organisation.code")
    body_name = serializers.CharField(source="body.name")
    name = serializers.CharField(source="user.get_full_name", help_text="The member's name")
    position = serializers.ChoiceField(choices=Position.choices)
    current = serializers.SerializerMethodField(help_text="Whether the term is current today")

    class Meta:
        model = BodyMember
        fields = [
            "id",
            "body",
            "body_name",
            "organisation",
            "name",
            "position",
            "term_start",
            "term_end",
            "current",
        ]

    def get_current(self, member) -> bool:
        return member.is_current()


class BodyMemberFilter(OrganisationScopedFilter):
    organisation_field = "body__organisation"
    body = IdFilter(field_name="body_id", help_text="A body's id")
    position = django_filters.ChoiceFilter(choices=Position.choices)
    current = BooleanFilter(
        method="filter_current", help_text="Only seats current today (true) or not (false)"
    )

    class Meta:
        model = BodyMember
        fields = []

    def filter_current(self, queryset, name, value):
        return queryset.filter(_current_q()) if value else queryset.exclude(_current_q())


MEMBER_EXAMPLE = {
    "id": 3,
    "body": 12,
    "body_name": "South Yorkshire and Bassetlaw ICS AHP council",
    "organisation": "QF7",
    "name": "Chris Chair",
    "position": "chair",
    "term_start": "2025-04-01",
    "term_end": None,
    "current": True,
}


@documented(
    plural="body members",
    singular="body member",
    description="The seats on the bodies in your scope: each member's name, position and "
    "term. No email addresses.",
    rows={"SYB's council chair": MEMBER_EXAMPLE},
    filters={"body": 12, "position": "chair", "current": True},
    lookup=("id", 3),
)
class BodyMemberViewSet(ScopedReadViewSet):
    queryset = BodyMember.objects.select_related("body__organisation", "user")
    serializer_class = BodyMemberSerializer
    filterset_class = BodyMemberFilter


class LeadershipPostSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code")
    holder = serializers.CharField(
        source="holder_display", help_text="The holder's name ('' when vacant)"
    )
    in_post = serializers.BooleanField(help_text="Substantive or interim")

    class Meta:
        model = LeadershipPost
        fields = ["id", "organisation", "post", "body", "status", "holder", "in_post", "start_date"]


class LeadershipPostFilter(OrganisationScopedFilter):
    post = django_filters.ChoiceFilter(choices=LeadershipPost.Post.choices)
    status = django_filters.ChoiceFilter(choices=LeadershipPost.Status.choices)

    class Meta:
        model = LeadershipPost
        fields = []


POST_EXAMPLE = {
    "id": 8,
    "organisation": "RHA",
    "post": "chief_ahp",
    "body": None,
    "status": "interim",
    "holder": "Helen Okafor",
    "in_post": True,
    "start_date": "2026-05-01",
}


@documented(
    plural="leadership posts",
    singular="leadership post",
    description="The leadership register in your scope: each provider's chief AHP and each "
    "body's chair, with the status (substantive, interim or vacant) and the holder's name. A "
    "provider with no row has nothing recorded.",
    rows={"An interim chief AHP": POST_EXAMPLE},
    filters={"organisation": "QF7", "subtree": True, "post": "chief_ahp", "status": "vacant"},
    lookup=("id", 8),
)
class LeadershipPostViewSet(ScopedReadViewSet):
    queryset = LeadershipPost.objects.select_related("organisation", "holder")
    serializer_class = LeadershipPostSerializer
    filterset_class = LeadershipPostFilter
