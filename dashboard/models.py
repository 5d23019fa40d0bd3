"""The aggregate store, targets and recompute runs. Pages and the API read only from here."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from councils.fields import user_fk
from councils.models import Organisation
from councils.scoping import ScopedQuerySet


class Figures(models.Model):
    """The fields of a stored figure (the store's and the "as it was" view's tables)."""

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

    class Meta:
        abstract = True


class MetricValue(Figures):
    """One metric for one organisation (any level, England included), month, profession and
    band group, on today's structure (PRODUCT.md 7). Parents' parts are sums of their
    children's parts."""

    # Indexed by the composite indexes below, which start with it. The full recompute on
    # PostgreSQL builds a new table and adds this foreign key once, in bulk (dashboard.compute).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="metric_values", db_index=False
    )

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
            # the API's cursor pages (ordered by id) of one organisation: a range of this
            # index wherever the organisation's rows sit in the table
            models.Index(fields=["organisation", "id"], name="metric_value_org_id"),
        ]

    def __str__(self):
        return f"{self.metric} {self.organisation_id} {self.month:%Y-%m} {self.profession}"


class AsItWasValue(Figures):
    """A figure "as it was" (PRODUCT.md 7): an organisation's month under the structure of that
    month, kept only where it differs from today's (the months of :class:`AsItWasScope`);
    everywhere else the view reads :class:`MetricValue`. Written whole by every recompute
    (:mod:`dashboard.as_it_was`)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "metric", "profession", "band_group", "month"],
                name="as_it_was_value_key",
            )
        ]
        indexes = [models.Index(fields=["organisation", "month"])]

    def __str__(self):
        return f"{self.metric} {self.organisation_id} {self.month:%Y-%m} as it was"


class AsItWasScope(models.Model):
    """An organisation's month whose figures under that month's structure differ from today's
    (its providers, or how many there were): the "as it was" view reads its figures from
    :class:`AsItWasValue` (none where the organisation did not exist yet)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    month = models.DateField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="as_it_was_scope_key")
        ]

    def __str__(self):
        return f"{self.organisation_id} {self.month:%Y-%m} differs as it was"


