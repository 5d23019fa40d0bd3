"""England's page for changes of structure (councils.structure, PRODUCT.md 7): the moves and
mergers recorded so far, and the forms an England admin records a new one with."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from . import selectors, structure
from .forms import StructureMergerForm, StructureMoveForm, add_service_errors
from .models import Level, Organisation
from .pages import org_page
from .scoping import get_in_scope_or_404

RECOMPUTE_NOTE = (
    "Figures are recomputed on the new structure when the queued recompute finishes; until "
    "then they are on the old one."
)


def _record_move(data, user) -> str:
    period = structure.record_move(
        data["organisation"],
        data["new_parent"],
        data["effective"],
        user=user,
        reason=data["reason"],
    )
    return (
        f"Recorded: {period.organisation.name} moves from {period.parent.name} to "
        f"{data['new_parent'].name} from {period.valid_to:%B %Y}."
    )


def _record_merger(data, user) -> str:
    providers = list(data["providers"])
    successor = structure.record_merger(
        providers,
        code=data["code"],
        name=data["name"],
        effective=data["effective"],
        user=user,
        reason=data["reason"],
        place=data["place"],
    )
    codes = ", ".join(provider.code for provider in providers)
    return (
        f"Recorded: {codes} merge into {successor.name} ({successor.code}) from "
        f"{data['effective']:%B %Y}."
    )


#: The changes the page records: the form's prefix (and the POSTed ``change``), its form and
#: the service call, which returns what to tell the admin.
CHANGES = {
    "move": (StructureMoveForm, _record_move),
    "merger": (StructureMergerForm, _record_merger),
}


@login_required
def structure_changes(request, code):
    """England only, for an organisation admin at England (404 for everyone else)."""
    england = get_in_scope_or_404(
        Organisation, request.user, "admin", code=code, level=Level.ENGLAND
    )
    posted = request.POST.get("change") if request.method == "POST" else None
    organisations = Organisation.objects.in_scope(request.user, "admin")
    forms = {
        change: form_class(
            request.POST if change == posted else None, organisations=organisations, prefix=change
        )
        for change, (form_class, _record) in CHANGES.items()
    }
    if posted in CHANGES and forms[posted].is_valid():
        form, record = forms[posted], CHANGES[posted][1]
        try:
            done = record(form.cleaned_data, request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{done} {RECOMPUTE_NOTE}")
            return redirect("councils:structure", code=england.code)
    context = {
        "changes": [{"name": change, "form": form} for change, form in forms.items()],
        "move_form": forms["move"],
        "merger_form": forms["merger"],
        "moves": selectors.recorded_moves(request.user),
        "mergers": selectors.recorded_mergers(request.user),
    }
    return org_page(request, "councils/structure.html", england, **context)
