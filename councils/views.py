from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from delivery import meeting_selectors
from readiness import selectors as readiness_selectors

from . import health, selectors, services
from .forms import AcceptInvitationForm, InvitationForm
from .models import Invitation, Level, Membership, Organisation
from .pages import org_page, org_view
from .scoping import covers, get_in_scope_or_404, scope_roots

# The heading of an organisation's page over the organisations one level below it
CHILDREN_HEADINGS = {
    Level.ENGLAND: "Regions",
    Level.REGION: "Integrated care systems",
    Level.ICS: "Places",
}


@login_required
def home(request):
    # a respondent starts with what they have to complete; others with their organisations
    due = list(readiness_selectors.assigned_to(request.user)[: HOME_DUE_SHOWN + 1])
    return render(
        request,
        "councils/home.html",
        {
            "roots": scope_roots(request.user, "view"),
            "due": due[:HOME_DUE_SHOWN],
            "more_due": len(due) > HOME_DUE_SHOWN,
            "meeting_actions": meeting_selectors.open_actions_for(request.user),
            "today": timezone.localdate(),
        },
    )


HOME_DUE_SHOWN = 10


@org_view("councils/organisation_detail.html")
def organisation_detail(request, org):
    can_admin = covers(request.user, "admin", org)
    return {
        "children": selectors.children_of(org),
        "closed_children": selectors.closed_children_of(org),
        "children_heading": CHILDREN_HEADINGS.get(org.level, "Providers"),
        "bodies": selectors.bodies_of(org),
        "can_admin": can_admin,
        "can_import": covers(request.user, "import", org),
        # changes of structure are recorded at England, by its organisation admins
        "can_record_structure": can_admin and org.level == Level.ENGLAND,
    }


@login_required
def my_roles(request):
    return render(
        request, "councils/my_roles.html", {"memberships": selectors.memberships_of(request.user)}
    )


@login_required
@require_POST
def role_leave(request, pk):
    membership = get_object_or_404(Membership, pk=pk, user=request.user)
    services.membership_leave(user=request.user, membership=membership)
    messages.success(
        request,
        f"You no longer hold the role {membership.get_role_display()} "
        f"at {membership.organisation.name}.",
    )
    return redirect("councils:account")


@login_required
def people(request, code):
    """An organisation admin's page: roles held in the subtree, invitations, the invite form,
    and the role history (who granted or removed which role, and when)."""
    org = get_in_scope_or_404(Organisation, request.user, "admin", code=code)
    form = InvitationForm(
        request.POST or None,
        organisations=org.subtree(),
        initial={"organisation": org.pk},
    )
    if request.method == "POST" and form.is_valid():
        services.invitation_create(
            inviter=request.user,
            email=form.cleaned_data["email"],
            organisation=form.cleaned_data["organisation"],
            role=form.cleaned_data["role"],
            build_url=request.build_absolute_uri,
        )
        messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
        return redirect("councils:people", code=org.code)
    return org_page(
        request,
        "councils/people.html",
        org,
        form=form,
        memberships=Membership.objects.below(org)
        .in_scope(request.user, "admin")
        .select_related("user", "organisation"),
        invitations=Invitation.objects.below(org)
        .in_scope(request.user, "admin")
        .select_related("organisation", "invited_by", "body")[:50],
        role_history=selectors.role_history(request.user, org),
    )


@login_required
@require_POST
def role_revoke(request, code, pk):
    org = get_in_scope_or_404(Organisation, request.user, "admin", code=code)
    membership = get_in_scope_or_404(
        Membership.objects.below(org),
        request.user,
        "admin",
        pk=pk,
    )
    services.membership_revoke(admin=request.user, membership=membership)
    messages.success(request, f"Removed {membership}.")
    return redirect("councils:people", code=org.code)


@never_cache
def invitation_accept(request, token):
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as error:
        return render(
            request, "councils/invitation_invalid.html", {"reason": str(error)}, status=410
        )

    user_exists = get_user_model().objects.filter(email__iexact=invitation.email).exists()
    form = None
    if request.user.is_authenticated or user_exists:
        if request.method == "POST":
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except services.InvitationError as error:
                return render(
                    request, "councils/invitation_invalid.html", {"reason": str(error)}, status=409
                )
            messages.success(
                request,
                f"You are now {invitation.offer}.",
            )
            return redirect("councils:account")
    else:
        form = AcceptInvitationForm(request.POST or None, email=invitation.email)
        if request.method == "POST" and form.is_valid():
            user = services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["password1"]
            )
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to AHP Portal.")
            return redirect("home")
    return render(
        request,
        "councils/invitation_accept.html",
        {"invitation": invitation, "form": form, "user_exists": user_exists},
    )


@require_GET
@never_cache
def healthz(request):
    """The service's checks as JSON for monitors: 200 when all are ok, else 503 ("degraded")."""
    checks = health.service_checks()
    healthy = all(check.ok for check in checks)
    body = {check.name: check.as_json() for check in checks}
    body["status"] = "ok" if healthy else "degraded"
    return JsonResponse(body, status=200 if healthy else 503, json_dumps_params={"indent": 2})


@require_GET
@never_cache
def status(request):
    """The same checks as /healthz, for people, in the NHS layout (open to everyone; the page
    itself answers 200 whatever it reports, monitors read /healthz)."""
    checks = health.service_checks()
    return render(
        request,
        "councils/status.html",
        {"checks": checks, "healthy": all(check.ok for check in checks)},
    )
