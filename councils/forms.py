from django import forms
from django.core.exceptions import ValidationError

from ahpportal.forms import DateOrderForm

from .models import LeadershipPost, Level, Organisation, Position, Role
from .structure import PARENT_LEVEL
from .widgets import DateInput, MonthInput


def add_service_errors(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form, by field where it names one."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Organisation",
        help_text="The role covers this organisation and everything below it.",
    )
    role = forms.ChoiceField(choices=Role.choices, label="Role")

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        # Only organisations the inviter administers can be chosen: a role above the
        # inviter's scope is not on the list and a forged id fails validation.
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].label_from_instance = lambda org: (
            f"{org.name} ({org.get_level_display()})"
        )


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(label="Choose a password", widget=forms.PasswordInput)
    password2 = forms.CharField(label="Type the password again", widget=forms.PasswordInput)

    def __init__(self, *args, email, **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        from django.contrib.auth import get_user_model, password_validation

        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords do not match.")
        elif p1:
            user = get_user_model()(email=self.email)
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class _TermFields(DateOrderForm):
    """A seat's position and term, shared by adding and changing a member."""

    date_order = ("term_start", "term_end", "The term must end on or after the day it starts.")

    position = forms.ChoiceField(
        label="Position",
        choices=Position.choices,
        initial=Position.MEMBER,
        widget=forms.RadioSelect,
    )
    term_start = forms.DateField(
        label="Term start",
        widget=DateInput,
        help_text="For example, 1 4 2026",
        error_messages={"required": "Enter the date the term starts."},
    )
    term_end = forms.DateField(
        label="Term end",
        required=False,
        widget=DateInput,
        help_text="Leave blank while the term is open-ended. The seat gives access until the "
        "end of this day.",
    )


class BodyMemberAddForm(_TermFields):
    email = forms.EmailField(label="Email address")
    invite = forms.BooleanField(
        label="If they have no account, email them an invitation to take this seat",
        required=False,
    )
    field_order = ["email", "position", "term_start", "term_end", "invite"]

    def clean(self):
        """``self.user`` is the person with an account, or None for someone to invite."""
        from django.contrib.auth import get_user_model

        cleaned = super().clean()
        self.user = None
        email = (cleaned.get("email") or "").strip().lower()
        if not email:
            return cleaned
        self.user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
        if self.user is None and not cleaned.get("invite"):
            self.add_error(
                "email",
                f"No one with the email {email} has an account. Tick the box below to email "
                "them an invitation to take this seat.",
            )
        return cleaned


class BodyMemberChangeForm(_TermFields):
    pass


class LeadershipPostForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=LeadershipPost.Status.choices, widget=forms.RadioSelect
    )
    holder_email = forms.EmailField(
        label="Email address of the post holder",
        required=False,
        help_text="If they have an AHP Portal account: the register then links to them.",
    )
    holder_name = forms.CharField(
        label="Name of the post holder",
        required=False,
        max_length=150,
        help_text="If they have no account.",
    )
    start_date = forms.DateField(
        label="Start date",
        required=False,
        widget=DateInput,
        help_text="When the holder took up the post, or when it became vacant.",
    )

    def clean(self):
        from django.contrib.auth import get_user_model

        cleaned = super().clean()
        status = cleaned.get("status")
        email = (cleaned.get("holder_email") or "").strip().lower()
        name = (cleaned.get("holder_name") or "").strip()
        cleaned["holder"] = None
        cleaned["holder_name"] = name
        if status == LeadershipPost.Status.VACANT:
            if email or name:
                self.add_error(
                    "holder_name", "A vacant post has no holder: clear the email and name."
                )
            return cleaned
        if status and not (email or name):
            self.add_error("holder_name", "Enter the post holder's email address or name.")
        if email:
            try:
                cleaned["holder"] = get_user_model().objects.get(email__iexact=email)
            except get_user_model().DoesNotExist:
                self.add_error(
                    "holder_email",
                    f"No one with the email {email} has an account: enter their name instead.",
                )
            else:
                cleaned["holder_name"] = ""
        return cleaned


def _organisation_choice(org) -> str:
    return f"{org.name} ({org.get_level_display()}, {org.code})"


class _StructureChangeForm(forms.Form):
    """What every change of structure needs (councils.structure): the month it takes effect and
    why. ``organisations`` are those the admin may choose from; closed ones are never offered."""

    effective = forms.DateField(
        label="Effective month",
        widget=MonthInput,
        help_text="The first month under the new structure, for example 4 2025.",
        error_messages={
            "required": "Enter the month the change takes effect.",
            "invalid": "Effective month must be a real month, for example 4 2025.",
        },
    )
    reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the structure changed."},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = organisations.filter(closed_on__isnull=True)


class StructureMoveForm(_StructureChangeForm):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Organisation that moves",
        empty_label="Choose an organisation",
    )
    new_parent = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="New parent",
        empty_label="Choose its new parent",
        help_text="A provider moves to a place, a place to an integrated care system, an "
        "integrated care system to a region.",
    )
    field_order = ["organisation", "new_parent", "effective", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, levels in (("organisation", PARENT_LEVEL), ("new_parent", PARENT_LEVEL.values())):
            field = self.fields[name]
            field.queryset = self.organisations.filter(level__in=list(levels))
            field.label_from_instance = _organisation_choice


class StructureMergerForm(_StructureChangeForm):
    providers = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        label="Providers that merge",
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose two or more.",
        error_messages={"required": "Choose two or more different providers to merge."},
    )
    code = forms.CharField(
        label="New provider's code",
        max_length=Organisation._meta.get_field("code").max_length,
        help_text="Its ODS code, for example RX1.",
    )
    name = forms.CharField(
        label="New provider's name",
        max_length=Organisation._meta.get_field("name").max_length,
    )
    place = forms.ModelChoiceField(
        queryset=Organisation.objects.none(),
        label="Place of the new provider",
        required=False,
        empty_label="The place of the first provider ticked",
        help_text="Leave this as it is to put the new provider in the place of the first "
        "provider ticked above, in the order listed.",
    )
    field_order = ["providers", "code", "name", "place", "effective", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["providers"].queryset = self.organisations.filter(level=Level.PROVIDER)
        self.fields["providers"].label_from_instance = lambda org: f"{org.name} ({org.code})"
        self.fields["place"].queryset = self.organisations.filter(level=Level.PLACE)
        self.fields["place"].label_from_instance = _organisation_choice
