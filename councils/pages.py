"""Rendering shared by the apps' pages: pages about one organisation or one scoped object, and
the add/change pages (a form, a service's ValidationError put back onto it so nothing typed is
lost, and a flash and redirect on success)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from .forms import add_service_errors
from .scoping import remember_roots
from .selectors import breadcrumb, organisation_for


def org_context(request, org, **context) -> dict:
    """A page's context about ``org``: the organisation, its breadcrumb for the user, and more."""
    crumbs = breadcrumb(request.user, org)
    remember_roots(request.user, [org, *(ancestor for ancestor, _ in crumbs)])
    return {"org": org, "breadcrumb": crumbs, **context}


def org_page(request, template: str, org, **context):
    """Render ``template`` with ``org``, its breadcrumb for the user, and the page's ``context``."""
    return render(request, template, org_context(request, org, **context))


def scoped_view(lookup, template: str):
    """Decorate ``context(request, obj)`` into a signed-in page about the object that
    ``lookup(user, pk)`` finds in the user's scope (a 404 outside it), rendering ``template``
    with the context the function returns."""

    def decorate(context):
        @login_required
        @wraps(context)
        def view(request, pk):
            return render(request, template, context(request, lookup(request.user, pk)))

        return view

    return decorate


def org_view(template: str, action: str = "view"):
    """Decorate ``context(request, org)`` into a signed-in page about the organisation the URL's
    ``code`` names: found in the user's scope for ``action`` (a 404 outside it), and rendered
    with ``org_page`` and the extra context the function returns."""

    def decorate(context):
        @login_required
        @wraps(context)
        def view(request, code):
            org = organisation_for(request.user, code, action)
            return org_page(request, template, org, **context(request, org))

        return view

    return decorate


def form_page(request, form, save, *, template, context, done):
    """Every add/change page: on a valid POST ``save(cleaned_data)``; a service's
    ValidationError goes back onto the form (so nothing typed is lost); on success flash
    ``done(result)``'s message and go to its URL."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message, url = done(result)
            messages.success(request, message)
            return redirect(url)
    return render(request, template, {**context, "form": form})
