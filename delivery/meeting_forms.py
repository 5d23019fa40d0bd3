"""Forms of the governance pages: a meeting, its agenda, papers, minutes, decisions, actions and
escalations; a faculty's programmes, milestones and quarterly reports."""

import datetime as dt

from django import forms
from django.utils import timezone

from ahpportal.forms import DateOrderForm
from ahpportal.limits import LimitedTextField
from councils.widgets import DateInput

from . import quarters
from .forms import metric_choices
from .meeting_models import AgendaItem, MeetingAction, Milestone

TIME_HELP = "Use the 24-hour clock, for example 14:30."


def _text(label, rows=4, **kwargs):
    return LimitedTextField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


def _user_label(user):
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


class MeetingForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    date = forms.DateField(label="Date", widget=DateInput)
    start_time = forms.TimeField(
        label="Start time",
        help_text=TIME_HELP,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5"}),
    )
    end_time = forms.TimeField(
        label="End time (optional)",
        required=False,
        help_text=TIME_HELP,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-5"}),
    )
    location = forms.CharField(label="Location", max_length=200, required=False)
    online_link = forms.URLField(
        label="Link to join online (optional)", required=False, assume_scheme="https"
    )

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        if day and start:
            zone = timezone.get_current_timezone()
            cleaned["starts_at"] = dt.datetime.combine(day, start, tzinfo=zone)
            cleaned["ends_at"] = dt.datetime.combine(day, end, tzinfo=zone) if end else None
            if end and end <= start:
                self.add_error("end_time", "The end time must be after the start time.")
        if not cleaned.get("location") and not cleaned.get("online_link"):
            self.add_error("location", "Enter where the meeting is, or a link to join it.")
        return cleaned

    def service_kwargs(self) -> dict:
        """What ``meeting_schedule`` takes: the start and end (joined from the date and times in
        ``clean``), the title and where."""
        fields = ("title", "starts_at", "ends_at", "location", "online_link")
        return {name: self.cleaned_data[name] for name in fields}


class AgendaItemForm(forms.Form):
    title = forms.CharField(label="Item", max_length=200)
    presenter = forms.CharField(label="Presented by (optional)", max_length=150, required=False)
    notes = _text("Notes (optional)", rows=3, required=False)
    link = forms.ChoiceField(
        label="Linked to", choices=AgendaItem.Link.choices, required=False, widget=forms.RadioSelect
    )
    metric = forms.ChoiceField(label="Dashboard metric", required=False)
    exception = forms.ChoiceField(label="Exception from the board report", required=False)
    cycle = forms.ModelChoiceField(
        label="Readiness cycle", queryset=None, required=False, empty_label="Choose a cycle"
    )
    delivery_action = forms.ModelChoiceField(
        label="Delivery plan action", queryset=None, required=False, empty_label="Choose an action"
    )

    def __init__(self, *args, exceptions, cycles, plan_actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.exceptions = dict(exceptions)
        self.fields["metric"].choices = metric_choices()
        self.fields["exception"].choices = [("", "Choose an exception")] + list(exceptions)
        if not exceptions:
            self.fields["exception"].help_text = "The board report has no exceptions now."
        self.fields["cycle"].queryset = cycles
        self.fields["cycle"].label_from_instance = lambda c: f"{c.name}: {c.section.title}"
        self.fields["delivery_action"].queryset = plan_actions
        self.fields["delivery_action"].label_from_instance = lambda a: (
            f"{a.reference} {a.text[:90]}"
        )

    def clean(self):
        cleaned = super().clean()
        link = cleaned.get("link", "")
        needed = {
            "metric": "metric",
            "exception": "exception",
            "cycle": "cycle",
            "action": "delivery_action",
        }
        if link and not cleaned.get(needed[link]):
            self.add_error(needed[link], "Choose what this item is linked to.")
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        link = data.get("link", "")
        metric = data.get("exception") if link == "exception" else data.get("metric")
        return {
            "title": data["title"],
            "presenter": data["presenter"],
            "notes": data["notes"],
            "link": link,
            "metric": metric or "",
            "exception_reason": self.exceptions.get(metric, "") if link == "exception" else "",
            "cycle": data.get("cycle"),
            "delivery_action": data.get("delivery_action"),
        }


def _item_field(items):
    field = forms.ModelChoiceField(
        label="Agenda item (optional)", queryset=items, required=False, empty_label="None"
    )
    field.label_from_instance = lambda i: f"{i.position}. {i.title}"
    return field


class PaperForm(forms.Form):
    title = forms.CharField(label="Title (optional)", max_length=200, required=False)
    file = forms.FileField(
        label="Paper",
        help_text="A PDF, Word (.docx) or Excel (.xlsx) file.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx"}),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"] = _item_field(items)


class MinutesForm(forms.Form):
    minutes = _text("Minutes", rows=14, required=False)


class DecisionForm(forms.Form):
    text = _text("Decision", rows=3)
    decided_on = forms.DateField(label="Date of the decision", widget=DateInput)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"] = _item_field(items)


class ActionForm(forms.Form):
    description = _text("Action", rows=3)
    owner = forms.ModelChoiceField(label="Owner", queryset=None, empty_label="Choose a person")
    due_date = forms.DateField(label="Due date", widget=DateInput)

    def __init__(self, *args, items, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = _user_label
        self.fields["item"] = _item_field(items)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=MeetingAction.Status.choices, widget=forms.RadioSelect
    )


class EscalateForm(forms.Form):
    summary = _text(
        "What the regional board is asked to consider, and why",
        rows=5,
        help_text="The board sees this on its next meeting's agenda.",
    )


class OutcomeForm(forms.Form):
    outcome = _text("Outcome", rows=4, help_text="The council that escalated this sees it.")


class ProgrammeForm(DateOrderForm):
    date_order = (
        "start_date",
        "end_date",
        "The end date must be the same as or after the start date.",
    )

    title = forms.CharField(label="Programme of work", max_length=200)
    lead = forms.ModelChoiceField(label="Lead", queryset=None, empty_label="Choose a person")
    funding = forms.DecimalField(label="Funding (£)", min_value=0, max_digits=12, decimal_places=2)
    start_date = forms.DateField(label="Start date", widget=DateInput)
    end_date = forms.DateField(label="End date", widget=DateInput)
    status = forms.CharField(
        label="Status", max_length=300, help_text="Where the programme stands, in a sentence."
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = owners
        self.fields["lead"].label_from_instance = _user_label


class MilestoneForm(forms.Form):
    title = forms.CharField(label="Milestone", max_length=200)
    due_date = forms.DateField(label="Due date", widget=DateInput)
    status = forms.ChoiceField(
        label="Status", choices=Milestone.Status.choices, widget=forms.RadioSelect
    )


class ReportForm(forms.Form):
    quarter = forms.ChoiceField(label="Quarter")
    text = _text("Report to the ICS AHP council", rows=8)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = [(q, q) for q in quarters.recent(timezone.localdate())]
