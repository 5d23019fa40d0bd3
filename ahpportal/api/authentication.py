"""``Authorization: Bearer <token>`` with a personal API token (see :mod:`councils.api_tokens`)."""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from councils.api_tokens import api_token_authenticate, may_hold_tokens
from councils.middleware import MFA_SETUP_DETAIL, must_set_up_mfa


class MFARequired(exceptions.PermissionDenied):
    default_detail = MFA_SETUP_DETAIL
    default_code = "mfa_required"


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` with a personal API token.

    A token stops working at once when it is revoked or expires, when its owner is deactivated,
    or when its owner no longer holds the analyst or data manager role anywhere (the scope itself
    is computed from the memberships on every request).
    """

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Send the token as 'Authorization: Bearer <token>', with no spaces in the token."
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = api_token_authenticate(secret)
        if token is None:
            raise exceptions.AuthenticationFailed(
                "The token is not valid, or has expired or been revoked."
            )
        if not may_hold_tokens(token.user):
            raise exceptions.AuthenticationFailed(
                "The token's owner no longer holds the analyst or data manager role, so the token "
                "does not work."
            )
        if must_set_up_mfa(token.user):
            # An admin who must use two-factor gets no data until it is set up, token or not.
            raise MFARequired()
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
