"""Form pieces the apps share."""

from django import forms


class DateOrderForm(forms.Form):
    """A form with a start date and an end date: the end may not be before the start.

    ``date_order`` names the start field, the end field and the error shown on the end field."""

    date_order: tuple[str, str, str]

    def clean(self):
        cleaned = super().clean()
        start_field, end_field, message = self.date_order
        start, end = cleaned.get(start_field), cleaned.get(end_field)
        if start and end and end < start:
            self.add_error(end_field, message)
        return cleaned
