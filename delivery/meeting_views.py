"""A body's meetings: the list, a meeting's page (agenda with live links, papers, minutes,
decisions, actions, escalations), its printable agenda and minutes, its calendar file, and the
chair's forms. Reading needs "view" in scope of the body's organisation; every change needs
"govern" (the chair or an organisation admin there or above). Anything else is a 404."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from councils.pages import form_page, scoped_view
from councils.selectors import breadcrumb

from . import calendar
from . import meeting_selectors as selectors
from . import meeting_services as services
from .meeting_forms import (
    ActionForm,
    ActionStatusForm,
    AgendaItemForm,
    DecisionForm,
    EscalateForm,
    MeetingForm,
    MinutesForm,
    OutcomeForm,
    PaperForm,
)
from .meeting_models import AgendaItem
from .papers import CONTENT_TYPES

MEETING_FORM = "delivery/meetings/form.html"


def body_context(request, body, **extra) -> dict:
    org = body.organisation
    return {
        "body": body,
        "org": org,
        "breadcrumb": breadcrumb(request.user, org) + [(org, True)],
        "can_govern": selectors.can_govern(request.user, body),
        **extra,
    }


def meeting_form_page(request, form, save, *, context, done, template=MEETING_FORM):
    """``form_page`` for the meetings' and programmes' add/change pages, on the one form
    template they share unless ``template`` names another."""
    return form_page(request, form, save, template=template, context=context, done=done)


def _meeting_url(meeting) -> str:
    return reverse("delivery:meeting", args=[meeting.pk])


def _items(meeting):
    return AgendaItem.objects.filter(meeting=meeting).order_by("position")


@scoped_view(selectors.body_for, "delivery/meetings/body.html")
def body_meetings(request, body):
    return body_context(request, body, data=selectors.body_meetings(body))


@login_required
def meeting_create(request, pk):
    body = selectors.body_for(request.user, pk, "govern")
    form = MeetingForm(request.POST or None, initial={"title": f"{body.name} meeting"})
    return meeting_form_page(
        request,
        form,
        lambda data: services.meeting_schedule(
            body=body, actor=request.user, **form.service_kwargs()
        ),
        context=body_context(request, body, heading="Schedule a meeting", submit="Schedule"),
        done=lambda m: (f"Scheduled {m.title}.", _meeting_url(m)),
    )


def _meeting_context(request, meeting, **extra):
    return body_context(request, meeting.body, meeting=meeting, **extra)


@login_required
def meeting_detail(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    page = selectors.meeting_page(request.user, meeting)
    return render(
        request, "delivery/meetings/meeting.html", _meeting_context(request, meeting, **page)
    )


@login_required
def meeting_print(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    page = selectors.meeting_page(request.user, meeting)
    return render(
        request,
        "delivery/meetings/print.html",
        _meeting_context(request, meeting, printed_at=timezone.localtime(), **page),
    )


@login_required
def meeting_calendar(request, pk):
    meeting = selectors.meeting_for(request.user, pk)
    url = request.build_absolute_uri(_meeting_url(meeting))
    response = HttpResponse(calendar.meeting_ics(meeting, url), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}.ics"'
    return response


def _govern_meeting(request, pk):
    return selectors.meeting_for(request.user, pk, "govern")


@login_required
def meeting_minutes(request, pk):
    meeting = _govern_meeting(request, pk)
    form = MinutesForm(request.POST or None, initial={"minutes": meeting.minutes})
    return meeting_form_page(
        request,
        form,
        lambda data: services.minutes_save(meeting=meeting, minutes=data["minutes"]),
        context=_meeting_context(request, meeting, heading="Minutes", submit="Save the minutes"),
        done=lambda m: ("Saved the minutes.", _meeting_url(m)),
    )


@login_required
def item_create(request, pk):
    meeting = _govern_meeting(request, pk)
    org = meeting.body.organisation
    form = AgendaItemForm(
        request.POST or None,
        exceptions=selectors.exception_choices(request.user, org),
        cycles=selectors.cycle_choices(request.user, org),
        plan_actions=selectors.plan_action_choices(request.user, org),
    )
    return meeting_form_page(
        request,
        form,
        lambda data: services.agenda_item_add(meeting=meeting, **form.service_kwargs()),
        template="delivery/meetings/item_form.html",
        context=_meeting_context(request, meeting, heading="Add an agenda item"),
        done=lambda item: (f"Added item {item.position}: {item.title}.", _meeting_url(meeting)),
    )


@login_required
@require_POST
def item_move(request, pk):
    item = selectors.item_for(request.user, pk, "govern")
    services.agenda_item_move(item=item, up=request.POST.get("direction") != "down")
    return redirect(_meeting_url(item.meeting) + "#agenda")


@login_required
def paper_upload(request, pk):
    meeting = _govern_meeting(request, pk)
    form = PaperForm(request.POST or None, request.FILES or None, items=_items(meeting))

    def save(data):
        try:
            return services.paper_upload(
                meeting=meeting,
                upload=data["file"],
                title=data["title"],
                item=data["item"],
                actor=request.user,
            )
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from None

    return meeting_form_page(
        request,
        form,
        save,
        context=_meeting_context(
            request, meeting, heading="Upload a paper", submit="Upload", multipart=True
        ),
        done=lambda paper: (f"Uploaded {paper.filename}.", _meeting_url(meeting) + "#papers"),
    )


@login_required
def paper_download(request, pk):
    paper = selectors.paper_for(request.user, pk)
    with paper.file.open("rb") as stored:
        response = HttpResponse(stored.read(), content_type=CONTENT_TYPES[paper.kind])
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in paper.filename)
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def decision_create(request, pk):
    meeting = _govern_meeting(request, pk)
    form = DecisionForm(
        request.POST or None,
        items=_items(meeting),
        initial={"decided_on": timezone.localdate(meeting.starts_at)},
    )
    return meeting_form_page(
        request,
        form,
        lambda data: services.decision_record(meeting=meeting, actor=request.user, **data),
        context=_meeting_context(request, meeting, heading="Record a decision", submit="Record"),
        done=lambda d: ("Recorded the decision.", _meeting_url(meeting) + "#decisions"),
    )


@login_required
def action_create(request, pk):
    meeting = _govern_meeting(request, pk)
    form = ActionForm(
        request.POST or None,
        items=_items(meeting),
        owners=services.eligible_owners(meeting.body),
    )
    return meeting_form_page(
        request,
        form,
        lambda data: services.action_add(meeting=meeting, **data),
        context=_meeting_context(request, meeting, heading="Add an action", submit="Add"),
        done=lambda a: (f"Added an action for {a.owner}.", _meeting_url(meeting) + "#actions"),
    )


@login_required
def action_status(request, pk):
    action = selectors.action_for(request.user, pk, "govern")
    form = ActionStatusForm(request.POST or None, initial={"status": action.status})
    return meeting_form_page(
        request,
        form,
        lambda data: services.action_set_status(action=action, status=data["status"]),
        context=_meeting_context(
            request,
            action.meeting,
            heading="Change the action's status",
            lead=action.description,
            submit="Save",
        ),
        done=lambda a: (
            f"The action is now {a.get_status_display().lower()}.",
            _meeting_url(a.meeting) + "#actions",
        ),
    )


def _escalated_message(escalation) -> str:
    if escalation.target_item_id:
        when = timezone.localtime(escalation.target_item.meeting.starts_at)
        return f"Escalated to {escalation.to_body.name}: on the agenda for {when:%-d %B %Y}."
    return f"Escalated to {escalation.to_body.name}, to be scheduled at its next meeting."


def _escalate_page(request, meeting, *, lead, **source):
    form = EscalateForm(request.POST or None, initial={"summary": lead})
    return meeting_form_page(
        request,
        form,
        lambda data: services.escalate(
            meeting=meeting, summary=data["summary"], actor=request.user, **source
        ),
        context=_meeting_context(
            request, meeting, heading="Escalate to the regional board", lead=lead, submit="Escalate"
        ),
        done=lambda e: (
            _escalated_message(e),
            _meeting_url(meeting) + "#escalations",
        ),
    )


@login_required
def item_escalate(request, pk):
    item = selectors.item_for(request.user, pk, "govern")
    return _escalate_page(request, item.meeting, lead=item.title, item=item)


@login_required
def action_escalate(request, pk):
    action = selectors.action_for(request.user, pk, "govern")
    return _escalate_page(request, action.meeting, lead=action.description, action=action)


@login_required
def escalation_outcome(request, pk):
    escalation = selectors.escalation_received_for(request.user, pk, "govern")
    form = OutcomeForm(request.POST or None, initial={"outcome": escalation.outcome})
    back = (
        _meeting_url(escalation.target_item.meeting)
        if escalation.target_item_id
        else reverse("delivery:body_meetings", args=[escalation.to_body_id])
    )
    return meeting_form_page(
        request,
        form,
        lambda data: services.escalation_record_outcome(
            escalation=escalation, outcome=data["outcome"], actor=request.user
        ),
        context=body_context(
            request,
            escalation.to_body,
            heading="Record the outcome of an escalation",
            lead=escalation.summary,
            submit="Record the outcome",
        ),
        done=lambda e: ("Recorded the outcome; the council that escalated it sees it.", back),
    )
