"""The seven datasets providers upload: their columns, keys and the rule for every cell.

This is the single description of the file formats: the importer validates against it, the
templates (CSV and XLSX) and the guidance page are generated from it. Column order here is the
template's column order; files may order columns freely.

Choices made where the product spec leaves room (documented on the guidance page too):

- ``fte`` is greater than 0 and at most 1.5, with at most 2 decimal places (1.0 is full time;
  up to 1.5 allows for additional contracted hours across a single assignment).
- Dates are ISO ``YYYY-MM-DD``. A month is ``YYYY-MM`` or the first day of the month
  (``YYYY-MM-01``) and may not be later than the current month.
- Flags are ``Y`` or ``N`` (``Yes``/``No`` and any case are accepted).
- Choice values (contract, ethnic group, disability, profession codes, bands) are case-insensitive;
  a band may be written ``Band 5``.
- A quarter (placements) is its first month, ``YYYY-MM``: January, April, July or October.
  Calendar months, so it reads the same for calendar and financial quarters.
- The staff columns ``age_band``, ``sex``, ``apprenticeship_level``, ``qualification_level`` and
  ``dcc_sessions`` are optional (files made before they existed import unchanged); a left-out
  column or a blank cell is recorded as not stated (empty for the level and the sessions), also
  when the person was stored with a value before.
- ``dcc_sessions`` needs ``job_plan`` Y and is at most 10 sessions per whole-time equivalent;
  ``apprenticeship_level`` needs ``apprentice`` Y. T-levels are not an apprenticeship level (T-level
  students are not employed staff).
- ``staff_id`` is pseudonymous: a 10-digit number is refused because it looks like an NHS number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from .cells import BANDS, CellError, make_parser, parse_date, parse_month, parse_quarter
from .models import (
    Activity,
    AgeBand,
    ApprenticeshipLevel,
    Contract,
    Disability,
    Establishment,
    EthnicGroup,
    Placement,
    QualificationLevel,
    Sex,
    Spend,
    Staff,
    StaffMonth,
    StaffSurvey,
)

__all__ = ["CellError", "make_parser", "parse_date", "parse_month", "parse_quarter"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # provider, staff_id, text, profession, band, choice, decimal, int, date, month,
    # year, flag
    help: str
    example: str
    field: str = ""  # model attname; defaults to the column name
    required: bool = True  # must be present in the header
    blank_ok: bool = False  # the cell may be empty
    choices: tuple = ()
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    above_minimum: bool = False  # strictly greater than minimum
    places: int = 2
    max_length: int = 64
    default: object = None  # the value of a blank cell or a left-out column (None: none)

    @property
    def attname(self) -> str:
        return self.field or self.name

    def allowed(self, professions: list[str] | None = None) -> str:
        """Allowed values in words, for the templates and guidance."""
        if self.kind == "provider":
            return "ODS code of a provider you import for"
        if self.kind == "staff_id":
            return "Pseudonymous id, up to 64 characters (no names or NHS numbers)"
        if self.kind == "profession":
            return ", ".join(professions or [])
        if self.kind == "band":
            return ", ".join(BANDS)
        if self.kind == "choice":
            return ", ".join(self.choices) + (", or blank" if self.blank_ok else "")
        if self.kind == "flag":
            return "Y or N"
        if self.kind == "date":
            return "Date as YYYY-MM-DD" + (", or blank" if self.blank_ok else "")
        if self.kind == "month":
            return "YYYY-MM (or the first day of the month, YYYY-MM-01)"
        if self.kind == "quarter":
            return (
                "The quarter's first month as YYYY-MM: January, April, July or October "
                "(2026-04 is April to June 2026)"
            )
        if self.kind == "year":
            return "Four-digit year"
        if self.kind == "int":
            return "Whole number, 0 or more"
        if self.kind == "decimal":
            low = f"more than {self.minimum}" if self.above_minimum else f"{self.minimum} or more"
            high = f", at most {self.maximum}" if self.maximum is not None else ""
            blank = ", or blank" if self.blank_ok else ""
            return f"Number {low}{high}, up to {self.places} decimal places{blank}"
        if self.kind == "text":
            return f"Text, up to {self.max_length} characters" + (
                ", or blank" if self.blank_ok else ""
            )
        return ""


@dataclass(frozen=True)
class Dataset:
    code: str
    label: str
    description: str
    model: type
    columns: tuple[Column, ...]
    file_key: tuple[str, ...]  # attnames (after parsing) that identify a row within a file
    key_columns: tuple[str, ...]  # the same, as column names, for messages
    db_key: tuple[str, ...]  # attnames that identify a stored row
    value_fields: tuple[str, ...]  # attnames compared and updated
    checks: Callable[[dict], list[tuple[str, str]]] = field(default=lambda values: [])
    month_field: str | None = "month"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _d(text: str) -> Decimal:
    return Decimal(text)


PROVIDER = Column("provider_code", "provider", "ODS code of the provider", "RHQ", "provider_id")
MONTH = Column("month", "month", "Calendar month the figures are for", "2026-09")
PROFESSION = Column(
    "profession", "profession", "Profession code", "physiotherapist", "profession_id"
)
BAND = Column("band", "band", "Agenda for Change band", "6")


def _flag(name: str, help_text: str, example: str = "N") -> Column:
    return Column(name, "flag", help_text, example)


def _count(name: str, help_text: str, example: str) -> Column:
    return Column(name, "int", help_text, example, minimum=0)


def _money(name: str, help_text: str, example: str) -> Column:
    return Column(name, "decimal", help_text, example, minimum=_d("0"), maximum=_d("999999999999"))


def _optional_choice(name: str, help_text: str, example: str, choices, default: str) -> Column:
    """A column added after the first release: older files leave it out (then, like a blank
    cell, it is recorded as ``default``)."""
    return Column(
        name,
        "choice",
        help_text,
        example,
        required=False,
        blank_ok=True,
        choices=tuple(choices),
        default=default,
    )


DCC_PER_FTE = 10  # a full-time job plan has 10 programmed activities (sessions) a week


def _staff_checks(values: dict) -> list[tuple[str, str]]:
    problems = []
    if values.get("apprenticeship_level") and not values.get("apprentice"):
        problems.append(
            ("apprenticeship_level", "apprenticeship_level is given but apprentice is N")
        )
    dcc = values.get("dcc_sessions")
    if dcc is not None:
        if not values.get("job_plan"):
            problems.append(("dcc_sessions", "dcc_sessions is given but job_plan is N"))
        elif dcc > values["fte"] * DCC_PER_FTE:
            problems.append(
                (
                    "dcc_sessions",
                    f"dcc_sessions {dcc} is more than {DCC_PER_FTE} sessions a week per "
                    f"whole-time equivalent (fte {values['fte']})",
                )
            )
    end = values.get("end_date")
    if end is not None and end < values["start_date"]:
        problems.append(("end_date", "end_date is before start_date"))
    if end is None and values.get("leaving_reason"):
        problems.append(("leaving_reason", "leaving_reason is given but end_date is blank"))
    return problems


def _parts_of_wholes(*pairs: tuple[str, str]) -> Callable[[dict], list[tuple[str, str]]]:
    """A row check that each part is at most its whole (fft_positive of fft_responses...)."""

    def check(values: dict) -> list[tuple[str, str]]:
        return [
            (part, f"{part} is more than {whole}")
            for part, whole in pairs
            if values[part] > values[whole]
        ]

    return check


_staff_month_checks = _parts_of_wholes(("sickness_days_lost", "days_available"))
_activity_checks = _parts_of_wholes(
    ("fft_positive", "fft_responses"),
    ("prom_improved", "prom_completed"),
    ("waiting_over_18w", "waiting_total"),
)
_survey_checks = _parts_of_wholes(("recommend_workplace", "respondents"))


STAFF = Dataset(
    code="staff",
    label="Staff",
    description="One row per member of AHP staff (pseudonymous), leavers included.",
    model=Staff,
    columns=(
        PROVIDER,
        Column(
            "staff_id", "staff_id", "Pseudonymous staff id, unique within the provider", "S000123"
        ),
        PROFESSION,
        BAND,
        Column(
            "fte",
            "decimal",
            "Contracted whole-time equivalent",
            "0.8",
            minimum=_d("0"),
            above_minimum=True,
            maximum=_d("1.5"),
        ),
        Column("contract", "choice", "Contract type", "permanent", choices=tuple(Contract.values)),
        Column("start_date", "date", "Start date in post", "2019-04-01"),
        Column(
            "end_date",
            "date",
            "Leaving date; blank while in post",
            "",
            required=False,
            blank_ok=True,
        ),
        Column(
            "leaving_reason",
            "text",
            "Reason for leaving, if left",
            "",
            required=False,
            blank_ok=True,
            max_length=100,
        ),
        Column(
            "ethnic_group",
            "choice",
            "Ethnic group (as recorded)",
            "white",
            choices=tuple(EthnicGroup.values),
        ),
        Column(
            "disability", "choice", "Disability", "not_stated", choices=tuple(Disability.values)
        ),
        _flag("apprentice", "In an apprenticeship"),
        _flag("advanced_practice", "In an advanced practice role"),
        _flag("return_to_practice", "Joined through return to practice"),
        _flag("job_plan", "Has an agreed job plan", "Y"),
        _flag("e_rostered", "Rostered in the e-rostering system", "Y"),
        _optional_choice("age_band", "Age band", "35_44", AgeBand.values, AgeBand.NOT_STATED),
        _optional_choice("sex", "Sex (as recorded in ESR)", "female", Sex.values, Sex.NOT_STATED),
        _optional_choice(
            "apprenticeship_level",
            "Apprenticeship level; blank if not an apprentice (or level not known)",
            "",
            ApprenticeshipLevel.values,
            "",
        ),
        _optional_choice(
            "qualification_level",
            "Highest formal qualification level (Regulated Qualifications Framework, 0-8)",
            "6",
            QualificationLevel.values,
            QualificationLevel.NOT_STATED,
        ),
        Column(
            "dcc_sessions",
            "decimal",
            "Job-planned direct clinical care sessions a week; blank without a job plan",
            "7.5",
            required=False,
            blank_ok=True,
            minimum=_d("0"),
            maximum=_d("15"),
            places=1,
        ),
    ),
    file_key=("provider_id", "staff_id"),
    key_columns=("provider_code", "staff_id"),
    db_key=("provider_id", "staff_id"),
    value_fields=(
        "profession_id",
        "band",
        "fte",
        "contract",
        "start_date",
        "end_date",
        "leaving_reason",
        "ethnic_group",
        "disability",
        "apprentice",
        "advanced_practice",
        "return_to_practice",
        "job_plan",
        "e_rostered",
        "age_band",
        "sex",
        "apprenticeship_level",
        "qualification_level",
        "dcc_sessions",
    ),
    checks=_staff_checks,
    month_field=None,
)

STAFF_MONTH = Dataset(
    code="staff_month",
    label="Staff by month",
    description="One row per member of staff per month: sickness, appraisal, mandatory training.",
    model=StaffMonth,
    columns=(
        PROVIDER,
        Column(
            "staff_id",
            "staff_id",
            "Pseudonymous staff id (must already be in the staff data)",
            "S000123",
            field="staff_code",
        ),
        MONTH,
        Column(
            "sickness_days_lost",
            "decimal",
            "FTE days lost to sickness in the month",
            "1.5",
            minimum=_d("0"),
            maximum=_d("31"),
        ),
        Column(
            "days_available",
            "decimal",
            "FTE days available in the month",
            "17.6",
            minimum=_d("0"),
            maximum=_d("31"),
        ),
        _flag("appraised_12m", "Appraised in the last 12 months", "Y"),
        Column(
            "mandatory_training_pct",
            "decimal",
            "Mandatory training compliance, per cent",
            "92.5",
            required=False,
            blank_ok=True,
            minimum=_d("0"),
            maximum=_d("100"),
        ),
    ),
    file_key=("provider_id", "staff_code", "month"),
    key_columns=("provider_code", "staff_id", "month"),
    db_key=("staff_id", "month"),
    value_fields=(
        "sickness_days_lost",
        "days_available",
        "appraised_12m",
        "mandatory_training_pct",
    ),
    checks=_staff_month_checks,
)

ESTABLISHMENT = Dataset(
    code="establishment",
    label="Establishment",
    description="Funded whole-time equivalent posts by profession, band and month.",
    model=Establishment,
    columns=(
        PROVIDER,
        PROFESSION,
        BAND,
        MONTH,
        Column(
            "funded_fte",
            "decimal",
            "Funded whole-time equivalent",
            "24.6",
            minimum=_d("0"),
            maximum=_d("999999"),
        ),
    ),
    file_key=("provider_id", "profession_id", "band", "month"),
    key_columns=("provider_code", "profession", "band", "month"),
    db_key=("provider_id", "profession_id", "band", "month"),
    value_fields=("funded_fte",),
)

ACTIVITY = Dataset(
    code="activity",
    label="Activity",
    description=(
        "Clinical activity, waiting lists, Friends and Family Test and PROMs by profession."
    ),
    model=Activity,
    columns=(
        PROVIDER,
        PROFESSION,
        MONTH,
        _count("contacts", "Patient contacts", "1250"),
        Column(
            "clinical_hours",
            "decimal",
            "Clinical hours",
            "980.5",
            minimum=_d("0"),
            maximum=_d("99999999"),
        ),
        _count("dna", "Appointments not attended", "61"),
        _count("waiting_total", "People waiting at month end", "430"),
        _count("waiting_over_18w", "Of whom waiting over 18 weeks", "37"),
        _count("fft_responses", "Friends and Family Test responses", "112"),
        _count("fft_positive", "Of which positive", "104"),
        _count("prom_completed", "PROMs completed", "58"),
        _count("prom_improved", "Of which improved", "41"),
    ),
    file_key=("provider_id", "profession_id", "month"),
    key_columns=("provider_code", "profession", "month"),
    db_key=("provider_id", "profession_id", "month"),
    value_fields=(
        "contacts",
        "clinical_hours",
        "dna",
        "waiting_total",
        "waiting_over_18w",
        "fft_responses",
        "fft_positive",
        "prom_completed",
        "prom_improved",
    ),
    checks=_activity_checks,
)

SPEND = Dataset(
    code="spend",
    label="Spend",
    description="AHP pay bill, bank and agency spend in pounds, by month.",
    model=Spend,
    columns=(
        PROVIDER,
        MONTH,
        _money("pay_bill", "AHP pay bill, pounds", "1843200.00"),
        _money("bank_spend", "Bank spend, pounds", "61250.00"),
        _money("agency_spend", "Agency spend, pounds", "48900.00"),
    ),
    file_key=("provider_id", "month"),
    key_columns=("provider_code", "month"),
    db_key=("provider_id", "month"),
    value_fields=("pay_bill", "bank_spend", "agency_spend"),
)

STAFF_SURVEY = Dataset(
    code="staff_survey",
    label="Staff survey",
    description="NHS Staff Survey results for AHP respondents, by year.",
    model=StaffSurvey,
    columns=(
        PROVIDER,
        Column("year", "year", "Survey year", "2025"),
        _count("respondents", "AHP respondents", "412"),
        Column(
            "engagement_score",
            "decimal",
            "Staff engagement score (0-10 mean)",
            "6.9",
            minimum=_d("0"),
            maximum=_d("10"),
        ),
        _count("recommend_workplace", "Respondents recommending the workplace", "261"),
    ),
    file_key=("provider_id", "year"),
    key_columns=("provider_code", "year"),
    db_key=("provider_id", "year"),
    value_fields=("respondents", "engagement_score", "recommend_workplace"),
    checks=_survey_checks,
    month_field=None,
)

_placement_checks = _parts_of_wholes(("filled", "offered"))

PLACEMENTS = Dataset(
    code="placements",
    label="Placements",
    description=(
        "Student clinical placements offered, requested by education providers and filled, by "
        "profession and quarter."
    ),
    model=Placement,
    columns=(
        PROVIDER,
        PROFESSION,
        Column("quarter", "quarter", "The quarter, as its first month", "2026-04", field="month"),
        _count("offered", "Placements the provider offered", "24"),
        _count("requested", "Placements education providers asked for", "30"),
        _count("filled", "Of those offered, placements filled by a student", "21"),
    ),
    file_key=("provider_id", "profession_id", "month"),
    key_columns=("provider_code", "profession", "quarter"),
    db_key=("provider_id", "profession_id", "month"),
    value_fields=("offered", "requested", "filled"),
    checks=_placement_checks,
)

DATASETS: dict[str, Dataset] = {
    d.code: d
    for d in (STAFF, STAFF_MONTH, ESTABLISHMENT, ACTIVITY, SPEND, STAFF_SURVEY, PLACEMENTS)
}
DATASET_CHOICES = [(d.code, d.label) for d in DATASETS.values()]
