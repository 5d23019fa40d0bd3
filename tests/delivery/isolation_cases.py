"""Every delivery plan URL, for an ICS council and a regional board. Reading needs a role in
scope; editing needs the chair role in scope. Everyone else gets 404."""

from delivery.models import Action, DeliveryPlan, MeasureOfSuccess, Theme
from tests.isolation import ScopedURL


def _action(org, make_user):
    plan, _ = DeliveryPlan.objects.get_or_create(organisation=org, defaults={"title": "Plan"})
    theme, _ = Theme.objects.get_or_create(plan=plan, number=1, defaults={"name": "Value"})
    return Action.objects.create(theme=theme, position=1, text="Implement job planning")


def action_kwargs(org, make_user):
    return {"code": org.code, "pk": _action(org, make_user).pk}


def measure_kwargs(org, make_user):
    action = _action(org, make_user)
    measure = MeasureOfSuccess.objects.create(action=action, position=1, text="Capacity assessed")
    return {"code": org.code, "pk": measure.pk}


CASES = []
for level in ("ics", "region"):
    CASES += [
        ScopedURL("delivery:plans", "viewer", level=level),
        ScopedURL("delivery:summary", "viewer", level=level),
        ScopedURL("delivery:print", "viewer", level=level),
        ScopedURL(
            "delivery:export",
            "viewer",
            level=level,
            build=lambda org, make_user: {"code": org.code, "fmt": "csv"},
        ),
        ScopedURL(
            "delivery:export",
            "viewer",
            level=level,
            build=lambda org, make_user: {"code": org.code, "fmt": "xlsx"},
        ),
        ScopedURL("delivery:action", "viewer", level=level, build=action_kwargs),
        ScopedURL("delivery:seed", "chair", level=level, method="post", ok_status=(302,)),
        ScopedURL("delivery:theme_create", "chair", level=level),
        ScopedURL(
            "delivery:action_create",
            "chair",
            level=level,
            build=lambda org, make_user: {
                "code": _action(org, make_user).theme.plan.organisation.code
            },
        ),
        ScopedURL("delivery:action_edit", "chair", level=level, build=action_kwargs),
        ScopedURL("delivery:update_add", "chair", level=level, build=action_kwargs),
        ScopedURL("delivery:measure_create", "chair", level=level, build=action_kwargs),
        ScopedURL("delivery:measure_edit", "chair", level=level, build=measure_kwargs),
    ]


# --- a body's meetings, escalations and a faculty's programmes (delivery/meeting_views.py) ---
GOVERN = ("chair", "org_admin")  # the "govern" action: the chair or an organisation admin


def _body(org, kind=None):
    from councils.models import Body

    kind = kind or (Body.Kind.REGIONAL_BOARD if org.level == "region" else Body.Kind.ICS_COUNCIL)
    body, _ = Body.objects.get_or_create(
        organisation=org, kind=kind, defaults={"name": f"{org.code} {kind}"}
    )
    return body


def _meeting(org, make_user):
    from django.utils import timezone

    from delivery.meeting_models import Meeting

    return Meeting.objects.create(
        body=_body(org), title="Quarterly meeting", starts_at=timezone.now(), location="Room 1"
    )


def body_kwargs(org, make_user):
    return {"pk": _body(org).pk}


def meeting_kwargs(org, make_user):
    return {"pk": _meeting(org, make_user).pk}


def item_kwargs(org, make_user):
    from delivery import meeting_services

    meeting = _meeting(org, make_user)
    return {"pk": meeting_services.agenda_item_add(meeting=meeting, title="Turnover").pk}


def meeting_action_kwargs(org, make_user):
    from delivery.meeting_models import MeetingAction

    action = MeetingAction.objects.create(
        meeting=_meeting(org, make_user),
        description="Draft terms of reference",
        owner=make_user("viewer", org),
        due_date="2026-11-30",
    )
    return {"pk": action.pk}


def paper_kwargs(org, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from delivery import meeting_services

    upload = SimpleUploadedFile("papers.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    paper = meeting_services.paper_upload(meeting=_meeting(org, make_user), upload=upload)
    return {"pk": paper.pk}


def escalation_kwargs(org, make_user):
    """An escalation to the board at the region ``org`` from the council of an ICS below it."""
    from councils.models import Organisation
    from delivery import meeting_services

    _body(org)
    ics = Organisation.objects.children_of(org).filter(level="ics").first()
    meeting = _meeting(ics, make_user)
    item = meeting_services.agenda_item_add(meeting=meeting, title="Vacancies")
    escalation = meeting_services.escalate(meeting=meeting, item=item, summary="Vacancies")
    return {"pk": escalation.pk}


def faculty_kwargs(org, make_user):
    from councils.models import Body

    return {"pk": _body(org, Body.Kind.ICS_FACULTY).pk}


def programme_kwargs(org, make_user):
    import datetime as dt

    from councils.models import Body
    from delivery import meeting_services

    programme = meeting_services.programme_create(
        body=_body(org, Body.Kind.ICS_FACULTY),
        title="Preceptorship",
        lead=make_user("viewer", org),
        funding=50000,
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2027, 3, 31),
        status="On track",
    )
    return {"pk": programme.pk}


for level in ("ics", "region"):
    CASES += [
        ScopedURL("delivery:body_meetings", "viewer", level=level, build=body_kwargs),
        ScopedURL("delivery:meeting", "viewer", level=level, build=meeting_kwargs),
        ScopedURL("delivery:meeting_print", "viewer", level=level, build=meeting_kwargs),
        ScopedURL("delivery:meeting_ics", "viewer", level=level, build=meeting_kwargs),
        ScopedURL("delivery:paper", "viewer", level=level, build=paper_kwargs),
    ]
    CASES += [
        ScopedURL(name, "chair", level=level, build=build, open_to=GOVERN, **extra)
        for name, build, extra in (
            ("delivery:meeting_create", body_kwargs, {}),
            ("delivery:meeting_minutes", meeting_kwargs, {}),
            ("delivery:item_create", meeting_kwargs, {}),
            ("delivery:paper_upload", meeting_kwargs, {}),
            ("delivery:decision_create", meeting_kwargs, {}),
            ("delivery:meeting_action_create", meeting_kwargs, {}),
            ("delivery:action_status", meeting_action_kwargs, {}),
            ("delivery:item_move", item_kwargs, {"method": "post", "ok_status": (302,)}),
        )
    ]
CASES += [
    ScopedURL("delivery:item_escalate", "chair", level="ics", build=item_kwargs, open_to=GOVERN),
    ScopedURL(
        "delivery:action_escalate",
        "chair",
        level="ics",
        build=meeting_action_kwargs,
        open_to=GOVERN,
    ),
    ScopedURL(
        "delivery:escalation_outcome",
        "chair",
        level="region",
        build=escalation_kwargs,
        open_to=GOVERN,
    ),
    ScopedURL("delivery:programme", "viewer", level="ics", build=programme_kwargs),
    ScopedURL(
        "delivery:programme_create", "chair", level="ics", build=faculty_kwargs, open_to=GOVERN
    ),
    ScopedURL(
        "delivery:milestone_create", "chair", level="ics", build=programme_kwargs, open_to=GOVERN
    ),
    ScopedURL(
        "delivery:report_create", "chair", level="ics", build=programme_kwargs, open_to=GOVERN
    ),
]