class AsItWasFigure(Figures):
    """Every figure as it was, for the API (read-only; a database view, migration 0018): the
    store's figures, from the open versions of the figure history, where today's structure and
    the month's agree, and :class:`AsItWasValue` where they differ. Ids are the version's, and
    minus the figure's as it was, so they never collide."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "dashboard_asitwasfigure"

    def __str__(self):
        return f"{self.metric} {self.organisation_id} {self.month:%Y-%m} as it was"


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
    sources = models.JSONField(
        default=list,
        blank=True,
        help_text="Upload datasets whose rows the import changed (staff, activity ...); empty: all",
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
    # The lease (dashboard/leases.py): a worker claims the run by raising ``attempts`` (its token)
    # and renews ``heartbeat_at`` while it works; a run whose heartbeat is older than the lease
    # was lost with its worker or its database connection and is taken over.
    attempts = models.PositiveSmallIntegerField(default=0, help_text="Claims so far")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text="A failed attempt is tried again from then"
    )
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="When a message for the run last went to the broker"
    )

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
    recorded_by = user_fk(models.SET_NULL, null=True, related_name="change_points_recorded")
    recorded_at = models.DateTimeField(auto_now_add=True)
    removed_by = user_fk(
        models.SET_NULL, null=True, blank=True, related_name="change_points_removed"
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


class SnapshotQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = "view"):
        """Snapshots of runs in the user's scope (its own imports and on-demand runs) and of
        England's (the nightly full run). A sibling's run is not listed."""
        from councils.scoping import scope_q

        return self.filter(
            scope_q(user, action, "organisation__path") | models.Q(organisation__depth=1)
        )


class Snapshot(models.Model):
    """One committed recompute of the aggregate store, numbered in commit order. The figures as
    they stood at snapshot N are the versions (:class:`MetricValueVersion`) valid at N."""

    committed_at = models.DateTimeField(db_index=True)
    run = models.OneToOneField(
        RecomputeRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="snapshot",
        help_text="The recompute run that wrote it (empty for a capture outside a run)",
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="snapshots",
        help_text="The root of what the run covered (England for a full run)",
    )
    opened = models.PositiveIntegerField(default=0, help_text="Figure versions it added")
    closed = models.PositiveIntegerField(default=0, help_text="Figure versions it ended")
    pruned_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its figures were pruned (older than the retention period)",
    )

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"Snapshot {self.pk} ({self.committed_at:%Y-%m-%d %H:%M})"


class MetricValueVersion(models.Model):
    """A figure of the store over the snapshots it stood in: from ``valid_from`` up to (not
    including) ``valid_to``; ``valid_to`` is empty while it is the store's figure. Only changed
    figures get a new version, so the history grows with what changes, not with the store."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="metric_value_versions",
        db_index=False,  # version_org_id leads with it
    )
    month = models.DateField()
    metric = models.CharField(max_length=40)
    profession = models.CharField(max_length=40, default="all")
    band_group = models.CharField(max_length=12, default="all")
    numerator = models.FloatField(null=True)
    denominator = models.FloatField(null=True)
    value = models.FloatField(null=True)
    people = models.PositiveIntegerField(null=True)
    suppressed = models.BooleanField(default=False)
    providers_reporting = models.PositiveIntegerField(default=0)
    providers_total = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(help_text="When the recompute that wrote this version ran")
    valid_from = models.ForeignKey(Snapshot, on_delete=models.PROTECT, related_name="+")
    valid_to = models.ForeignKey(
        Snapshot, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "metric", "profession", "band_group", "month"],
                condition=models.Q(valid_to__isnull=True),
                name="one_open_version_per_figure",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "month"], name="version_org_month"),
            # the API's cursor pages of one organisation's figures (ordered by id): at England
            # scale the last provider's pages took up to 387 ms without it
            models.Index(fields=["organisation", "id"], name="version_org_id"),
        ]

    def __str__(self):
        return f"{self.metric} {self.organisation_id} {self.month:%Y-%m} from {self.valid_from_id}"


class PeerStat(models.Model):
    """Peer benchmarking (PRODUCT.md 9, the Model Hospital manner): the distribution of one
    metric's provider figures (all professions, all bands) over every provider of one type in
    England, for one month. Written by the recompute with the figures (``dashboard.peers``);
    figures hidden by small-number suppression are left out, and no provider's value is kept."""

    provider_type = models.CharField(max_length=20)
    metric = models.CharField(max_length=40)
    month = models.DateField()
    profession = models.CharField(max_length=40, default="all")
    band_group = models.CharField(max_length=12, default="all")
    count = models.PositiveIntegerField(help_text="Providers of the type with a figure shown")
    minimum = models.FloatField()
    lower_quartile = models.FloatField()
    median = models.FloatField()
    upper_quartile = models.FloatField()
    maximum = models.FloatField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider_type", "metric", "profession", "band_group", "month"],
                name="peer_stat_key",
            )
        ]

    def __str__(self):
        return f"{self.metric} peers {self.provider_type} {self.month:%Y-%m}"


class PeerPosition(models.Model):
    """A provider's place among its peers (:class:`PeerStat`) for one metric and month: its rank
    from the lowest value (1 = lowest; ties share the lower rank) and its quarter of the
    distribution (1 = at or below the lower quartile ... 4 = above the upper quartile)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="peer_positions"
    )
    metric = models.CharField(max_length=40)
    month = models.DateField()
    rank = models.PositiveIntegerField()
    quarter = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "metric", "month"], name="peer_position_key"
            )
        ]

    def __str__(self):
        return f"{self.metric} peer rank {self.rank} of {self.organisation_id} {self.month:%Y-%m}"
