"""Every readiness URL in the isolation matrix: siblings, children and strangers get 404."""

import datetime

from django.utils import timezone

from readiness import services
from readiness.models import ActionItem, Section
from tests.isolation import EVERY_ROLE, ScopedURL

ACTION_EDITORS = ("respondent", "chair")  # the organisation's own lead, or a chair above

SECTION_FOR_LEVEL = {"provider": "employer", "ics": "system", "region": "regional"}


def _cycle(org, make_user):
    section = Section.objects.get(
        template__code="support_workforce", template__version=1, code=SECTION_FOR_LEVEL[org.level]
    )
    return services.cycle_open(
        actor=make_user("chair", org),
        organisation=org,
        section=section,
        name="Isolation",
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )


def _cycle_kwargs(org, make_user, **extra):
    return {"pk": _cycle(org, make_user).pk, **extra}


def _submission_kwargs(org, make_user):
    return {"pk": _cycle(org, make_user).submissions.get(organisation=org).pk}


def _action_kwargs(org, make_user):
    sub = _cycle(org, make_user).submissions.get(organisation=org)
    action = ActionItem.objects.create(organisation=org, submission=sub, description="Do it")
    return {"pk": action.pk}


CASES = [
    ScopedURL("readiness:organisation", "viewer", level="provider"),
    ScopedURL("readiness:organisation", "viewer", level="ics"),
    ScopedURL("readiness:organisation", "viewer", level="region"),
    ScopedURL("readiness:cycle_new", "chair", level="ics"),
    ScopedURL("readiness:cycle_new", "chair", level="provider"),
    ScopedURL("readiness:action_plan", "viewer", level="provider"),
    ScopedURL("readiness:action_plan", "viewer", level="ics"),
    ScopedURL(
        "readiness:action_plan_export",
        "viewer",
        level="ics",
        build=lambda org, make_user: {"code": org.code, "fmt": "csv"},
    ),
    ScopedURL(
        "readiness:action_plan_export",
        "viewer",
        level="provider",
        build=lambda org, make_user: {"code": org.code, "fmt": "xlsx"},
    ),
    ScopedURL("readiness:cycle", "viewer", level="ics", build=_cycle_kwargs),
    ScopedURL("readiness:cycle", "chair", level="region", build=_cycle_kwargs, open_to=EVERY_ROLE),
    ScopedURL(
        "readiness:cycle_state",
        "chair",
        level="ics",
        build=_cycle_kwargs,
        method="post",
        ok_status=(302,),  # in scope: "Choose close or reopen."; out of scope: 404
    ),
    ScopedURL("readiness:heatmap", "viewer", level="ics", build=_cycle_kwargs),
    ScopedURL("readiness:heatmap", "viewer", level="provider", build=_cycle_kwargs),
    ScopedURL(
        "readiness:cycle_export",
        "viewer",
        level="ics",
        build=lambda org, make_user: _cycle_kwargs(org, make_user, fmt="xlsx"),
    ),
    ScopedURL(
        "readiness:cycle_export",
        "viewer",
        level="provider",
        build=lambda org, make_user: _cycle_kwargs(org, make_user, fmt="csv"),
    ),
    ScopedURL("readiness:submission", "viewer", level="provider", build=_submission_kwargs),
    ScopedURL(
        "readiness:submission",
        "respondent",
        level="ics",
        build=_submission_kwargs,
        open_to=EVERY_ROLE,
    ),
    ScopedURL(
        "readiness:autosave",
        "respondent",
        level="provider",
        build=_submission_kwargs,
        method="post",
        ok_status=(400,),  # in scope: "Say which answer to save."; out of scope: 404
    ),
    ScopedURL(
        "readiness:review",
        "chair",
        level="provider",
        build=_submission_kwargs,
        method="post",
        ok_status=(302,),
    ),
    ScopedURL("readiness:submission_print", "viewer", level="provider", build=_submission_kwargs),
    ScopedURL(
        "readiness:action_edit",
        "respondent",
        level="provider",
        build=_action_kwargs,
        open_to=ACTION_EDITORS,
    ),
    ScopedURL(
        "readiness:action_edit", "chair", level="ics", build=_action_kwargs, open_to=ACTION_EDITORS
    ),
]
