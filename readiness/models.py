"""Readiness toolkits: versioned templates, cycles, submissions, answers, history and actions.

A template (``code`` + ``version``) is loaded once from ``readiness/seed_data`` and never changed:
a new wording is a new version, with its own sections and questions, so answers given to an older
version keep pointing at the questions they answered.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from councils.fields import user_fk
from councils.models import Organisation
from councils.scoping import ScopedQuerySet


class Template(models.Model):
    code = models.SlugField(max_length=50)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    subtitle = models.CharField(max_length=300, blank=True)
    source = models.TextField(blank=True)
    how_to_use = models.TextField(blank=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_template_version")
        ]

    def __str__(self):
        return f"{self.title} (version {self.version})"


class Section(models.Model):
    """What one level answers: e.g. section 3 employer readiness (providers)."""

    class AnswerPer(models.TextChoices):
        ORGANISATION = "organisation", "Organisation"
        PROFESSION = "profession", "Profession"

    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="sections")
    code = models.SlugField(max_length=50)
    title = models.CharField(max_length=300)
    level = models.CharField(max_length=10)  # councils.models.Level
    intro = models.TextField(blank=True)
    lead_guidance = models.TextField(blank=True)
    answer_per = models.CharField(
        max_length=20, choices=AnswerPer.choices, default=AnswerPer.ORGANISATION
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="one_section_code")
        ]

    def __str__(self):
        return f"{self.template.title}: {self.title}"

    @property
    def per_profession(self):
        return self.answer_per == self.AnswerPer.PROFESSION


class Question(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", "Y/N, response and next steps"
        FREE_TEXT = "free_text", "Free text"

    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="questions")
    group = models.CharField(max_length=200, blank=True)
    number = models.CharField(max_length=10)
    code = models.SlugField(max_length=60, blank=True)
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    guidance = models.TextField(blank=True)
    next_steps_prompts = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["section", "position"]

    def __str__(self):
        return f"Q{self.number}. {self.text}"

    @property
    def prompts(self):
        return [line for line in self.next_steps_prompts.splitlines() if line.strip()]


class Stage(models.TextChoices):
    """The six-step approach of seed 002 (codes and names as in the seed JSON)."""

    START_OUT = "start_out", "Start out"
    DEFINE_AND_SCOPE = "define_and_scope", "Define and scope"
    MEASURE_AND_UNDERSTAND = "measure_and_understand", "Measure and understand"
    DESIGN_AND_PLAN = "design_and_plan", "Design and plan"
    IMPLEMENT = "implement", "Implement"
    HANDOVER_AND_SUSTAIN = "handover_and_sustain", "Handover and sustain"


class Cycle(models.Model):
    """A chair's round of one section, e.g. '2026/27', for organisations in their scope."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="readiness_cycles", db_index=True
    )
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="cycles")
    name = models.CharField(max_length=100)
    due_date = models.DateField()
    prefilled = models.BooleanField(default=False)
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    opened_by = user_fk(models.PROTECT)
    opened_at = models.DateTimeField(default=timezone.now)
    # Closed by a chair: respondents can no longer save or submit (chairs can still review).
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = user_fk(models.PROTECT, null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self):
        return f"{self.name}: {self.section.title}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class CycleEventQuerySet(ScopedQuerySet):
    scope_path_field = "cycle__organisation__path"


class CycleEvent(models.Model):
    """Every closing and reopening of a cycle: who and when."""

    class Action(models.TextChoices):
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = user_fk(models.PROTECT)
    at = models.DateTimeField(default=timezone.now)

    objects = CycleEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned"
    SIGNED_OFF = "signed_off", "Signed off"


EDITABLE = (Status.DRAFT, Status.RETURNED)


class Submission(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="submissions")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="readiness_submissions", db_index=True
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__path"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "organisation"], name="one_submission_per_org")
        ]

    def __str__(self):
        return f"{self.organisation} - {self.cycle}"

    @property
    def editable(self):
        return self.status in EDITABLE and not self.cycle.is_closed


class ReminderSent(models.Model):
    """A due-date reminder sent for a submission: at most one of each kind, ever."""

    class Kind(models.TextChoices):
        WEEK_BEFORE = "week_before", "A week before the due date"
        DUE_TODAY = "due_today", "On the due date"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    due_date = models.DateField(help_text="The cycle's due date the reminder was for")
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "kind", "due_date"], name="one_reminder_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.submission}"


