"""Workforce records: the seven datasets providers upload, professions and bands.

Pseudonymous staff ids only: no names, NHS numbers or dates of birth are stored. Every dataset row
belongs to a provider (``provider`` FK, indexed, PROTECT) and has a natural key, so re-importing a
file updates rows instead of duplicating them.
"""

from django.db import models

from councils.models import Organisation
from councils.scoping import ScopedQuerySet


class Band(models.TextChoices):
    B2 = "2", "Band 2"
    B3 = "3", "Band 3"
    B4 = "4", "Band 4"
    B5 = "5", "Band 5"
    B6 = "6", "Band 6"
    B7 = "7", "Band 7"
    B8A = "8a", "Band 8a"
    B8B = "8b", "Band 8b"
    B8C = "8c", "Band 8c"
    B8D = "8d", "Band 8d"
    B9 = "9", "Band 9"


SUPPORT_BANDS = ("2", "3", "4")  # the AHP support workforce (seed 002)
REGISTERED_BANDS = ("5", "6", "7", "8a", "8b", "8c", "8d", "9")
SENIOR_BANDS = ("8a", "8b", "8c", "8d", "9")


class Profession(models.Model):
    """The 14 allied health professions of seed 001; radiographers split diagnostic/therapeutic."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    small_and_vulnerable = models.BooleanField(
        default=False, help_text="Seed 004: therapeutic radiography, P&O, orthoptics, podiatry"
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


class ProviderQuerySet(ScopedQuerySet):
    scope_path_field = "provider__path"


class Contract(models.TextChoices):
    PERMANENT = "permanent", "Permanent"
    FIXED_TERM = "fixed_term", "Fixed term"
    BANK = "bank", "Bank"


class EthnicGroup(models.TextChoices):
    WHITE = "white", "White"
    ETHNIC_MINORITY = "ethnic_minority", "Ethnic minority"
    NOT_STATED = "not_stated", "Not stated"


class Disability(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_STATED = "not_stated", "Not stated"


class AgeBand(models.TextChoices):
    UNDER_25 = "under_25", "Under 25"
    A25_34 = "25_34", "25 to 34"
    A35_44 = "35_44", "35 to 44"
    A45_54 = "45_54", "45 to 54"
    A55_64 = "55_64", "55 to 64"
    A65_PLUS = "65_plus", "65 and over"
    NOT_STATED = "not_stated", "Not stated"


AGED_55_PLUS = ("55_64", "65_plus")  # retirement risk (seed 004)


class Sex(models.TextChoices):
    """As ESR records it (female or male), with "not stated" for a blank in the extract."""

    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NOT_STATED = "not_stated", "Not stated"


class ApprenticeshipLevel(models.TextChoices):
    """Apprenticeship levels 2 to 7 (seed 002 Q8). T-levels are full-time study, not
    employment: T-level students on placement are not staff, so they are not a level here."""

    L2 = "2", "Level 2"
    L3 = "3", "Level 3"
    L4 = "4", "Level 4"
    L5 = "5", "Level 5"
    L6 = "6", "Level 6 (degree)"
    L7 = "7", "Level 7 (master's)"


class QualificationLevel(models.TextChoices):
    """Highest formal qualification, on the Regulated Qualifications Framework (0-8)."""

    L0 = "0", "Entry level or none"
    L1 = "1", "Level 1"
    L2 = "2", "Level 2"
    L3 = "3", "Level 3"
    L4 = "4", "Level 4"
    L5 = "5", "Level 5"
    L6 = "6", "Level 6"
    L7 = "7", "Level 7"
    L8 = "8", "Level 8"
    NOT_STATED = "not_stated", "Not stated"


class ProviderRecord(models.Model):
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    objects = ProviderQuerySet.as_manager()

    class Meta:
        abstract = True


class Staff(ProviderRecord):
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="staff")
    staff_id = models.CharField(max_length=64, help_text="Pseudonymous id, unique per provider")
    profession = models.ForeignKey(Profession, on_delete=models.PROTECT)
    band = models.CharField(max_length=2, choices=Band.choices)
    fte = models.DecimalField(max_digits=4, decimal_places=2)
    contract = models.CharField(max_length=10, choices=Contract.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    leaving_reason = models.CharField(max_length=100, blank=True)
    ethnic_group = models.CharField(max_length=20, choices=EthnicGroup.choices)
    disability = models.CharField(max_length=10, choices=Disability.choices)
    apprentice = models.BooleanField(default=False)
    advanced_practice = models.BooleanField(default=False)
    return_to_practice = models.BooleanField(default=False)
    job_plan = models.BooleanField(default=False)
    e_rostered = models.BooleanField(default=False)
    # Optional columns (issue 19): not in older files, so "not stated" / empty by default.
    age_band = models.CharField(max_length=10, choices=AgeBand.choices, default=AgeBand.NOT_STATED)
    sex = models.CharField(max_length=10, choices=Sex.choices, default=Sex.NOT_STATED)
    apprenticeship_level = models.CharField(
        max_length=1, choices=ApprenticeshipLevel.choices, blank=True, default=""
    )
    qualification_level = models.CharField(
        max_length=10, choices=QualificationLevel.choices, default=QualificationLevel.NOT_STATED
    )
    dcc_sessions = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Job-planned direct clinical care sessions a week",
    )

    class Meta:
        verbose_name_plural = "staff"
        constraints = [
            models.UniqueConstraint(fields=["provider", "staff_id"], name="staff_key"),
        ]
        indexes = [models.Index(fields=["provider", "start_date", "end_date"])]

    def __str__(self):
        return f"{self.provider_id}/{self.staff_id}"


def monthly_indexes(prefix: str) -> list[models.Index]:
    """A large monthly dataset's indexes: by provider and month (imports, a provider's pages), and
    by month alone (the recompute's month range, MIN / MAX, and its one-month statements)."""
    return [
        models.Index(fields=["provider", "month"]),
        models.Index(fields=["month"], name=f"{prefix}_month"),
    ]


class StaffMonth(ProviderRecord):
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="months")
    month = models.DateField(help_text="First day of the calendar month")
    sickness_days_lost = models.DecimalField(max_digits=6, decimal_places=2)
    days_available = models.DecimalField(max_digits=6, decimal_places=2)
    appraised_12m = models.BooleanField()
    mandatory_training_pct = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["staff", "month"], name="staff_month_key"),
        ]
        indexes = monthly_indexes("staff_month")

    def __str__(self):
        return f"{self.staff_id} {self.month:%Y-%m}"


