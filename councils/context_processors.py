from .scoping import scope_roots


def my_organisations(request):
    """The organisations where the signed-in user holds a role, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_organisations": []}
    return {"my_organisations": scope_roots(user, "view")}
