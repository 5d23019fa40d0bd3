from allauth.mfa.models import Authenticator
from django.shortcuts import redirect
from django.urls import reverse

from .scoping import scope_paths

# Paths a user who must set up MFA may still reach.
_ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz")


def requires_mfa(user) -> bool:
    """Organisation admins and superusers must use TOTP multi-factor authentication."""
    return user.is_superuser or bool(scope_paths(user, "admin"))


class RequireMFAMiddleware:
    """Send organisation admins and superusers without TOTP to set it up before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_ALLOWED_PREFIXES)
            and not request.path.startswith("/api/")
            and requires_mfa(user)
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            return redirect(reverse("mfa_activate_totp") + "?required=1")
        return self.get_response(request)
