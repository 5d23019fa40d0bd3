"""Writes with rules for organisations, roles and invitations."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .models import BodyMember, Invitation, Membership, Organisation, Position, Role
from .scoping import covers, forget_scope
from .tasks import send_email

INVITATION_LIFETIME = timedelta(days=7)


class InvitationError(Exception):
    """An invitation that cannot be accepted; the message is shown to the person."""


def invitation_create(
    *, inviter, email: str, organisation: Organisation, role: str, build_url
) -> Invitation:
    """Invite ``email`` to hold ``role`` at ``organisation``; the inviter must admin it.

    ``build_url(path)`` turns the accept path into an absolute URL for the email.
    """
    if not covers(inviter, "admin", organisation):
        raise PermissionDenied("You can only invite people to organisations you administer.")
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role from the list."})
    return _invite(
        inviter=inviter,
        build_url=build_url,
        email=email,
        organisation=organisation,
        role=role,
    )


def _invite(*, inviter, build_url, **fields) -> Invitation:
    """Make the invitation (its token stored hashed) and email its link once committed."""
    token, token_hash = Invitation.new_token()
    invitation = Invitation.objects.create(
        **{**fields, "email": fields["email"].strip().lower()},
        token_hash=token_hash,
        invited_by=inviter,
        expires_at=timezone.now() + INVITATION_LIFETIME,
    )
    url = build_url(reverse("councils:invitation_accept", args=[token]))
    what = invitation.get_role_display() if invitation.role else invitation.offer
    subject = f"You are invited to AHP Portal as {what}"
    message = (
        f"{inviter.get_full_name()} has invited you to AHP Portal as {invitation.offer}.\n\n"
        f"Accept the invitation within 7 days: {url}\n"
    )
    transaction.on_commit(
        lambda: send_email.delay(subject=subject, message=message, recipients=[invitation.email])
    )
    return invitation


def seat_invitation_create(
    *, inviter, body, email: str, position: str, term_start, term_end, build_url
) -> Invitation:
    """Invite ``email`` (who has no account yet) to a seat on ``body``; the inviter must be able
    to manage the body (its chair, or an organisation admin at or above it)."""
    from .bodies import can_manage

    if not can_manage(inviter, body):
        raise PermissionDenied("Only the body's chair or an organisation admin may do this.")
    return _invite(
        inviter=inviter,
        build_url=build_url,
        email=email,
        organisation=body.organisation,
        role="",
        body=body,
        position=position,
        term_start=term_start,
        term_end=term_end,
    )


def invitation_for_token(token: str) -> Invitation:
    """The pending invitation for ``token``, or ``InvitationError`` saying why not."""
    try:
        invitation = Invitation.objects.select_related("organisation", "body").get(
            token_hash=Invitation.hash_token(token)
        )
    except Invitation.DoesNotExist:
        raise InvitationError("This invitation link is not valid. Ask for a new one.") from None
    if invitation.accepted_at:
        raise InvitationError("This invitation has already been used. Sign in instead.")
    if invitation.is_expired:
        raise InvitationError(
            "This invitation has expired. Ask your organisation admin to invite you again."
        )
    return invitation


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user=None, password: str | None = None):
    """Grant the invited role to ``user`` (signed in as the invited email) or a new account.

    Returns the user who now holds the role.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.is_expired:
        raise InvitationError("This invitation can no longer be accepted.")
    User = get_user_model()
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise InvitationError("An account with this email exists: sign in to accept.")
        user = User.objects.create_user(invitation.email, password)
    elif user.email.lower() != invitation.email:
        raise InvitationError(
            f"This invitation is for {invitation.email}. Sign out and sign in as that person."
        )
    if invitation.role:
        Membership.objects.get_or_create(
            user=user,
            organisation=invitation.organisation,
            role=invitation.role,
            defaults={"granted_by": invitation.invited_by},
        )
    if invitation.body_id:
        BodyMember.objects.get_or_create(
            body=invitation.body,
            user=user,
            defaults={
                "position": invitation.position or Position.MEMBER,
                "term_start": invitation.term_start,
                "term_end": invitation.term_end,
                "added_by": invitation.invited_by,
            },
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    forget_scope(user)
    return user


def membership_leave(*, user, membership: Membership) -> None:
    """A user gives up one of their own roles."""
    if membership.user_id != user.pk:
        raise PermissionDenied
    membership.delete()
    forget_scope(user)


def membership_revoke(*, admin, membership: Membership) -> None:
    """An organisation admin removes a role held within their scope."""
    if not covers(admin, "admin", membership.organisation):
        raise PermissionDenied
    membership.delete()
