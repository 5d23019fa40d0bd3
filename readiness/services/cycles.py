"""Opening a cycle (with its draft submissions, prefilled or not), closing and reopening it."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from councils.models import Organisation
from councils.scoping import covers
from workforce.models import Profession

from ..models import Answer, Cycle, CycleEvent, Section, Status, Submission
from .common import WorkflowError, _emails_of_role_covering, _queue_email

# the level of organisation each section is answered by
SECTION_LEVEL_NAMES = {
    "region": "regions",
    "ics": "integrated care systems",
    "provider": "providers",
}


def eligible_organisations(*, section: Section, organisation: Organisation):
    """Organisations of the section's level in ``organisation``'s subtree."""
    return Organisation.objects.below(organisation).filter(level=section.level)


@transaction.atomic
def cycle_open(
    *,
    actor,
    organisation: Organisation,
    section: Section,
    name: str,
    due_date: datetime.date,
    organisations=None,
    prefill: bool = False,
) -> Cycle:
    """Open a cycle: one draft submission per organisation of the section's level.

    ``organisations`` (state of readiness: the chosen providers) must be of the section's level
    within ``organisation``'s subtree; by default all of them are included.
    """
    if not covers(actor, "chair", organisation):
        raise WorkflowError("Only a chair can open a cycle for this organisation.")
    eligible = eligible_organisations(section=section, organisation=organisation)
    if organisations is None:
        targets = list(eligible)
    else:
        ids = {o.pk for o in organisations}
        targets = list(eligible.filter(pk__in=ids))
        if len(targets) != len(ids):
            raise WorkflowError(
                f"Choose only {SECTION_LEVEL_NAMES.get(section.level, section.level)} "
                f"within {organisation.name}."
            )
    if not targets:
        raise WorkflowError(
            f"There are no {SECTION_LEVEL_NAMES.get(section.level, section.level)} "
            f"in {organisation.name} to answer {section.title}."
        )
    previous = (
        Cycle.objects.filter(
            organisation=organisation,
            section__template__code=section.template.code,
            section__code=section.code,
        )
        .order_by("-opened_at")
        .first()
    )
    cycle = Cycle.objects.create(
        organisation=organisation,
        section=section,
        name=name,
        due_date=due_date,
        prefilled=prefill,
        previous=previous,
        opened_by=actor,
    )
    submissions = Submission.objects.bulk_create(
        Submission(cycle=cycle, organisation=org) for org in targets
    )
    questions = list(section.questions.all())
    professions = list(Profession.objects.all()) if section.per_profession else [None]
    earlier = _last_signed_off_answers(section, targets) if prefill else {}
    rows = []
    for submission in submissions:
        for question in questions:
            for profession in professions:
                answer = Answer(submission=submission, question=question, profession=profession)
                old = earlier.get(
                    (submission.organisation_id, question.number, profession and profession.pk)
                )
                if old:
                    answer.prefilled = True
                    answer.yes_no = answer.previous_yes_no = old["yes_no"]
                    answer.response = answer.previous_response = old["response"]
                    answer.next_steps = answer.previous_next_steps = old["next_steps"]
                    answer.not_applicable = old["not_applicable"]
                    answer.previous_not_applicable = old["not_applicable"]
                rows.append(answer)
    Answer.objects.bulk_create(rows, batch_size=500)

    respondents = _emails_of_role_covering(targets, "respondent")
    for org in targets:
        _queue_email(
            subject=f"Readiness toolkit to complete: {cycle.name}",
            message=(
                f"{actor.get_full_name() or actor.email} has opened {cycle.name}: "
                f"{section.title} for {org.name}.\n\nPlease complete it by "
                f"{due_date:%-d %B %Y} in AHP Portal (Readiness).\n"
            ),
            recipients=respondents[org.id],
        )
    return cycle


def _last_signed_off_answers(section: Section, organisations) -> dict:
    """(organisation id, question number, profession id) -> the answer in each organisation's
    latest signed-off submission of the same section (any template version)."""
    latest = {}
    for sub_id, org_id in (
        Submission.objects.filter(
            organisation__in=organisations,
            status=Status.SIGNED_OFF,
            cycle__section__template__code=section.template.code,
            cycle__section__code=section.code,
        )
        .order_by("organisation_id", "-signed_off_at")
        .values_list("pk", "organisation_id")
    ):
        latest.setdefault(org_id, sub_id)
    values = Answer.objects.filter(submission_id__in=latest.values()).values(
        "submission__organisation_id",
        "question__number",
        "profession_id",
        "yes_no",
        "response",
        "next_steps",
        "not_applicable",
    )
    return {
        (v["submission__organisation_id"], v["question__number"], v["profession_id"]): v
        for v in values
    }


@transaction.atomic
def _cycle_set_closed(*, cycle: Cycle, actor, close: bool) -> CycleEvent:
    cycle = Cycle.objects.select_for_update().select_related("organisation").get(pk=cycle.pk)
    verb = "close" if close else "reopen"
    if not covers(actor, "chair", cycle.organisation):
        raise WorkflowError(f"Only a chair covering this cycle's organisation can {verb} it.")
    if cycle.is_closed == close:
        raise WorkflowError(f"{cycle.name} is {'already closed' if close else 'open already'}.")
    now = timezone.now()
    Cycle.objects.filter(pk=cycle.pk).update(
        closed_at=now if close else None, closed_by=actor if close else None
    )
    action = CycleEvent.Action.CLOSED if close else CycleEvent.Action.REOPENED
    return CycleEvent.objects.create(cycle=cycle, action=action, actor=actor, at=now)


def cycle_close(*, cycle: Cycle, actor) -> CycleEvent:
    """Close a cycle: its respondents can no longer save or submit. Recorded with who and when."""
    return _cycle_set_closed(cycle=cycle, actor=actor, close=True)


def cycle_reopen(*, cycle: Cycle, actor) -> CycleEvent:
    """Open a closed cycle again for respondents. Recorded with who and when."""
    return _cycle_set_closed(cycle=cycle, actor=actor, close=False)
