"""API: readiness cycles, submissions, answers and action plans, limited to the analyst's scope.

Answers and submissions of every status are listed (each row says its status); filter with
``status=signed_off`` for the agreed results only.
"""

import django_filters
from django.db.models import Count, Q
from rest_framework import serializers

from ahpportal.api.filters import IdFilter
from ahpportal.api.schema import documented
from ahpportal.api.viewsets import ScopedReadViewSet
from councils.api import OrganisationScopedFilter

from .models import ActionItem, Answer, Cycle, Stage, Status, Submission, answered_q


class CycleSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code", help_text="Opened for")
    template = serializers.CharField(source="section.template.code")
    template_version = serializers.IntegerField(source="section.template.version")
    section = serializers.CharField(source="section.code")
    section_title = serializers.CharField(source="section.title")
    level = serializers.CharField(source="section.level", help_text="Who answers")
    submissions = serializers.IntegerField(source="n_submissions")
    submitted = serializers.IntegerField(source="n_submitted")
    signed_off = serializers.IntegerField(source="n_signed_off")

    class Meta:
        model = Cycle
        fields = [
            "id",
            "organisation",
            "name",
            "template",
            "template_version",
            "section",
            "section_title",
            "level",
            "due_date",
            "prefilled",
            "previous",
            "opened_at",
            "submissions",
            "submitted",
            "signed_off",
        ]


class CycleFilter(OrganisationScopedFilter):
    section = django_filters.CharFilter(field_name="section__code", help_text="Section code")
    template = django_filters.CharFilter(
        field_name="section__template__code", help_text="Template code"
    )

    class Meta:
        model = Cycle
        fields = []


# From the demo (`make demo`): the SYB ICS's employer toolkit 2026/27, signed off by RHQ.
CYCLE_EXAMPLE = {
    "id": 2,
    "organisation": "QF7",
    "name": "2026/27",
    "template": "support_workforce",
    "template_version": 1,
    "section": "employer",
    "section_title": "Section 3: Employer readiness - questions for NHS trusts and other employers",
    "level": "provider",
    "due_date": "2027-01-04",
    "prefilled": True,
    "previous": 1,
    "opened_at": "2026-11-02T09:30:00Z",
    "submissions": 9,
    "submitted": 0,
    "signed_off": 1,
}
SUBMISSION_EXAMPLE = {
    "id": 10,
    "cycle": 2,
    "cycle_name": "2026/27",
    "section": "employer",
    "organisation": "RHQ",
    "status": "signed_off",
    "updated_at": "2026-11-20T15:12:00Z",
    "submitted_at": "2026-11-18T11:40:00Z",
    "signed_off_at": "2026-11-20T15:12:00Z",
    "answered": 19,
    "questions": 19,
}
ACTION_ITEM_EXAMPLE = {
    "id": 16,
    "organisation": "RHQ",
    "submission": 10,
    "cycle": 2,
    "description": "Bring the support workforce data together in one quarterly report.",
    "owner": "Sam Chief",
    "due_date": "2027-02-26",
    "status": "in_progress",
    "stage": "start_out",
    "created_at": "2026-11-20T15:12:00Z",
}


@documented(
    plural="readiness cycles",
    singular="readiness cycle",
    description="Rounds of a readiness toolkit section opened for organisations in your "
    "scope, with how many submissions there are, are submitted and are signed off.",
    rows={"The employer toolkit 2026/27": CYCLE_EXAMPLE},
    filters={"organisation": "QF7", "section": "employer", "template": "support_workforce"},
    lookup=("id", 2),
)
class CycleViewSet(ScopedReadViewSet):
    queryset = Cycle.objects.select_related("organisation", "section__template").annotate(
        n_submissions=Count("submissions", distinct=True),
        n_submitted=Count(
            "submissions", filter=Q(submissions__status=Status.SUBMITTED), distinct=True
        ),
        n_signed_off=Count(
            "submissions", filter=Q(submissions__status=Status.SIGNED_OFF), distinct=True
        ),
    )
    serializer_class = CycleSerializer
    filterset_class = CycleFilter
    cursor_ordering = ("-id",)


class SubmissionSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code")
    cycle_name = serializers.CharField(source="cycle.name")
    section = serializers.CharField(source="cycle.section.code")
    answered = serializers.IntegerField(source="n_answered")
    questions = serializers.IntegerField(source="n_answers")

    class Meta:
        model = Submission
        fields = [
            "id",
            "cycle",
            "cycle_name",
            "section",
            "organisation",
            "status",
            "updated_at",
            "submitted_at",
            "signed_off_at",
            "answered",
            "questions",
        ]


class SubmissionFilter(OrganisationScopedFilter):
    cycle = IdFilter(field_name="cycle_id")
    status = django_filters.ChoiceFilter(choices=Status.choices)
    section = django_filters.CharFilter(field_name="cycle__section__code")

    class Meta:
        model = Submission
        fields = []