class AnswerQuerySet(ScopedQuerySet):
    scope_path_field = "submission__organisation__path"


def answered_q(prefix=""):
    """Answered: a Y/N chosen for Y/N questions; some text for free-text questions; or marked
    not applicable (state of readiness: a profession the organisation does not employ)."""
    return (
        Q(**{f"{prefix}question__kind": Question.Kind.YES_NO, f"{prefix}yes_no__in": ["Y", "N"]})
        | (
            Q(**{f"{prefix}question__kind": Question.Kind.FREE_TEXT})
            & ~Q(**{f"{prefix}response": ""})
        )
        | Q(**{f"{prefix}not_applicable": True})
    )


class Answer(models.Model):
    """One question's answer (per profession for state of readiness). ``version`` counts saves:
    a save naming an older version than the stored one is a conflict, never a silent overwrite.

    ``not_applicable`` (state of readiness only) says the organisation does not employ the
    profession: it is set on all of the profession's answers at once, counts as answered and is
    shown and exported as "Not applicable". Text typed before is kept, not shown, and comes back
    if the profession is marked applicable again."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    profession = models.ForeignKey(
        "workforce.Profession", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    yes_no = models.CharField(max_length=1, blank=True, choices=[("Y", "Yes"), ("N", "No")])
    response = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    not_applicable = models.BooleanField(default=False)
    # what the answer was pre-filled with from the last signed-off submission (to highlight change)
    prefilled = models.BooleanField(default=False)
    previous_yes_no = models.CharField(max_length=1, blank=True)
    previous_response = models.TextField(blank=True)
    previous_next_steps = models.TextField(blank=True)
    previous_not_applicable = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=0)
    updated_by = user_fk(models.SET_NULL, null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)

    objects = AnswerQuerySet.as_manager()

    FIELDS = ("yes_no", "response", "next_steps")

    class Meta:
        ordering = ["question__position", "profession__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "question", "profession"], name="one_answer_per_question"
            ),
            models.UniqueConstraint(
                fields=["submission", "question"],
                condition=Q(profession__isnull=True),
                name="one_answer_per_question_without_profession",
            ),
        ]

    def __str__(self):
        suffix = f" ({self.profession})" if self.profession_id else ""
        return f"Answer to Q{self.question.number}{suffix}"

    @property
    def answered(self):
        if self.not_applicable:
            return True
        if self.question.kind == Question.Kind.YES_NO:
            return self.yes_no in ("Y", "N")
        return bool(self.response.strip())

    @property
    def changed_since_prefill(self):
        return self.prefilled and (
            self.yes_no != self.previous_yes_no
            or self.response != self.previous_response
            or self.next_steps != self.previous_next_steps
            or self.not_applicable != self.previous_not_applicable
        )


class TransitionQuerySet(ScopedQuerySet):
    scope_path_field = "submission__organisation__path"


class Transition(models.Model):
    """Every change of a submission's status: who, when, and the comment."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        RESUBMITTED = "resubmitted", "Resubmitted"
        RETURNED = "returned", "Returned"
        SIGNED_OFF = "signed_off", "Signed off"
        REOPENED = "reopened", "Reopened"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=12, choices=Action.choices)
    from_status = models.CharField(max_length=12, choices=Status.choices)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    actor = user_fk(models.PROTECT)
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)

    objects = TransitionQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.actor} at {self.at:%Y-%m-%d %H:%M}"


class ActionItem(models.Model):
    """One action of an organisation's action plan, from a next step of a signed-off answer."""

    class State(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="readiness_actions", db_index=True
    )
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="actions")
    answer = models.OneToOneField(
        Answer, on_delete=models.SET_NULL, null=True, blank=True, related_name="action"
    )
    description = models.TextField()
    owner = user_fk(models.SET_NULL, null=True, blank=True)
    owner_name = models.CharField(max_length=200, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=State.choices, default=State.NOT_STARTED)
    stage = models.CharField(max_length=30, choices=Stage.choices, default=Stage.START_OUT)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]

    def __str__(self):
        return self.description[:80]

    @property
    def overdue(self):
        return (
            self.due_date is not None
            and self.status != self.State.DONE
            and self.due_date < timezone.localdate()
        )

    @property
    def owner_display(self):
        if self.owner_id:
            return self.owner.get_full_name() or self.owner.email
        return self.owner_name
