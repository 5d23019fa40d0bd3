"""Filters shared by the API's resources. Each states in the OpenAPI schema the limits it
enforces (``pattern``, ``maxLength``, ``minimum``/``maximum``), from the one definition here, so
the schema and the server cannot disagree."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field

#: the largest id a filter takes (a PostgreSQL ``integer``)
MAX_ID = 2**31 - 1
#: a month of a filter: YYYY-MM, from year 1000 (``datetime`` reads years 1 to 9999)
MONTH_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"
#: an organisation code (``Organisation.code``: ODS codes and local codes such as QF7-DON)
ORGANISATION_CODE_PATTERN = r"^[A-Za-z0-9-]+$"
ORGANISATION_CODE_MAX_LENGTH = 20


def with_schema(filter_, schema: dict):
    """``filter_``, documented by ``schema`` (its ``help_text`` kept as the description)."""
    help_text = filter_.extra.get("help_text")
    if help_text:
        schema = {**schema, "description": str(help_text)}
    return extend_schema_field(schema)(filter_)


def codes_pattern(codes) -> str:
    """A pattern for one code of ``codes`` or several separated by commas."""
    one = "|".join(sorted(codes, key=lambda c: (-len(c), c)))
    return rf"^({one})(,({one}))*$"


class IdFilter(django_filters.NumberFilter):
    """A whole-number id filter: rejects fractions and numbers no database id can reach, with a
    400 problem, instead of letting the database overflow."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("decimal_places", 0)
        super().__init__(*args, **kwargs)
        schema = {"type": "integer", "minimum": kwargs["min_value"], "maximum": kwargs["max_value"]}
        with_schema(self, schema)


class PatternFilter(django_filters.CharFilter):
    """A text filter that refuses (400) a value not matching ``pattern`` or over ``max_length``,
    and says so in the schema."""

    def __init__(self, *args, pattern: str, message: str, max_length: int | None = None, **kw):
        kw["validators"] = [*kw.get("validators", ()), RegexValidator(pattern, message)]
        if max_length is not None:
            kw["max_length"] = max_length
        super().__init__(*args, **kw)
        schema = {"type": "string", "pattern": pattern}
        if max_length is not None:
            schema["maxLength"] = max_length
        with_schema(self, schema)


def month_filter(**kwargs) -> PatternFilter:
    """A month, YYYY-MM."""
    return PatternFilter(
        pattern=MONTH_PATTERN, message="Enter a month as YYYY-MM (for example 2025-03).", **kwargs
    )


def organisation_code_filter(**kwargs) -> PatternFilter:
    """An organisation's code (letters, digits and hyphens, up to 20)."""
    return PatternFilter(
        pattern=ORGANISATION_CODE_PATTERN,
        max_length=ORGANISATION_CODE_MAX_LENGTH,
        message="Enter an organisation code: letters, digits and hyphens.",
        **kwargs,
    )


class StrictBooleanField(forms.NullBooleanField):
    """``true`` or ``false`` (also ``1``/``0``, any case); anything else is refused, where
    django-filter's boolean would quietly ignore it."""

    widget = forms.TextInput
    values = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.values[str(value).lower()]
        except KeyError:
            raise forms.ValidationError("Enter true or false.", code="invalid") from None

    def validate(self, value):
        pass


class BooleanFilter(django_filters.BooleanFilter):
    """A boolean filter that refuses (400) a value other than true or false."""

    field_class = StrictBooleanField
