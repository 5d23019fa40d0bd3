from django import forms
from django.utils import timezone

from ahpportal.limits import LimitedTextField, limit_model_text
from councils.models import Organisation
from councils.widgets import DateInput

from .models import ActionItem, Stage


class CycleOpenForm(forms.Form):
    section = forms.ModelChoiceField(
        queryset=None,
        label="Toolkit",
        help_text="Regional sections go to regions, system sections to integrated care systems, "
        "employer sections and state of readiness to providers.",
    )
    name = forms.CharField(label="Cycle name", max_length=100, help_text="For example, 2026/27")
    due_date = forms.DateField(label="Due date", widget=DateInput)
    prefill = forms.BooleanField(
        label="Pre-fill each organisation's answers from its last signed-off submission",
        required=False,
    )
    organisations = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        label="Providers (state of readiness only)",
        help_text="For state of readiness, choose the providers that will answer. "
        "Other toolkits go to every organisation of their level.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, sections, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = sections
        self.fields["section"].label_from_instance = lambda s: (
            s.title if s.template.code == "state_of_readiness" else f"{s.template.title}: {s.title}"
        )
        self.fields["organisations"].queryset = providers
        self.fields["organisations"].label_from_instance = lambda o: f"{o.name} ({o.code})"

    def clean_due_date(self):
        due = self.cleaned_data["due_date"]
        if due < timezone.localdate():
            raise forms.ValidationError("The due date must be today or in the future.")
        return due

    def clean(self):
        cleaned = super().clean()
        section = cleaned.get("section")
        if section and section.per_profession and not cleaned.get("organisations"):
            self.add_error("organisations", "Choose at least one provider for state of readiness.")
        return cleaned


class ReviewForm(forms.Form):
    comment = LimitedTextField(
        label="Comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when returning: say what needs to change.",
    )


class ActionForm(forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ["description", "owner", "owner_name", "due_date", "status", "stage"]
        labels = {
            "description": "Action",
            "owner": "Owner",
            "owner_name": "Or owner not on the portal",
            "due_date": "Due date",
            "stage": "Six-step approach stage",
        }
        widgets = {"due_date": DateInput, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].required = False
        self.fields["owner"].label_from_instance = lambda u: (
            f"{u.get_full_name()} ({u.email})" if u.get_full_name() else u.email
        )
        self.fields["owner_name"].help_text = "Free text, for an owner without an account"
        limit_model_text(self, "description")


class ActionFilterForm(forms.Form):
    organisation = forms.ChoiceField(label="Organisation", required=False)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any")] + ActionItem.State.choices
    )
    stage = forms.ChoiceField(label="Stage", required=False, choices=[("", "Any")] + Stage.choices)
    overdue = forms.BooleanField(label="Overdue only", required=False)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "All")] + [
            (o.code, o.name) for o in organisations
        ]
