"""Limits on what people type, shared by the forms, the services and the API.

Free text (readiness answers and comments, action descriptions, delivery plan actions, measures
and progress narratives) is at most ``TEXT_MAX_CHARS`` characters. A longer text is refused with
a message that names the field; the form is shown again with the text as typed, so nothing is
lost. The limit is checked on the server only: a browser ``maxlength`` would cut pasted text
short without saying so.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

TEXT_MAX_CHARS = 10_000


def too_long(label: str, value: str | None, limit: int = TEXT_MAX_CHARS) -> str | None:
    """The message for ``value`` when it is longer than ``limit``, else None."""
    if value is None or len(value) <= limit:
        return None
    return (
        f"{label} must be {limit:,} characters or fewer; it has {len(value):,}. Shorten it "
        "(your text is still in the box) and save again."
    )


class LimitedTextField(forms.CharField):
    """A free-text field of at most ``TEXT_MAX_CHARS`` characters whose error names the field.

    No ``maxlength`` attribute is rendered, so a long paste is kept in full and explained."""

    def __init__(self, *args, limit: int = TEXT_MAX_CHARS, **kwargs):
        self.limit = limit
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        message = too_long(str(self.label or "This field"), value, self.limit)
        if message:
            raise ValidationError(message, code="too_long")


def limit_model_text(form: forms.BaseForm, name: str, limit: int = TEXT_MAX_CHARS) -> None:
    """Give a model form's text field the same limit and message as :class:`LimitedTextField`."""
    field = form.fields[name]
    label = str(field.label or name)

    def check(value):
        message = too_long(label, value, limit)
        if message:
            raise ValidationError(message, code="too_long")

    field.validators.append(check)
