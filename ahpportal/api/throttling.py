"""Per-token throttling: one bucket per API token (rate ``token``), one per signed-in browser
user (rate ``session``). Rates are read from ``settings.REST_FRAMEWORK`` on every request, so a
settings override (or the environment, see ``ahpportal/settings.py``) changes them."""

from __future__ import annotations

from django.conf import settings
from rest_framework import throttling

from councils.models import ApiToken


def _is_token(request) -> bool:
    return isinstance(request.auth, ApiToken)


class _RateThrottle(throttling.SimpleRateThrottle):
    def get_rate(self):
        return settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {}).get(self.scope)

    def applies(self, request) -> bool:
        raise NotImplementedError

    def allow_request(self, request, view):
        if not self.applies(request):
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.rate is None:
            return True
        return super().allow_request(request, view)


class TokenRateThrottle(_RateThrottle):
    """Requests made with an API token: one bucket per token."""

    scope = "token"

    def applies(self, request) -> bool:
        return _is_token(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class SessionRateThrottle(_RateThrottle):
    """Requests of a signed-in browser user (no token): one bucket per user."""

    scope = "session"

    def applies(self, request) -> bool:
        user = request.user
        return bool(user and user.is_authenticated) and not _is_token(request)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
