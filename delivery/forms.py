from django import forms

from ahpportal.forms import DateOrderForm
from ahpportal.limits import LimitedTextField
from councils.widgets import DateInput
from dashboard.metrics import by_domain

from .models import Status, Theme


class ActionForm(DateOrderForm):
    date_order = (
        "start_date",
        "due_date",
        "The due date must be the same as or after the start date.",
    )

    theme = forms.ModelChoiceField(queryset=Theme.objects.none(), label="Theme", empty_label=None)
    text = LimitedTextField(label="Action", widget=forms.Textarea(attrs={"rows": 3}))
    owner_user = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Owner (person)",
        help_text="Someone who holds a role at this organisation or below it.",
        empty_label="No named person",
    )
    owner_organisation = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Owner (organisation)",
        empty_label="No organisation",
    )
    start_date = forms.DateField(label="Start date", required=False, widget=DateInput)
    due_date = forms.DateField(label="Due date", required=False, widget=DateInput)

    def __init__(self, *args, themes, users, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = themes
        self.fields["owner_user"].queryset = users
        self.fields["owner_user"].label_from_instance = lambda u: (
            f"{u.full_name} ({u.email})" if u.full_name else u.email
        )
        self.fields["owner_organisation"].queryset = organisations
        self.fields["owner_organisation"].label_from_instance = lambda o: (
            f"{o.name} ({o.get_level_display()})"
        )


def metric_choices():
    choices = [("", "Not linked to a metric")]
    for _code, name, metrics in by_domain():
        choices.append((name, [(m.code, m.name) for m in metrics]))
    return choices


class MeasureForm(forms.Form):
    text = LimitedTextField(label="Measure of success", widget=forms.Textarea(attrs={"rows": 3}))
    metric = forms.ChoiceField(
        label="Quality Dashboard metric",
        required=False,
        help_text="The plan then shows this metric's latest value for the organisation, live.",
    )
    target = forms.FloatField(
        label="Target (optional)",
        required=False,
        help_text="In the metric's own unit, for example 10 for 10%.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = metric_choices()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("target") is not None and not cleaned.get("metric"):
            self.add_error("target", "Choose a metric for the target to apply to.")
        return cleaned


class UpdateForm(forms.Form):
    quarter = forms.ChoiceField(label="Quarter")
    status = forms.ChoiceField(label="Status", choices=Status.choices, widget=forms.RadioSelect)
    narrative = LimitedTextField(
        label="Progress this quarter",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What was done, what is next, and any risk the board should know about.",
    )

    def __init__(self, *args, quarters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [(q, q) for q in quarters]
