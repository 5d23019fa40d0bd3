"""Reads of import runs shared by the pages and the API. All go through councils.scoping."""

from councils.models import Organisation
from councils.scoping import get_in_scope_or_404, scope_paths

from .models import ImportRun


def import_organisations(user) -> list[Organisation]:
    """The roots of the user's import scope (where they hold the data manager role)."""
    roots = scope_paths(user, "import")
    if roots is None:
        return list(Organisation.get_root_nodes())
    return list(Organisation.objects.filter(path__in=roots))


def runs_in_scope(user):
    return ImportRun.objects.in_scope(user, "import").select_related("organisation", "uploaded_by")


def runs_for(user, organisation: Organisation):
    """Runs made for ``organisation`` or any organisation below it, newest first."""
    return runs_in_scope(user).filter(organisation__path__startswith=organisation.path)


def run_for(user, organisation: Organisation, pk) -> ImportRun:
    return get_in_scope_or_404(
        runs_for(user, organisation).select_related("committed_by"), user, "import", pk=pk
    )
