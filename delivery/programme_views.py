"""An ICS AHP faculty's funded programmes of work: the programme's page (milestones, quarterly
reports and where each went on the council's agenda) and the faculty chair's forms. Reading needs
"view" in scope of the faculty's organisation; every change needs "govern"."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.urls import reverse

from councils.models import Body
from councils.pages import scoped_view

from . import meeting_selectors as selectors
from . import meeting_services as services
from .meeting_forms import MilestoneForm, ProgrammeForm, ReportForm
from .meeting_views import body_context, meeting_form_page


def _programme_url(programme) -> str:
    return reverse("delivery:programme", args=[programme.pk])


@login_required
def programme_create(request, pk):
    body = selectors.body_for(request.user, pk, "govern")
    if body.kind != Body.Kind.ICS_FACULTY:
        raise Http404("No such page.")
    form = ProgrammeForm(request.POST or None, owners=services.eligible_owners(body))
    return meeting_form_page(
        request,
        form,
        lambda data: services.programme_create(body=body, **data),
        context=body_context(request, body, heading="Add a programme of work", submit="Add"),
        done=lambda p: (f"Added {p.title}.", _programme_url(p)),
    )


@scoped_view(selectors.programme_for, "delivery/meetings/programme.html")
def programme_detail(request, programme):
    return body_context(
        request, programme.body, programme=programme, **selectors.programme_page(programme)
    )


def _programme_form(request, pk, form_class, save, *, heading, submit, message):
    programme = selectors.programme_for(request.user, pk, "govern")
    form = form_class(request.POST or None)
    return meeting_form_page(
        request,
        form,
        lambda data: save(programme, data),
        context=body_context(
            request, programme.body, heading=heading, lead=programme.title, submit=submit
        ),
        done=lambda result: (message(result), _programme_url(programme)),
    )


@login_required
def milestone_create(request, pk):
    return _programme_form(
        request,
        pk,
        MilestoneForm,
        lambda programme, data: services.milestone_add(programme=programme, **data),
        heading="Add a milestone",
        submit="Add",
        message=lambda m: f"Added the milestone {m.title}.",
    )


@login_required
def report_create(request, pk):
    def message(report):
        if report.target_item_id:
            when = report.target_item.meeting.starts_at
            return (
                f"Sent the {report.quarter} report: on the council's agenda for {when:%-d %B %Y}."
            )
        return f"Sent the {report.quarter} report: it waits for the council's next meeting."

    return _programme_form(
        request,
        pk,
        ReportForm,
        lambda programme, data: services.report_submit(
            programme=programme, actor=request.user, **data
        ),
        heading="Send a quarterly report to the ICS AHP council",
        submit="Send the report",
        message=message,
    )
