"""A council's delivery plan: themes, actions, measures of success and quarterly progress updates.

One plan per ICS AHP council and per regional AHP board, belonging to that organisation. Themes,
actions, measures and updates belong to the plan, so their scope runs through it to the
organisation's path (``scope_path_field``).
"""

from django.core.validators import RegexValidator
from django.db import models

from councils.fields import user_fk
from councils.models import Organisation
from councils.scoping import ScopedQuerySet
from dashboard.metrics import CATALOGUE

from .quarters import QUARTER_RE

PLAN_LEVELS = ("ics", "region")
METRIC_CHOICES = [(m.code, m.name) for m in CATALOGUE]


class ThemeQuerySet(ScopedQuerySet):
    scope_path_field = "plan__organisation__path"


class ActionQuerySet(ScopedQuerySet):
    scope_path_field = "theme__plan__organisation__path"


class ActionChildQuerySet(ScopedQuerySet):
    scope_path_field = "action__theme__plan__organisation__path"


class DeliveryPlan(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="delivery_plans"
    )
    title = models.CharField(max_length=200)
    source = models.CharField(
        max_length=100, blank=True, help_text="Where the content was seeded from, if anywhere"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="one_delivery_plan_per_org")
        ]

    def __str__(self):
        return f"{self.title} ({self.organisation.code})"


class Theme(models.Model):
    plan = models.ForeignKey(DeliveryPlan, on_delete=models.CASCADE, related_name="themes")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=200)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="one_theme_number_per_plan")
        ]

    def __str__(self):
        return f"{self.number}. {self.name}"


class Action(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="actions")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    owner_user = user_fk(
        models.SET_NULL, null=True, blank=True, related_name="owned_delivery_actions"
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_delivery_actions",
    )
    start_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    seed_ref = models.CharField(
        max_length=20, blank=True, help_text='Place in the seed, e.g. "1.3" (theme 1, action 3)'
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["theme__number", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(due_date__gte=models.F("start_date")),
                name="action_due_not_before_start",
            )
        ]

    def __str__(self):
        return self.text

    @property
    def reference(self) -> str:
        return f"{self.theme.number}.{self.position}"

    @property
    def owner_display(self) -> str:
        parts = []
        if self.owner_user_id:
            parts.append(self.owner_user.get_full_name())
        if self.owner_organisation_id:
            parts.append(self.owner_organisation.name)
        return ", ".join(parts)


class MeasureOfSuccess(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="measures")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    metric = models.CharField(
        max_length=40,
        blank=True,
        choices=METRIC_CHOICES,
        help_text="A Quality Dashboard metric that shows this measure live",
    )
    target = models.FloatField(null=True, blank=True)
    seed_ref = models.CharField(max_length=20, blank=True)

    objects = ActionChildQuerySet.as_manager()

    class Meta:
        ordering = ["action", "position", "pk"]
        verbose_name_plural = "measures of success"

    def __str__(self):
        return self.text


class Status(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    COMPLETE = "complete", "Complete"


# NHS.UK tag colour for each status; the tag always carries the status in words.
STATUS_TAG = {
    Status.ON_TRACK: "green",
    Status.AT_RISK: "yellow",
    Status.OFF_TRACK: "red",
    Status.COMPLETE: "blue",
}


class ProgressUpdate(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    quarter = models.CharField(
        max_length=10,
        validators=[RegexValidator(QUARTER_RE, "Write the quarter like 2026/27 Q3.")],
        help_text="Financial year and quarter, e.g. 2026/27 Q3",
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    narrative = models.TextField()
    author = user_fk(models.SET_NULL, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ActionChildQuerySet.as_manager()

    class Meta:
        ordering = ["action", "quarter", "created_at", "pk"]
        indexes = [models.Index(fields=["action", "quarter"])]

    def __str__(self):
        return f"{self.quarter} {self.get_status_display()}: {self.action}"

    @property
    def tag_colour(self) -> str:
        return STATUS_TAG[self.status]


# Council governance at work: meetings, escalations, faculty programmes. Their module of its own
# is imported here so that Django registers its models with the app; import them from there.
from . import meeting_models  # noqa: E402, F401
