"""The account page's API tokens: create (the secret is shown once), list, revoke."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from councils.widgets import DateInput

from .api_tokens import (
    MAX_LIFETIME,
    NOT_ALLOWED,
    ApiToken,
    api_token_create,
    api_token_revoke,
    may_hold_tokens,
)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What the token is for, so you can recognise it later (for example Power BI).",
    )
    expires_on = forms.DateField(
        label="Expiry date",
        help_text="The token stops working at the end of this day: at most one year from today.",
        widget=DateInput,
    )

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise ValidationError("The expiry date must be in the future.")
        if day > today + MAX_LIFETIME:
            raise ValidationError("The expiry date must be within a year from today.")
        return day


SHOW_ONCE_KEY = "api_token_just_created"


@never_cache
@login_required
def api_tokens(request):
    """The token list and form. A new token's secret goes through the session to the page that
    the POST redirects to (so reloading that page never creates a second token) and is removed
    from the session as it is shown: it is shown once."""
    allowed = may_hold_tokens(request.user)
    initial = {"expires_on": timezone.localdate() + datetime.timedelta(days=90)}
    form = ApiTokenForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied(NOT_ALLOWED)
        if form.is_valid():
            try:
                created, secret = api_token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    expires_on=form.cleaned_data["expires_on"],
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                request.session[SHOW_ONCE_KEY] = {"id": created.pk, "secret": secret}
                return redirect("api_tokens")
    just_created = request.session.pop(SHOW_ONCE_KEY, None) if request.method == "GET" else None
    tokens = list(ApiToken.objects.filter(user=request.user))
    created = next((t for t in tokens if just_created and t.pk == just_created["id"]), None)
    return render(
        request,
        "councils/api_tokens.html",
        {
            "form": form,
            "allowed": allowed,
            "tokens": tokens,
            "secret": just_created["secret"] if created else None,
            "created": created,
            "max_days": MAX_LIFETIME.days,
        },
    )


@login_required
@require_POST
def api_token_revoke_view(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # only your own tokens
    api_token_revoke(token=token)
    messages.success(request, f"The token {token.name} is revoked: it no longer works.")
    return redirect("api_tokens")
