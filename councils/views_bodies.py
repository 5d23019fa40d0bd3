"""A body's page (members and member history) and the pages its chair or an organisation admin
uses to add, change and remove members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import bodies, services
from .forms import BodyMemberAddForm, BodyMemberChangeForm
from .models import BodyMember
from .pages import form_page, org_context, scoped_view


@scoped_view(bodies.body_for, "councils/body.html")
def body_detail(request, body):
    members = list(bodies.members_of(body))
    today = timezone.localdate()
    can_manage = bodies.can_manage(request.user, body)
    return org_context(
        request,
        body.organisation,
        body=body,
        current=[m for m in members if m.is_current(today)],
        past=[m for m in members if not m.is_current(today)],
        can_manage=can_manage,
        invitations=bodies.pending_invitations(body) if can_manage else [],
        history=bodies.member_history(body),
    )


@login_required
def body_member_add(request, pk):
    """Add a member (GET shows the form)."""
    body = bodies.body_to_manage(request.user, pk)
    form = BodyMemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.user is None:
        data = form.cleaned_data
        services.seat_invitation_create(
            inviter=request.user,
            body=body,
            email=data["email"],
            position=data["position"],
            term_start=data["term_start"],
            term_end=data["term_end"],
            build_url=request.build_absolute_uri,
        )
        messages.success(
            request,
            f"Invitation sent to {data['email']}. They take the seat when they accept it.",
        )
        return redirect("councils:body", pk=body.pk)
    return form_page(
        request,
        form,
        lambda data: bodies.member_add(
            by=request.user, body=body, user=form.user, **{f: data[f] for f in SEAT_FIELDS}
        ),
        template="councils/body_member_form.html",
        context={"body": body, "org": body.organisation, "heading": "Add a member"},
        done=lambda member: (
            f"{member.user.get_full_name()} is now {member.get_position_display().lower()} "
            f"of {body.name}.",
            _body_url(body.pk),
        ),
    )


SEAT_FIELDS = ("position", "term_start", "term_end")


def _body_url(pk) -> str:
    return reverse("councils:body", kwargs={"pk": pk})


def _member(request, pk, member_pk) -> BodyMember:
    body = bodies.body_to_manage(request.user, pk)
    member = get_object_or_404(BodyMember.objects.select_related("user"), pk=member_pk, body=body)
    member.body = body
    return member


@login_required
def body_member_change(request, pk, member_pk):
    member = _member(request, pk, member_pk)
    form = BodyMemberChangeForm(
        request.POST or None,
        initial={
            "position": member.position,
            "term_start": member.term_start,
            "term_end": member.term_end,
        },
    )
    return form_page(
        request,
        form,
        lambda data: bodies.member_change(by=request.user, member=member, **data),
        template="councils/body_member_form.html",
        context={
            "body": member.body,
            "org": member.body.organisation,
            "member": member,
            "heading": f"Change the seat of {member.user.get_full_name()}",
        },
        done=lambda _: (
            f"Changed the seat of {member.user.get_full_name()}.",
            _body_url(member.body_id),
        ),
    )


@login_required
@require_POST
def body_member_remove(request, pk, member_pk):
    member = _member(request, pk, member_pk)
    bodies.member_remove(by=request.user, member=member)
    messages.success(request, f"Removed {member.user.get_full_name()} from {member.body.name}.")
    return redirect("councils:body", pk=member.body_id)
