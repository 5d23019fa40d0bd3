from allauth.mfa.models import Authenticator
from django.shortcuts import redirect
from django.urls import reverse

from .scoping import scope_paths

# Paths a user who must set up MFA may still reach.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/status/")

MFA_SETUP_DETAIL = (
    "Set up two-factor authentication before using the API: organisation admins and superusers "
    "must use it. Sign in to the portal in a browser and follow the steps to add an "
    "authenticator app, then try again."
)


def requires_mfa(user) -> bool:
    """Organisation admins and superusers must use TOTP multi-factor authentication."""
    return user.is_superuser or bool(scope_paths(user, "admin"))


def must_set_up_mfa(user) -> bool:
    """True for a user who must use TOTP and has not set it up: they get no data anywhere."""
    return (
        user.is_authenticated
        and requires_mfa(user)
        and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    )


class RequireMFAMiddleware:
    """Send organisation admins and superusers without TOTP to set it up before anything else.

    Pages redirect to the set-up page; the API (signed in through the session) answers a 403
    problem instead. An API token's owner is checked by the token authentication
    (ahpportal.api.authentication.BearerTokenAuthentication), since a token request has no
    session user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(_ALLOWED_PREFIXES) and must_set_up_mfa(request.user):
            if request.path.startswith("/api/"):
                from ahpportal.api.exceptions import problem_response

                return problem_response(
                    403, MFA_SETUP_DETAIL, mfa_setup_url=reverse("mfa_activate_totp")
                )
            return redirect(reverse("mfa_activate_totp") + "?required=1")
        return self.get_response(request)