class Establishment(ProviderRecord):
    profession = models.ForeignKey(Profession, on_delete=models.PROTECT)
    band = models.CharField(max_length=2, choices=Band.choices)
    month = models.DateField()
    funded_fte = models.DecimalField(max_digits=8, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "profession", "band", "month"], name="establishment_key"
            ),
        ]
        indexes = monthly_indexes("establishment")

    def __str__(self):
        return f"{self.provider_id} {self.profession_id} band {self.band} {self.month:%Y-%m}"


class ProfessionMonthRecord(ProviderRecord):
    """A provider's figures for one profession and month: one row each (``<model>_key``)."""

    profession = models.ForeignKey(Profession, on_delete=models.PROTECT)
    month = models.DateField()

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "profession", "month"], name="%(class)s_key"
            ),
        ]
        indexes = [models.Index(fields=["provider", "month"])]

    def __str__(self):
        return f"{self.provider_id} {self.profession_id} {self.month:%Y-%m}"


class Activity(ProfessionMonthRecord):
    contacts = models.PositiveIntegerField()
    clinical_hours = models.DecimalField(max_digits=10, decimal_places=2)
    dna = models.PositiveIntegerField()
    waiting_total = models.PositiveIntegerField()
    waiting_over_18w = models.PositiveIntegerField()
    fft_responses = models.PositiveIntegerField()
    fft_positive = models.PositiveIntegerField()
    prom_completed = models.PositiveIntegerField()
    prom_improved = models.PositiveIntegerField()

    class Meta(ProfessionMonthRecord.Meta):
        verbose_name_plural = "activity"


class Spend(ProviderRecord):
    month = models.DateField()
    pay_bill = models.DecimalField(max_digits=14, decimal_places=2)
    bank_spend = models.DecimalField(max_digits=14, decimal_places=2)
    agency_spend = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        verbose_name_plural = "spend"
        constraints = [models.UniqueConstraint(fields=["provider", "month"], name="spend_key")]

    def __str__(self):
        return f"{self.provider_id} {self.month:%Y-%m}"


class StaffSurvey(ProviderRecord):
    year = models.PositiveSmallIntegerField()
    respondents = models.PositiveIntegerField()
    engagement_score = models.DecimalField(max_digits=4, decimal_places=2)
    recommend_workplace = models.PositiveIntegerField(help_text="Respondents agreeing")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "year"], name="staff_survey_key"),
        ]

    def __str__(self):
        return f"{self.provider_id} {self.year}"


