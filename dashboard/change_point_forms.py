"""The chair's form to record a change point on a metric's XmR chart (PRODUCT.md 3.3)."""

from __future__ import annotations

import datetime as dt

from django import forms

from .models import ChangePoint


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
