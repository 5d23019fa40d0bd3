"""The six datasets providers upload: their columns, keys and the rule for every cell.

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
- ``staff_id`` is pseudonymous: a 10-digit number is refused because it looks like an NHS number.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ahpportal import months

from .models import (
    Activity,
    Band,
    Contract,
    Disability,
    Establishment,
    EthnicGroup,
    Spend,
    Staff,
    StaffMonth,
    StaffSurvey,
)

BANDS = tuple(Band.values)


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
            return ", ".join(self.choices)
        if self.kind == "flag":
            return "Y or N"
        if self.kind == "date":
            return "Date as YYYY-MM-DD" + (", or blank" if self.blank_ok else "")
        if self.kind == "month":
            return "YYYY-MM (or the first day of the month, YYYY-MM-01)"
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


def _staff_checks(values: dict) -> list[tuple[str, str]]:
    problems = []
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

DATASETS: dict[str, Dataset] = {
    d.code: d for d in (STAFF, STAFF_MONTH, ESTABLISHMENT, ACTIVITY, SPEND, STAFF_SURVEY)
}
DATASET_CHOICES = [(d.code, d.label) for d in DATASETS.values()]


# --- cell parsers -----------------------------------------------------------------------------


class CellError(ValueError):
    """A cell's value is not allowed; the message is the reason shown to the user."""


def parse_date(text: str) -> dt.date:
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        raise CellError(f"'{text}' is not a date as YYYY-MM-DD")
    try:
        return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
    except ValueError:
        raise CellError(f"'{text}' is not a real date") from None


def parse_month(text: str, latest: dt.date) -> dt.date:
    try:
        day = months.parse_month(text)
    except months.MonthError as error:
        raise CellError(str(error)) from None
    if day > latest:
        raise CellError(f"'{text[:7]}' is in the future")
    if day.year < 2000:
        raise CellError(f"'{text[:7]}' is before 2000")
    return day


def make_parser(column: Column, ctx) -> Callable[[str], object]:
    """A function from the cell's text (stripped, not empty) to its value, raising CellError."""
    kind = column.kind
    name = column.name
    if kind == "provider":
        providers = ctx.providers
        scope_name = ctx.organisation.name

        def parse(text):
            try:
                return providers[text.upper()]
            except KeyError:
                raise CellError(
                    f"'{text}' is not a provider you can import for under {scope_name}"
                ) from None

        return parse
    if kind == "staff_id":

        def parse(text):
            if len(text) > 64:
                raise CellError("staff_id is longer than 64 characters")
            if len(text) == 10 and text.isdigit():
                raise CellError("staff_id looks like an NHS number; use the pseudonymous staff id")
            return text

        return parse
    if kind == "text":
        limit = column.max_length

        def parse(text):
            if len(text) > limit:
                raise CellError(f"{name} is longer than {limit} characters")
            return text

        return parse
    if kind == "profession":
        professions = ctx.professions

        def parse(text):
            try:
                return professions[text.lower()]
            except KeyError:
                raise CellError(
                    f"'{text}' is not a profession code (see the template for the "
                    f"{len(professions)} codes)"
                ) from None

        return parse
    if kind == "band":
        allowed = set(BANDS)

        def parse(text):
            value = text.lower()
            if value.startswith("band"):
                value = value[4:].strip()
            if value not in allowed:
                raise CellError(f"'{text}' is not a band (one of {', '.join(BANDS)})")
            return value

        return parse
    if kind == "choice":
        allowed = set(column.choices)
        listed = ", ".join(column.choices)

        def parse(text):
            value = text.lower()
            if value not in allowed:
                raise CellError(f"'{text}' is not allowed (one of {listed})")
            return value

        return parse
    if kind == "flag":
        flags = {"Y": True, "YES": True, "N": False, "NO": False}

        def parse(text):
            try:
                return flags[text.upper()]
            except KeyError:
                raise CellError(f"'{text}' is not Y or N") from None

        return parse
    if kind == "int":

        def parse(text):
            if not (text.isascii() and text.isdigit()):
                raise CellError(f"'{text}' is not a whole number 0 or more")
            return int(text)

        return parse
    if kind == "year":
        latest_year = ctx.today.year

        def parse(text):
            if not (len(text) == 4 and text.isascii() and text.isdigit()):
                raise CellError(f"'{text}' is not a four-digit year")
            year = int(text)
            if not 2000 <= year <= latest_year:
                raise CellError(f"{year} is not a year from 2000 to {latest_year}")
            return year

        return parse
    if kind == "date":
        return parse_date
    if kind == "month":
        latest = months.month_start(ctx.today)
        return lambda text: parse_month(text, latest)
    if kind == "decimal":
        low, high, strict, places = (
            column.minimum,
            column.maximum,
            column.above_minimum,
            column.places,
        )
        range_words = f"more than {low}" if strict else f"{low} or more"
        if high is not None:
            range_words += f" and at most {high}"

        def parse(text):
            try:
                value = Decimal(text)
            except InvalidOperation:
                raise CellError(f"'{text}' is not a number") from None
            if not value.is_finite():
                raise CellError(f"'{text}' is not a number")
            if value.as_tuple().exponent < -places:
                raise CellError(f"{name} has more than {places} decimal places")
            if (value <= low if strict else value < low) or (high is not None and value > high):
                raise CellError(f"{name} {text} is out of range: must be {range_words}")
            return value

        return parse
    raise ValueError(f"Unknown column kind {kind!r}")
