"""Reads of the organisation tree shared by pages and the API. All go through councils.scoping."""

from .models import Body, Membership, Organisation
from .scoping import covers, get_in_scope_or_404, scope_paths


def my_organisations(user) -> list[Organisation]:
    """The roots of the user's view scope (cached on the user for the request)."""
    cached = getattr(user, "_my_organisations", None)
    if cached is None:
        roots = scope_paths(user, "view")
        if roots is None:
            cached = list(Organisation.get_root_nodes())
        else:
            cached = list(Organisation.objects.filter(path__in=roots))
        user._my_organisations = cached
    return cached


def organisation_for(user, code: str, action: str = "view") -> Organisation:
    return get_in_scope_or_404(Organisation, user, action, code=code)


def breadcrumb(user, organisation: Organisation) -> list[tuple[Organisation, bool]]:
    """Ancestors of ``organisation`` (root first), each with whether the user may open it.

    Ancestors outside the user's scope are shown as plain text, never as links.
    """
    ancestors = list(Organisation.objects.filter(path__in=_ancestor_paths(organisation)))
    return [(org, covers(user, "view", org)) for org in ancestors]


def _ancestor_paths(organisation: Organisation) -> list[str]:
    steplen = Organisation.steplen
    return [organisation.path[:i] for i in range(steplen, len(organisation.path), steplen)]


def children_of(organisation: Organisation):
    return Organisation.objects.filter(
        path__startswith=organisation.path, depth=organisation.depth + 1
    )


def bodies_of(organisation: Organisation):
    return Body.objects.filter(organisation=organisation).prefetch_related("members__user")


def memberships_of(user):
    return Membership.objects.filter(user=user).select_related("organisation", "granted_by")


def organisations_for_choice(user, action: str):
    """Organisations a user may pick in a form for ``action`` (e.g. admins inviting)."""
    return Organisation.objects.in_scope(user, action)