class Placement(ProfessionMonthRecord):
    """Student clinical placements a provider offered, was asked for and filled, by profession
    and quarter. ``month`` is the quarter's first month (January, April, July or October)."""

    month = models.DateField(help_text="First day of the quarter's first month")
    offered = models.PositiveIntegerField()
    requested = models.PositiveIntegerField()
    filled = models.PositiveIntegerField()


def import_file_path(run, filename):
    return f"imports/{run.pk}/{filename}"


class ImportRun(models.Model):
    """One upload of one dataset file: who, when, which file (SHA-256), counts, outcome, errors.

    ``organisation`` is the organisation the upload was made for (a provider or higher, inside
    the uploader's ``import`` scope); every row of the file must be for a provider below it.
    """

    class Status(models.TextChoices):
        VALIDATED = "validated", "Validated, not yet imported"
        QUEUED = "queued", "Queued to import"
        IMPORTING = "importing", "Importing"
        REJECTED = "rejected", "Rejected"
        COMMITTED = "committed", "Imported"
        FAILED = "failed", "Failed"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="import_runs"
    )
    dataset = models.CharField(max_length=20)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField(default=0)
    stored_file = models.FileField(upload_to=import_file_path, max_length=300, blank=True)
    errors_file = models.FileField(upload_to=import_file_path, max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        "councils.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    rows_total = models.PositiveIntegerField(default=0)
    rows_added = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="First 1,000: row, column, reason"
    )
    touched = models.JSONField(default=dict, blank=True, help_text="provider_ids, months")
    committed_at = models.DateTimeField(null=True, blank=True)
    committed_by = models.ForeignKey(
        "councils.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Progress of a queued commit (the worker writes these; the run page refreshes to show them)
    rows_validated = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    recompute = models.ForeignKey(
        "dashboard.RecomputeRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The dashboard recompute the commit asked for",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]

    def __str__(self):
        return f"{self.dataset} import {self.file_name} ({self.get_status_display()})"

    @property
    def dataset_label(self) -> str:
        """The dataset's name as users read it ("Staff by month"), not its code (staff_month)."""
        from .datasets import DATASETS  # datasets.py imports this module

        return DATASETS[self.dataset].label if self.dataset in DATASETS else self.dataset

    @property
    def status_colour(self) -> str:
        """NHS.UK tag colour; the status is always shown in words too."""
        return {
            self.Status.VALIDATED: "blue",
            self.Status.QUEUED: "grey",
            self.Status.IMPORTING: "yellow",
            self.Status.REJECTED: "red",
            self.Status.COMMITTED: "green",
            self.Status.FAILED: "orange",
        }.get(self.status, "grey")

    @property
    def is_preview(self) -> bool:
        return self.status == self.Status.VALIDATED

    @property
    def in_progress(self) -> bool:
        """Queued or importing, or imported with its dashboard recompute still to finish."""
        if self.status in (self.Status.QUEUED, self.Status.IMPORTING):
            return True
        return (
            self.status == self.Status.COMMITTED
            and self.recompute_id is not None
            and self.recompute.status in ("pending", "running")
        )


class ImportRunProviderQuerySet(ScopedQuerySet):
    scope_path_field = "provider__path"


class ImportRunProvider(models.Model):
    """One provider's share of a committed run: the rows of the file that were for it.

    Written in the commit's transaction, one row per provider in the file, so that a provider's
    (or a place's) history can list a run uploaded for an organisation above it (an ICS-wide
    file) with that provider's own counts, and nothing of the other providers' rows.
    """

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="provider_counts")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    rows_added = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)

    objects = ImportRunProviderQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "provider"], name="import_run_provider_key"),
        ]

    def __str__(self):
        return f"run {self.run_id} / provider {self.provider_id}"

    @property
    def rows_total(self) -> int:
        return self.rows_added + self.rows_updated + self.rows_unchanged


class ImportCorrection(models.Model):
    """A stored row that a committed import changed: its key, and the fields that changed with
    their old and new values. Who and when are the run's (``committed_by``, ``committed_at``).
    Written in the commit's transaction (:mod:`workforce.corrections`); shown to data managers on
    the run's page, never in the API."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="corrections")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    row_key = models.JSONField(help_text="The row's key fields and values (e.g. staff_id)")
    old = models.JSONField(help_text="Changed fields: their values before the import")
    new = models.JSONField(help_text="Changed fields: their values after it")

    objects = ImportRunProviderQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["run", "provider"], name="import_correction_run")]

    def __str__(self):
        return f"run {self.run_id} correction {self.row_key}"
