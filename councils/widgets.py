"""NHS.UK frontend widgets that Django does not have."""

import datetime as dt

from django import forms


class DateInput(forms.MultiWidget):
    """NHS.UK's date input: day, month and year boxes in a fieldset, not the browser's date picker.

    The three boxes join into an ISO date string (``2027-03-31``) that ``forms.DateField`` parses;
    a partly filled or impossible date reaches the field as an invalid string, so it says "... must
    be a real date". All three blank is an empty value (the field's "required" message, if any).
    """

    template_name = "django/forms/widgets/nhsuk_date.html"
    parts = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))

    def __init__(self, attrs=None):
        widgets = {
            name: forms.TextInput(
                attrs={
                    "inputmode": "numeric",
                    "class": f"nhsuk-date-input__input nhsuk-input--width-{width}",
                }
            )
            for name, _label, width in self.parts
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        day = month = year = None
        if isinstance(value, dt.date):
            day, month, year = value.day, value.month, value.year
        elif isinstance(value, str) and value.count("-") == 2:
            year, month, day = value.split("-")
        shown = {"day": day, "month": month, "year": year}
        return [shown[part] for part, _label, _width in self.parts]

    def value_from_datadict(self, data, files, name):
        if self.value_omitted_from_data(data, files, name) or name in data:
            return data.get(name)  # one ISO date under the field's own name, as scripts send it
        typed = super().value_from_datadict(data, files, name)
        typed = {
            part: value.strip() if value else ""
            for (part, _label, _width), value in zip(self.parts, typed, strict=True)
        }
        if not any(typed.values()):
            return ""
        day, month, year = typed.get("day", "1"), typed["month"], typed["year"]
        if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
            return f"{year}-{month}-{day}"  # not a date: the field says "must be a real date"
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"

    def value_omitted_from_data(self, data, files, name):
        parts_omitted = all(f"{name}_{part}" not in data for part, _label, _width in self.parts)
        return parts_omitted and name not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        invalid = bool(attrs and attrs.get("aria-invalid"))
        for subwidget, (_part, label, _width) in zip(
            context["widget"]["subwidgets"], self.parts, strict=True
        ):
            subwidget["label"] = label
            if invalid:
                subwidget["attrs"]["class"] += " nhsuk-input--error"
            subwidget["attrs"].pop("aria-invalid", None)
            subwidget["attrs"].pop("required", None)
        return context


class MonthInput(DateInput):
    """NHS.UK's date input with month and year boxes only: the date is the first of that month
    (``2025-04-01``). Scripts may still post one ISO date under the field's name."""

    parts = (("month", "Month", 2), ("year", "Year", 4))
