"""Personal API tokens for analysts and data managers: shown once, stored hashed (SHA-256), named,
expiring, revocable, with the time of last use.

The model is ``councils.models.ApiToken``; the few writes that have rules live here, so the token
pages and the API authentication share one place.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from .models import ApiToken

TOKEN_PREFIX = "ahp_"
MAX_LIFETIME = datetime.timedelta(days=365)
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)  # at most one write a minute per token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: Scope actions whose holders may have tokens: "analyse" (the analyst role) to read the API,
#: "import" (the data manager role) to POST workforce files. A token never widens what its owner
#: may do: each request is still scoped by the action it needs (reads need "analyse").
TOKEN_ACTIONS = ("analyse", "import")
NOT_ALLOWED = "API tokens are for people who hold the analyst or data manager role."


def may_hold_tokens(user) -> bool:
    """Whether ``user`` holds a role somewhere that a token is for (see ``TOKEN_ACTIONS``)."""
    from .scoping import scope_paths

    return any(scope_paths(user, action) != [] for action in TOKEN_ACTIONS)


def api_token_create(*, user, name: str, expires_on: datetime.date) -> tuple[ApiToken, str]:
    """Create a token; returns it and the secret, which is never stored and never shown again."""
    if not may_hold_tokens(user):
        raise PermissionDenied(NOT_ALLOWED)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Enter a name for the token."})
    today = timezone.localdate()
    if expires_on <= today:
        raise ValidationError({"expires_on": "The expiry date must be in the future."})
    if expires_on > today + MAX_LIFETIME:
        raise ValidationError({"expires_on": "The expiry date must be within a year from today."})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.make_aware(
        datetime.datetime.combine(expires_on, datetime.time(23, 59, 59))
    )
    token = ApiToken.objects.create(
        user=user,
        name=name,
        token_hash=hash_token(secret),
        prefix=secret[: len(TOKEN_PREFIX) + 4],
        expires_at=expires_at,
    )
    return token, secret


def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The usable token for ``secret`` (user loaded), recording its use; ``None`` otherwise."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.usable(now)
        .select_related("user")
        .filter(token_hash=hash_token(secret))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
