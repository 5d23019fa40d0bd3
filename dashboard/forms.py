"""The dashboard's forms: the filters a page URL carries, the chair's targets form (one optional
number per metric; blank means "use the one above") and the chair's form to record a change point
on a metric's XmR chart (PRODUCT.md 3.3)."""

from __future__ import annotations

import datetime as dt

from django import forms

from . import as_it_was, selectors
from . import metrics as catalogue
from .metrics import ALL_PROFESSIONS, BAND_GROUPS
from .models import ChangePoint


class FilterForm(forms.Form):
    """The filters a scorecard URL may carry (GET, so a view can be bookmarked and shared)."""

    profession = forms.ChoiceField(label="Profession", required=False)
    band_group = forms.ChoiceField(label="Band group", required=False, choices=())
    month = forms.ChoiceField(label="Month", required=False)
    view = forms.ChoiceField(
        label="Structure",
        required=False,
        choices=list(as_it_was.VIEWS.items()),
        help_text="Today's: every month under the organisations as they are now. As it was: "
        "each month under that month's structure.",
    )

    def __init__(
        self, data, *, months, with_profession=True, with_band_group=True, with_view=False
    ):
        super().__init__(data)
        if not with_view:
            del self.fields["view"]
        from workforce.models import Profession

        if with_profession:
            self.fields["profession"].choices = [(ALL_PROFESSIONS, "All professions")] + [
                (p.code, p.name) for p in Profession.objects.all()
            ]
        else:
            del self.fields["profession"]
        if with_band_group:
            self.fields["band_group"].choices = list(BAND_GROUPS.items())
        else:
            del self.fields["band_group"]
        self.fields["month"].choices = [("", "Latest month")] + [
            (m.strftime("%Y-%m"), m.strftime("%B %Y")) for m in months
        ]

    def clean_month(self):
        value = self.cleaned_data.get("month")
        if not value:
            return None
        return dt.date.fromisoformat(f"{value}-01")

    def filters(self) -> selectors.Filters:
        """The valid filters; a field with an error falls back to its default."""
        data = self.cleaned_data if self.is_bound else {}
        return selectors.Filters(
            month=data.get("month") or None,
            profession=data.get("profession") or ALL_PROFESSIONS,
            band_group=data.get("band_group") or "all",
            view=data.get("view") or as_it_was.CURRENT,
        )


def field_name(code: str) -> str:
    return f"target_{code}"


class TargetsForm(forms.Form):
    def __init__(self, *args, effective: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.effective = effective
        initial = {}
        for metric in catalogue.CATALOGUE:
            current = effective[metric.code]
            unit = "%" if metric.unit == "percent" else ""
            inherited = (
                f"{current.source}: {current.value:g}{unit}"
                if current.value is not None and not current.own
                else ("No target above" if not current.own else "")
            )
            better = {"higher": "higher is better", "lower": "lower is better"}.get(
                metric.direction, "neither direction is better"
            )
            escaped = metric.name.replace("%", "%%")
            self.fields[field_name(metric.code)] = forms.DecimalField(
                label=f"{metric.name} ({metric.code})",
                required=False,
                min_value=0,
                max_value=100 if metric.unit == "percent" else None,
                max_digits=10,
                decimal_places=3,
                help_text=(
                    f"{better.capitalize()}. Leave blank to use the target from above"
                    + (f" ({inherited})." if inherited else ".")
                ),
                # Django formats the limit messages with params, so there a "%" is written "%%"
                error_messages={
                    "invalid": f"Enter a target for {metric.name} as a number, like 90 or 7.5",
                    "min_value": (
                        f"Enter a target between 0 and 100 for {escaped}"
                        if metric.unit == "percent"
                        else f"Enter a target of 0 or more for {escaped}"
                    ),
                    "max_value": f"Enter a target between 0 and 100 for {escaped}",
                },
            )
            if not metric.has_direction:
                self.fields[field_name(metric.code)].help_text = (
                    "Neither direction is better: this metric has no target (a target set "
                    "before can be cleared by leaving the box blank)."
                )
            if current.own:
                initial[field_name(metric.code)] = current.value
        self.initial = {**initial, **self.initial}

    def clean(self):
        cleaned = super().clean()
        for metric in catalogue.CATALOGUE:
            name = field_name(metric.code)
            if not metric.has_direction and cleaned.get(name) is not None:
                self.add_error(
                    name,
                    f"{metric.name} has no target: neither a higher nor a lower value is "
                    "better. Leave the box blank.",
                )
        return cleaned

    def changes(self) -> tuple[dict[str, float], list[str]]:
        """(targets to set, metric codes to clear) from the cleaned data."""
        to_set, to_clear = {}, []
        for metric in catalogue.CATALOGUE:
            value = self.cleaned_data.get(field_name(metric.code))
            if value is None:
                if self.effective[metric.code].own:
                    to_clear.append(metric.code)
            else:
                to_set[metric.code] = float(value)
        return to_set, to_clear


class ChangePointForm(forms.Form):
    month = forms.ChoiceField(
        label="Month the change took effect",
        help_text="New mean and process limits are computed from this month on.",
        error_messages={
            "required": "Choose the month from which the new limits start.",
            "invalid_choice": "Choose a month shown on the chart, after its first month.",
        },
    )
    reason = forms.CharField(
        label="Reason for the change point",
        help_text="Say what changed in the process, for example a new service model or a "
        "change in how the data is recorded. It is shown on the chart and in its table.",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter why the process changed.",
            "max_length": "The reason must be 200 characters or fewer (it has %(show_value)d).",
        },
    )

    def __init__(self, *args, months: list[dt.date], organisation, metric, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation, self.metric = organisation, metric
        # A change point on the chart's first month would change nothing.
        self.fields["month"].choices = [("", "Choose a month")] + [
            (m.strftime("%Y-%m"), m.strftime("%B %Y")) for m in reversed(months[1:])
        ]

    def clean_month(self) -> dt.date:
        month = dt.date.fromisoformat(f"{self.cleaned_data['month']}-01")
        if (
            ChangePoint.objects.active()
            .filter(organisation=self.organisation, metric=self.metric.code, month=month)
            .exists()
        ):
            raise forms.ValidationError(
                f"There is already a change point in {month:%B %Y} for {self.metric.name}."
            )
        return month

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why the process changed.")
        return reason