@documented(
    plural="readiness submissions",
    singular="readiness submission",
    description="One organisation's answers to one cycle: status, dates and how many "
    "answers are given.",
    rows={"Signed off by Sheffield Teaching Hospitals": SUBMISSION_EXAMPLE},
    filters={"cycle": 2, "status": "signed_off", "section": "employer"},
    lookup=("id", 10),
)
class SubmissionViewSet(ScopedReadViewSet):
    queryset = Submission.objects.select_related("organisation", "cycle__section").annotate(
        n_answers=Count("answers", distinct=True),
        n_answered=Count("answers", filter=answered_q("answers__"), distinct=True),
    )
    serializer_class = SubmissionSerializer
    filterset_class = SubmissionFilter
    cursor_ordering = ("-id",)


class AnswerSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="submission.organisation.code")
    cycle = serializers.IntegerField(source="submission.cycle_id")
    status = serializers.CharField(source="submission.status", help_text="Submission status")
    section = serializers.CharField(source="question.section.code")
    question_number = serializers.CharField(source="question.number")
    question = serializers.CharField(source="question.text")
    profession = serializers.CharField(
        source="profession.code", allow_null=True, default=None, help_text="Per-profession only"
    )

    class Meta:
        model = Answer
        fields = [
            "id",
            "submission",
            "cycle",
            "organisation",
            "status",
            "section",
            "question_number",
            "question",
            "profession",
            "yes_no",
            "response",
            "next_steps",
            "not_applicable",
            "updated_at",
        ]
        extra_kwargs = {
            "not_applicable": {
                "help_text": "State of readiness: the organisation does not employ the "
                "profession (then response is empty)"
            }
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.not_applicable:
            data["response"] = ""  # text typed before marking it is not the answer
        return data


ANSWER_EXAMPLE = {
    "id": 2,
    "submission": 10,
    "cycle": 2,
    "organisation": "RHQ",
    "status": "signed_off",
    "section": "employer",
    "question_number": "2",
    "question": "Have you identified key drivers for change, linked to organisational and "
    "service priorities?",
    "profession": None,
    "yes_no": "N",
    "response": "Not yet; discussed at the workforce group.",
    "next_steps": "Agree a shared development framework with the AHP council.",
    "not_applicable": False,
    "updated_at": "2026-11-17T10:05:00Z",
}


class AnswerFilter(OrganisationScopedFilter):
    organisation_field = "submission__organisation"
    submission = IdFilter(field_name="submission_id")
    cycle = IdFilter(field_name="submission__cycle_id")
    status = django_filters.ChoiceFilter(field_name="submission__status", choices=Status.choices)
    question = django_filters.CharFilter(field_name="question__number", help_text="e.g. 3.2")
    profession = django_filters.CharFilter(field_name="profession__code")
    yes_no = django_filters.ChoiceFilter(choices=[("Y", "Yes"), ("N", "No")])

    class Meta:
        model = Answer
        fields = []


@documented(
    plural="readiness answers",
    singular="readiness answer",
    description="Every answer (Y/N, response, next steps) of submissions in your scope; "
    "filter by `status=signed_off` for agreed results. Add `?format=csv` for CSV.",
    rows={"An answer with a next step": ANSWER_EXAMPLE},
    filters={
        "organisation": "RHQ",
        "cycle": 2,
        "status": "signed_off",
        "question": "2",
        "yes_no": "N",
    },
    lookup=("id", 2),
)
class AnswerViewSet(ScopedReadViewSet):
    queryset = Answer.objects.select_related(
        "submission__organisation", "question__section", "profession"
    )
    serializer_class = AnswerSerializer
    filterset_class = AnswerFilter


class ActionItemSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.code")
    cycle = serializers.IntegerField(source="submission.cycle_id")
    owner = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "organisation",
            "submission",
            "cycle",
            "description",
            "owner",
            "due_date",
            "status",
            "stage",
            "created_at",
        ]

    def get_owner(self, item) -> str:
        return item.owner_name or (item.owner.get_full_name() if item.owner_id else "")


class ActionItemFilter(OrganisationScopedFilter):
    status = django_filters.ChoiceFilter(choices=ActionItem.State.choices)
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    cycle = IdFilter(field_name="submission__cycle_id")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = ActionItem
        fields = []


@documented(
    plural="action plan items",
    singular="action plan item",
    description="Actions of organisations' readiness action plans (from next steps of "
    "signed-off answers), with owner, due date, status and stage.",
    rows={"An action in progress": ACTION_ITEM_EXAMPLE},
    filters={"organisation": "RHQ", "status": "in_progress", "due_before": "2027-03-31"},
    lookup=("id", 16),
)
class ActionItemViewSet(ScopedReadViewSet):
    queryset = ActionItem.objects.select_related("organisation", "submission", "owner")
    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
