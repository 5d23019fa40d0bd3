from .scoping import scope_paths, scope_roots


def _holds(user, action: str) -> bool:
    roots = scope_paths(user, action)  # cached on the user: no query beyond the first
    return roots is None or bool(roots)


def my_organisations(request):
    """The organisations where the signed-in user holds a role, and which parts of the portal
    their roles can use, for the header (Imports only for data managers and admins, the API
    only for analysts and data managers, Readiness for respondents and chairs)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_organisations": [], "nav": {}}
    can = {
        action: _holds(user, action)
        for action in ("respond", "chair", "import", "analyse", "admin")
    }
    nav = {
        "readiness": can["respond"] or can["chair"],
        "imports": can["import"] or can["admin"],
        "api": can["analyse"] or can["import"],
    }
    return {"my_organisations": scope_roots(user, "view"), "nav": nav}
