"""The one scoping mechanism: which organisations a user may see or act on.

A role held at an organisation covers that organisation and everything below it (its subtree,
a prefix of the materialised path). Every list starts from a scoped queryset and every detail
goes through :func:`get_in_scope_or_404`, so "does not exist" and "not yours" are the same 404::

    orgs = Organisation.objects.in_scope(request.user, "view")
    org = get_in_scope_or_404(Organisation, request.user, "view", code=code)
    runs = ImportRun.objects.in_scope(request.user, "import")   # scope_path_field on the queryset

Superusers cover England. Scopes are computed once per user object (one query) and are never
stored, so removing a role takes effect on the next request, API tokens included.

A seat on a body (:class:`councils.models.BodyMember`) is a role too: while its term is current
it gives its holder viewer scope at the body's organisation (``BODY_MEMBER_ROLE``), read in the
same query as the memberships; a term that has ended, or not yet begun, gives nothing. A chair's
seat also gives the right to manage that body's members, and only that body's
(:func:`bodies_managed_q`).

The tree itself is walked through one set of helpers, never a hand-written prefix or a sliced
path: ``Model.objects.below(org)`` / ``.at_or_above(org)`` on every scoped queryset,
``org.subtree()``, ``org.ancestors()``, ``org.ancestor_paths()``, ``org.parent_path`` on
:class:`councils.models.Organisation`, and :func:`scope_roots` for "the top of my scope".
"""

from __future__ import annotations

from django.db import models
from django.db.models import CharField, Q, Value
from django.http import Http404
from django.utils import timezone

# Which roles grant which action. Every role lets its holder see its subtree.
ACTION_ROLES: dict[str, frozenset[str]] = {
    "view": frozenset({"viewer", "respondent", "chair", "data_manager", "analyst", "org_admin"}),
    "respond": frozenset({"respondent"}),
    "chair": frozenset({"chair"}),
    "import": frozenset({"data_manager"}),
    "analyse": frozenset({"analyst"}),
    "admin": frozenset({"org_admin"}),
    # keep the leadership register (chief AHPs, chairs) of organisations in scope
    "register": frozenset({"chair", "org_admin"}),
    # running a body's meetings (agenda, papers, minutes, decisions, actions, escalations) and
    # a faculty's programmes: the chair, or an organisation admin, at the body's organisation
    "govern": frozenset({"chair", "org_admin"}),
}

#: The role a current seat on a body amounts to, at the body's organisation.
BODY_MEMBER_ROLE = "viewer"

ALL = None  # sentinel: the whole tree


def _check_action(action: str) -> frozenset[str]:
    try:
        return ACTION_ROLES[action]
    except KeyError:
        raise ValueError(
            f"Unknown scope action {action!r}; one of {sorted(ACTION_ROLES)}"
        ) from None


def scope_paths(user, action: str = "view") -> list[str] | None:
    """Materialised paths of the roots of ``user``'s scope for ``action``.

    ``None`` means everything (superuser); an empty list means nothing. Nested roots are folded
    into their ancestor. Cached on the user object, so one query per request.
    """
    roles = _check_action(action)
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return ALL
    cache = getattr(user, "_scope_memberships", None)
    if cache is None:
        cache = user._scope_memberships = _roles_held(user)
    paths = sorted({path for role, path in cache if role in roles})
    roots: list[str] = []
    for path in paths:  # sorted, so an ancestor comes before its descendants
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return roots


def _roles_held(user) -> list[tuple[str, str]]:
    """``(role, organisation path)`` for every role ``user`` holds and every current seat on a
    body (as ``BODY_MEMBER_ROLE`` at the body's organisation): one query."""
    from .models import BodyMember, Membership

    roles = Membership.objects.filter(user=user).values_list("role", "organisation__path")
    seats = (
        BodyMember.objects.filter(user=user)
        .current(timezone.localdate())
        .values_list(Value(BODY_MEMBER_ROLE, output_field=CharField()), "body__organisation__path")
    )
    return list(roles.order_by().union(seats.order_by(), all=True))


def bodies_managed_q(user) -> Q:
    """A ``Q`` on :class:`councils.models.Body` keeping the bodies ``user`` may manage (add,
    change and remove members): those at or below an organisation they administer, and those
    where they hold a current chair's seat. One subquery; never wider than that body."""
    from .models import BodyMember, Position

    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    chaired = (
        BodyMember.objects.filter(user=user, position=Position.CHAIR)
        .current(timezone.localdate())
        .values("body_id")
    )
    return scope_q(user, "admin") | Q(pk__in=chaired)


def scope_roots(user, action: str = "view") -> list:
    """The organisations at the top of ``user``'s scope for ``action``, in path order.

    The tree's root nodes for a superuser, an empty list for someone with no such role. Cached
    on the user object per action (one query each), like :func:`scope_paths`.
    """
    from .models import Organisation

    paths = scope_paths(user, action)
    if paths == []:
        return []
    cache = user.__dict__.setdefault("_scope_roots", {})
    if action not in cache:
        if paths is ALL:
            roots = Organisation.get_root_nodes()
        else:
            roots = Organisation.objects.filter(path__in=paths)
        cache[action] = list(roots.order_by("path"))
    return cache[action]


