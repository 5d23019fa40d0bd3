"""Personal API tokens for analysts and data managers: shown once, stored hashed (SHA-256), named,
expiring, revocable, with the time of last use.

The model lives here (imported by councils/models.py) together with the few writes that have rules,
so the token pages and the API authentication share one place.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "ahp_"
MAX_LIFETIME = datetime.timedelta(days=365)
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)  # at most one write a minute per token


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """One person's token. Only the SHA-256 of the secret is kept; ``prefix`` identifies it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'Power BI'")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise it")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        app_label = "councils"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "Revoked"
        if timezone.now() >= self.expires_at:
            return "Expired"
        return "Active"

    @property
    def is_usable(self) -> bool:
        return self.status == "Active"


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
