from django import forms

from .models import Organisation, Role


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