def remember_roots(user, known, action: str = "view") -> None:
    """Fill :func:`scope_roots`' cache from organisations a page has fetched already (its
    organisation and the ancestors of its breadcrumb) when they hold every root of ``user``'s
    scope, so the navigation's "your organisations" costs no query of its own. Otherwise (or
    for a superuser, whose roots are the tree's) the cache is left to ``scope_roots``."""
    paths = scope_paths(user, action)
    cache = user.__dict__.setdefault("_scope_roots", {}) if paths else {}
    if not paths or paths is ALL or action in cache:
        return
    by_path = {organisation.path: organisation for organisation in known}
    if all(path in by_path for path in paths):
        cache[action] = [by_path[path] for path in paths]  # paths are in path order


def forget_scope(user) -> None:
    """Drop the cached scope (after a role is granted or removed within the same request)."""
    for name in ("_scope_memberships", "_scope_roots"):
        user.__dict__.pop(name, None)


def scope_q(user, action: str = "view", path_field: str = "organisation__path") -> Q:
    """A ``Q`` that keeps rows whose organisation lies in ``user``'s scope for ``action``."""
    roots = scope_paths(user, action)
    if roots is ALL:
        return Q()
    if not roots:
        return Q(pk__in=[])
    q = Q()
    for root in roots:
        q |= _prefix_q(root, path_field)
    return q


def _prefix_q(path: str, path_field: str) -> Q:
    return Q(**{f"{path_field}__startswith": path})


def below_q(organisation, path_field: str = "organisation__path") -> Q:
    """A ``Q`` that keeps rows whose organisation is ``organisation`` or lies below it: one
    indexed prefix query on the materialised path, at any depth. Not a scope check."""
    return _prefix_q(organisation.path, path_field)


def at_or_above_q(organisation, path_field: str = "organisation__path") -> Q:
    """A ``Q`` that keeps rows whose organisation is ``organisation`` or one of its ancestors."""
    return Q(**{f"{path_field}__in": organisation.ancestor_paths(include_self=True)})


def covers(user, action: str, organisation) -> bool:
    """Whether ``user`` may do ``action`` on ``organisation`` (already fetched)."""
    roots = scope_paths(user, action)
    if roots is ALL:
        return True
    return any(organisation.path.startswith(root) for root in roots)


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows where its rows' organisation path is.

    Subclasses (or models whose organisation is further away) set ``scope_path_field``.
    """

    scope_path_field = "organisation__path"

    def in_scope(self, user, action: str = "view"):
        return self.filter(scope_q(user, action, self.scope_path_field))

    def below(self, organisation):
        """Rows of ``organisation`` and of every organisation below it (narrows, never widens:
        chain it after :meth:`in_scope`)."""
        return self.filter(below_q(organisation, self.scope_path_field))

    def at_or_above(self, organisation):
        """Rows of ``organisation`` and of its ancestors, up to the root."""
        return self.filter(at_or_above_q(organisation, self.scope_path_field))


def get_in_scope_or_404(model_or_queryset, user, action: str = "view", **lookup):
    """Fetch one object within ``user``'s scope for ``action``, or raise 404.

    The same 404 for "does not exist" and "exists but not yours", so ids cannot be probed.
    """
    if isinstance(model_or_queryset, models.QuerySet):
        queryset = model_or_queryset
    else:
        queryset = model_or_queryset._default_manager.all()
    if not hasattr(queryset, "in_scope"):
        raise TypeError(f"{queryset.model.__name__} has no scoped queryset")
    try:
        return queryset.in_scope(user, action).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such page.") from None
    except queryset.model.MultipleObjectsReturned:
        raise Http404("No such page.") from None


def benchmark_q(organisation) -> Q:
    """Organisations shown beside ``organisation`` on a benchmark, as a ``Q`` on Organisation.

    Its children (drill-down), its siblings and England: the figures the parent publishes. This
    is the only place sibling data may appear; callers must first have fetched ``organisation``
    through :func:`get_in_scope_or_404`, and sibling figures still go through small-number
    suppression (``dashboard.suppression``).
    """
    q = below_q(organisation, "path") & Q(depth=organisation.depth + 1)
    if not organisation.is_root():
        siblings = _prefix_q(organisation.parent_path, "path") & Q(depth=organisation.depth)
        q |= siblings | Q(path=organisation.root_path)
    return q


def scope_memberships(user) -> list[tuple[str, str]]:
    """Every ``(role, organisation path)`` the user holds, as the scope reads them (sorted; the
    same cached query as :func:`scope_paths`). Empty for a superuser, whose scope is everything:
    for what must change whenever the user's roles change (e.g. the API's ETags)."""
    scope_paths(user, "view")  # reads the memberships once per user object
    return sorted(getattr(user, "_scope_memberships", None) or [])


def organisation_ids_filter(user, action: str = "view") -> dict:
    """``{"organisation_id__in": [...]}`` for ``user``'s scope for ``action``, or ``{}`` when it
    covers the whole tree: the scope as a list of ids (one small query), so that a large table
    is read by its organisation index instead of being joined to the tree on paths."""
    from .models import Organisation

    roots = scope_paths(user, action)
    if roots is not ALL:
        top = set(Organisation.get_root_nodes().values_list("path", flat=True))
        if not top <= set(roots):
            ids = Organisation.objects.in_scope(user, action).values_list("pk", flat=True)
            return {"organisation_id__in": list(ids)}
    return {}
