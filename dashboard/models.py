"""The aggregate store, targets and recompute runs. Pages and the API read only from here."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from councils.models import Organisation
from councils.scoping import ScopedQuerySet


class MetricValue(models.Model):
    """One metric for one organisation (any level, England included), month, profession and
    band group. Parents' parts are sums of their children's parts."""

    # Indexed by the composite indexes below, which start with it. The full recompute on
    # PostgreSQL builds a new table and adds this foreign key once, in bulk (dashboard.compute).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="metric_values", db_index=False
    )
    month = models.DateField(help_text="First day of the calendar month")
    metric = models.CharField(max_length=40, help_text="Code from dashboard.metrics.CATALOGUE")
    profession = models.CharField(
        max_length=40, default="all", help_text='Profession code or "all"'
    )
    band_group = models.CharField(max_length=12, default="all")
    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)
    value = models.FloatField(null=True, help_text="Empty when the denominator is empty")
    people = models.PositiveIntegerField(
        null=True, help_text="People behind the figure (for small-number suppression)"
    )
    suppressed = models.BooleanField(
        default=False,
        help_text="Shown as 'fewer than 5' to anyone without a role at the organisation: rests "
        "on fewer than 5 people, or would let such a figure be recovered from its parent "
        "(secondary suppression, decided at recompute time)",
    )
    providers_reporting = models.PositiveIntegerField(default=0)
    providers_total = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "metric", "profession", "band_group", "month"],
                name="metric_value_key",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "month"]),
            models.Index(fields=["metric", "month"]),
        ]

    def __str__(self):
        return f"{self.metric} {self.organisation_id} {self.month:%Y-%m} {self.profession}"


class Target(models.Model):
    """A chair's target for a metric at their organisation; applies to the subtree below unless
    an organisation below sets its own."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="targets")
    metric = models.CharField(max_length=40)
    value = models.FloatField()
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    set_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "metric"], name="one_target_per_org")
        ]

    def __str__(self):
        return f"{self.metric} target {self.value} at {self.organisation_id}"


class RecomputeRun(models.Model):
    """One recompute of the aggregate store: its scope, timing, rows and outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        INCREMENTAL = "incremental", "After an import"
        FULL = "full", "Full (nightly)"
        ON_DEMAND = "on_demand", "On demand"

    class Scope(models.TextChoices):
        PROVIDERS = "providers", "The providers listed"
        ALL = "all", "Every provider"

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="recompute_runs",
        help_text="The root of what the run covers (England for a full run)",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    scope = models.CharField(
        max_length=10,
        choices=Scope.choices,
        default=Scope.PROVIDERS,
        help_text="Every provider, or only provider_ids (and the organisations above them)",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    provider_ids = models.JSONField(default=list, blank=True)
    months = models.JSONField(default=list, blank=True, help_text="ISO dates; empty = all")
    provider_months = models.JSONField(
        default=dict,
        blank=True,
        help_text="Provider id -> ISO months an import changed; empty: provider_ids x months",
    )
    range_months = models.JSONField(
        default=list,
        blank=True,
        help_text="Months the data's month range gained or lost: every organisation's figures",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True, help_text="e.g. covered by a full run")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} recompute {self.pk} ({self.status})"

    @property
    def covers_every_provider(self) -> bool:
        return self.scope == self.Scope.ALL


class ChangePointQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)


class ChangePoint(models.Model):
    """A chair's change point for a metric at their organisation (PRODUCT.md 3.3): from ``month``
    on, the XmR chart's mean and process limits are recomputed (NHSRplotthedots' rebase). It
    applies to that organisation's charts of the metric (every profession and band group).

    Removing one keeps the row, with who removed it and when, so the record stays."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="change_points"
    )
    metric = models.CharField(max_length=40, help_text="Code from dashboard.metrics.CATALOGUE")
    month = models.DateField(help_text="First day of the month from which new limits start")
    reason = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="change_points_recorded",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="change_points_removed",
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = ChangePointQuerySet.as_manager()

    class Meta:
        ordering = ["month", "recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "metric", "month"],
                condition=models.Q(removed_at__isnull=True),
                name="one_active_change_point_per_month",
            )
        ]
        indexes = [models.Index(fields=["organisation", "metric"])]

    def __str__(self):
        return f"{self.metric} change point {self.month:%Y-%m} at {self.organisation_id}"


def board_report_path(report, filename: str) -> str:
    return f"board-reports/{report.organisation_id}/{report.pk}/{filename}"


class BoardReportFile(models.Model):
    """A board report PDF rendered by a task, kept per organisation, filters (month included)
    and recompute: the data only changes through a recompute, so the same key is the same
    report, and the next download is the stored file. Served only through the board report's
    own view, after its scope check."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="board_report_files", db_index=True
    )
    month = models.DateField(null=True, blank=True)
    query = models.CharField(max_length=500, blank=True, help_text="The filters, as a query")
    recompute_id = models.PositiveIntegerField(
        default=0, help_text="The last recompute run that had finished (0: none yet)"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=board_report_path, max_length=300, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "query", "recompute_id"], name="one_board_report_per_key"
            )
        ]

    def __str__(self):
        return f"Board report {self.organisation_id} {self.query} ({self.status})"
