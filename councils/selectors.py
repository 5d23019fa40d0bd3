"""Reads of the organisation tree shared by pages and the API. All go through councils.scoping."""

from .models import Body, Membership, Organisation
from .scoping import covers, get_in_scope_or_404


def organisation_for(user, code: str, action: str = "view") -> Organisation:
    return get_in_scope_or_404(Organisation, user, action, code=code)


def breadcrumb(user, organisation: Organisation) -> list[tuple[Organisation, bool]]:
    """Ancestors of ``organisation`` (root first), each with whether the user may open it.

    Ancestors outside the user's scope are shown as plain text, never as links.
    """
    return [(org, covers(user, "view", org)) for org in organisation.ancestors()]


def children_of(organisation: Organisation):
    return organisation.children()


def bodies_of(organisation: Organisation):
    return Body.objects.filter(organisation=organisation).prefetch_related("members__user")


def memberships_of(user):
    return Membership.objects.filter(user=user).select_related("organisation", "granted_by")
