from .selectors import my_organisations as _my_organisations


def my_organisations(request):
    """The organisations where the signed-in user holds a role, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_organisations": []}
    return {"my_organisations": _my_organisations(user)}
