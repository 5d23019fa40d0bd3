"""Council governance at work (PRODUCT.md section 8): a body's meetings with their agenda,
papers, minutes, decisions and actions; escalations from an ICS council to its regional board;
an ICS faculty's funded programmes of work with their quarterly reports to the council.

Everything belongs to a body (``councils.models.Body``), so its scope runs through the body to
the body's organisation path (``scope_path_field``). Imported into :mod:`delivery.models`.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from councils.fields import user_fk
from councils.models import Body
from councils.scoping import ScopedQuerySet

from .quarters import QUARTER_RE


class BodyScoped(ScopedQuerySet):
    scope_path_field = "body__organisation__path"


class MeetingScoped(ScopedQuerySet):
    scope_path_field = "meeting__body__organisation__path"


class ProgrammeScoped(ScopedQuerySet):
    scope_path_field = "programme__body__organisation__path"


class EscalationScoped(ScopedQuerySet):
    # The escalating council's organisation: its own people and the region above both cover it.
    scope_path_field = "from_meeting__body__organisation__path"


class PaperStorage(FileSystemStorage):
    """Meeting papers' storage: a directory of its own (``MEETING_PAPERS_ROOT``, outside
    MEDIA_ROOT and STATIC_ROOT) with no URL, so a paper can only be read through the download
    view, after its scope check. The directory is read from settings on each use."""

    @property
    def base_location(self):
        return settings.MEETING_PAPERS_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


def paper_storage():
    return PaperStorage()


def _paper_path(paper, filename: str) -> str:
    return f"{paper.meeting.body.organisation_id}/{paper.meeting_id}/{filename}"


class Meeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True, help_text="A room and building")
    online_link = models.URLField(blank=True, help_text="A link to join online")
    minutes = models.TextField(blank=True)
    minutes_updated_at = models.DateTimeField(null=True, blank=True)
    created_by = user_fk(models.SET_NULL, null=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = BodyScoped.as_manager()

    class Meta:
        ordering = ["body", "-starts_at"]
        indexes = [models.Index(fields=["body", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.starts_at:%d %b %Y})"

    @property
    def is_past(self) -> bool:
        return self.starts_at < timezone.now()


class AgendaItem(models.Model):
    """One item of a meeting's agenda, in order, optionally linked to what it discusses."""

    class Link(models.TextChoices):
        NONE = "", "Nothing"
        METRIC = "metric", "A dashboard metric"
        EXCEPTION = "exception", "An exception from the board report"
        CYCLE = "cycle", "A readiness cycle"
        ACTION = "action", "A delivery plan action"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    presenter = models.CharField(max_length=150, blank=True)
    link = models.CharField(max_length=10, choices=Link.choices, blank=True)
    metric = models.CharField(max_length=40, blank=True, help_text="Metric or exception's metric")
    exception_reason = models.CharField(
        max_length=200, blank=True, help_text="Why the metric was an exception when it was added"
    )
    cycle = models.ForeignKey(
        "readiness.Cycle", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delivery_action = models.ForeignKey(
        "delivery.Action", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = MeetingScoped.as_manager()

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="one_item_per_position")
        ]

    def __str__(self):
        return f"{self.position}. {self.title}"


class Paper(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="papers")
    item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="papers"
    )
    title = models.CharField(max_length=200)
    file = models.FileField(storage=paper_storage, upload_to=_paper_path, max_length=300)
    filename = models.CharField(max_length=200, help_text="The name it was uploaded with")
    kind = models.CharField(max_length=4, help_text="pdf, docx or xlsx (checked on upload)")
    size = models.PositiveIntegerField()
    uploaded_by = user_fk(models.SET_NULL, null=True)
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = MeetingScoped.as_manager()

    class Meta:
        ordering = ["meeting", "uploaded_at", "pk"]

    def __str__(self):
        return self.title


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    text = models.TextField()
    decided_on = models.DateField()
    recorded_by = user_fk(models.SET_NULL, null=True)

    objects = MeetingScoped.as_manager()

    class Meta:
        ordering = ["meeting", "decided_on", "pk"]

    def __str__(self):
        return self.text[:80]


class MeetingAction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="actions"
    )
    description = models.TextField()
    owner = user_fk(models.PROTECT, related_name="meeting_actions")
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MeetingScoped.as_manager()

    class Meta:
        ordering = ["meeting", "due_date", "pk"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self):
        return self.description[:80]

    @property
    def status_tag(self) -> str:
        return {"open": "blue", "in_progress": "yellow", "done": "green"}.get(self.status, "grey")


class Escalation(models.Model):
    """An agenda item or action that an ICS council escalated to its region's board: placed on
    the board's next meeting (``target_item``), or waiting until the board schedules one."""

    from_meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="escalations")
    from_item = models.ForeignKey(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="escalations"
    )
    from_action = models.ForeignKey(
        MeetingAction, on_delete=models.SET_NULL, null=True, blank=True, related_name="escalations"
    )
    to_body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="escalations_received")
    summary = models.TextField(help_text="What the board is asked to consider, and why")
    escalated_by = user_fk(models.SET_NULL, null=True)
    escalated_at = models.DateTimeField(default=timezone.now)
    target_item = models.OneToOneField(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="escalation"
    )
    outcome = models.TextField(blank=True)
    outcome_by = user_fk(models.SET_NULL, null=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    objects = EscalationScoped.as_manager()

    class Meta:
        ordering = ["-escalated_at", "-pk"]

    def __str__(self):
        return f"Escalation to {self.to_body}: {self.summary[:60]}"


class FacultyProgramme(models.Model):
    """A funded programme of work of an ICS AHP faculty."""

    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="programmes")
    title = models.CharField(max_length=200)
    lead = user_fk(models.PROTECT, related_name="led_programmes")
    funding = models.DecimalField(max_digits=12, decimal_places=2, help_text="Pounds")
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=300, help_text="Where the programme stands, in words")
    updated_at = models.DateTimeField(auto_now=True)

    objects = BodyScoped.as_manager()

    class Meta:
        ordering = ["body", "start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="programme_ends_after_start",
            )
        ]

    def __str__(self):
        return self.title


class Milestone(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        MISSED = "missed", "Missed"

    programme = models.ForeignKey(
        FacultyProgramme, on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField(max_length=200)
    due_date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)

    objects = ProgrammeScoped.as_manager()

    class Meta:
        ordering = ["programme", "due_date", "pk"]

    def __str__(self):
        return self.title

    @property
    def status_tag(self) -> str:
        return {"in_progress": "yellow", "done": "green", "missed": "red"}.get(self.status, "grey")


class QuarterlyReport(models.Model):
    """A programme's report for one quarter, for the ICS council's next meeting."""

    programme = models.ForeignKey(
        FacultyProgramme, on_delete=models.CASCADE, related_name="reports"
    )
    quarter = models.CharField(
        max_length=10,
        validators=[RegexValidator(QUARTER_RE, "Write the quarter like 2026/27 Q3.")],
    )
    text = models.TextField()
    submitted_by = user_fk(models.SET_NULL, null=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    target_item = models.OneToOneField(
        AgendaItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="report"
    )

    objects = ProgrammeScoped.as_manager()

    class Meta:
        ordering = ["programme", "-quarter", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "quarter"], name="one_report_per_quarter")
        ]

    def __str__(self):
        return f"{self.programme} {self.quarter}"
