"""Cell parsers of the import: a function per column from the cell's text to its value, raising
:class:`CellError` with the reason shown to the user. The columns are in :mod:`workforce.datasets`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from ahpportal import months

from .models import Band

BANDS = tuple(Band.values)
QUARTER_MONTHS = (1, 4, 7, 10)


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


def parse_quarter(text: str, latest: dt.date) -> dt.date:
    """A quarter as its first month, ``YYYY-MM`` (or ``YYYY-MM-01``): January, April, July or
    October. Calendar months, so the same text means the same quarter whether the file follows
    the calendar or the financial year (April to June is ``2026-04``)."""
    day = parse_month(text, latest)
    if day.month not in QUARTER_MONTHS:
        raise CellError(
            f"'{text[:7]}' is not the first month of a quarter: use {day.year}-01, "
            f"{day.year}-04, {day.year}-07 or {day.year}-10"
        )
    return day


def _lookup(
    table: dict, normalise: Callable[[str], str], problem: Callable[[str], str]
) -> Callable[[str], object]:
    """A parser that looks a cell's text, normalised, up in ``table``; ``problem(text)`` is the
    error when it is not there."""

    def parse(text):
        try:
            return table[normalise(text)]
        except KeyError:
            raise CellError(problem(text)) from None

    return parse


def make_parser(column, ctx) -> Callable[[str], object]:
    """A function from the text of a cell of ``column`` (a ``datasets.Column``; stripped, not
    empty) to its value, raising CellError."""
    kind = column.kind
    name = column.name
    if kind == "provider":
        scope_name = ctx.organisation.name
        return _lookup(
            ctx.providers,
            str.upper,
            lambda text: f"'{text}' is not a provider you can import for under {scope_name}",
        )
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
        return _lookup(
            professions,
            str.lower,
            lambda text: f"'{text}' is not a profession code (see the template for the "
            f"{len(professions)} codes)",
        )
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
        return _lookup(flags, str.upper, lambda text: f"'{text}' is not Y or N")
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
    if kind == "quarter":
        latest = months.month_start(ctx.today)
        return lambda text: parse_quarter(text, latest)
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
