"""Every readiness write with a rule: opening cycles, saving drafts, the workflow, actions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ahpportal.limits import too_long
from councils.models import Membership, Organisation
from councils.scoping import covers
from councils.tasks import send_email
from workforce.models import Profession

from .models import (
    EDITABLE,
    ActionItem,
    Answer,
    Cycle,
    Question,
    Section,
    Status,
    Submission,
    Transition,
)

# the level of organisation each section is answered by
SECTION_LEVEL_NAMES = {
    "region": "regions",
    "ics": "integrated care systems",
    "provider": "providers",
}


class WorkflowError(Exception):
    """A transition that is not allowed now; the message is shown to the person."""


# --- emails ------------------------------------------------------------------------------------


def _queue_email(*, subject: str, message: str, recipients) -> None:
    recipients = sorted({r for r in recipients if r})
    if recipients:
        transaction.on_commit(
            lambda: send_email.delay(subject=subject, message=message, recipients=recipients)
        )


def _emails_of_role_covering(organisations, role: str) -> dict[int, set[str]]:
    """For each organisation id: emails of people holding ``role`` at it or an ancestor."""
    organisations = list(organisations)
    ancestor_paths = {
        org.path[:i]
        for org in organisations
        for i in range(Organisation.steplen, len(org.path) + 1, Organisation.steplen)
    }
    holders = list(
        Membership.objects.filter(
            role=role, organisation__path__in=ancestor_paths, user__is_active=True
        ).values_list("organisation__path", "user__email")
    )
    return {
        org.id: {email for path, email in holders if org.path.startswith(path)}
        for org in organisations
    }


# --- cycles ------------------------------------------------------------------------------------


def eligible_organisations(*, section: Section, organisation: Organisation):
    """Organisations of the section's level in ``organisation``'s subtree."""
    return Organisation.objects.filter(path__startswith=organisation.path, level=section.level)


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


# --- drafts ------------------------------------------------------------------------------------


@dataclass
class Conflict:
    answer: Answer
    field: str
    yours: str
    theirs: str
    by: str

    LABELS = {"yes_no": "Y/N", "response": "Response", "next_steps": "Next steps"}

    @property
    def label(self) -> str:
        return self.LABELS[self.field]


def _check_editable(submission: Submission) -> None:
    if submission.status not in EDITABLE:
        raise WorkflowError(
            f"This submission is {submission.get_status_display().lower()} and cannot be edited"
            + (" without reopening it." if submission.status == Status.SIGNED_OFF else ".")
        )


def _clean(field: str, value: str) -> str:
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    if field == "yes_no":
        value = value.strip().upper()
        if value not in ("", "Y", "N"):
            raise WorkflowError("Y/N must be Y or N.")
    message = too_long(Conflict.LABELS.get(field, field), value)
    if message:
        raise WorkflowError(message)
    return value


def too_long_fields(changes: dict, answers: dict) -> list[tuple[Answer, str, str]]:
    """(answer, field, message) for each posted text over the limit, before anything is saved."""
    found = []
    for answer_id, posted in changes.items():
        answer = answers.get(answer_id)
        if answer is None:
            continue
        for field, value in posted.get("values", {}).items():
            value = (value or "").replace("\r\n", "\n")
            message = too_long(Conflict.LABELS.get(field, field), value)
            if message and field in Answer.FIELDS:
                found.append((answer, field, message))
    return found


def _comment(comment: str) -> str:
    comment = (comment or "").strip()
    message = too_long("Comment", comment)
    if message:
        raise WorkflowError(message)
    return comment


def answer_save_field(
    *,
    submission: Submission,
    answer: Answer,
    field: str,
    value: str,
    version: int,
    actor,
    original: str | None = None,
) -> tuple[int, Conflict | None]:
    """Autosave one field. Returns (current version, conflict or None).

    The update applies if the stored version is still ``version`` (one conditional UPDATE). If
    someone saved the answer since, it still applies when this field is unchanged since the
    client loaded it (``original``, again one conditional UPDATE): they edited another field.
    Otherwise nothing is written and the conflict comes back with their text, so two people
    typing into the same answer never overwrite each other silently.
    """
    _check_editable(submission)
    if field not in Answer.FIELDS:
        raise WorkflowError(f"Unknown field {field!r}.")
    value = _clean(field, value)
    now = timezone.now()
    change = {field: value, "version": F("version") + 1, "updated_by": actor, "updated_at": now}
    updated = Answer.objects.filter(pk=answer.pk, version=version).update(**change)
    if not updated and original is not None:
        original = _clean(field, original)
        updated = Answer.objects.filter(pk=answer.pk, **{field: original}).update(**change)
    current = Answer.objects.select_related("updated_by").get(pk=answer.pk)
    if updated:
        Submission.objects.filter(pk=submission.pk).update(updated_at=now)
        return current.version, None
    if getattr(current, field) == value:
        return current.version, None
    by = _who(current.updated_by) if current.updated_by else ""
    return current.version, Conflict(current, field, value, getattr(current, field), by)


def answers_mark_not_applicable(
    *, submission: Submission, profession_id: int, value: bool, actor, original: bool | None = None
) -> dict[int, int]:
    """State of readiness: mark a profession not employed here (``value`` True), so its answers
    count as answered and read "Not applicable", or applicable again. Typed text is kept.

    With ``original`` (what the person's page showed), nothing is written unless the stored
    mark is still that: a yes/no mark cannot conflict, as whoever changed it since already set
    it the way this person wants. Returns {answer id: version} of the profession's answers.
    """
    _check_editable(submission)
    if not submission.cycle.section.per_profession:
        raise WorkflowError("Only state of readiness answers can be marked not applicable.")
    answers = Answer.objects.filter(submission=submission, profession_id=profession_id)
    now = timezone.now()
    if original is None or original != value:
        updated = answers.exclude(not_applicable=value).update(
            not_applicable=value, version=F("version") + 1, updated_by=actor, updated_at=now
        )
        if updated:
            Submission.objects.filter(pk=submission.pk).update(updated_at=now)
    return dict(answers.values_list("pk", "version"))


@transaction.atomic
def submission_save(
    *, submission: Submission, actor, changes: dict, not_applicable: dict | None = None
) -> list[Conflict]:
    """Save the plain form. ``changes`` maps answer id -> {"values": {field: value},
    "originals": {field: value when the page was loaded}, "version": int}.

    Only a field whose value differs from its original is an edit: a field the person did not
    touch is never written and never a conflict, however stale their page, so a colleague's
    answer to it survives. An edit applies while the stored value is still its original (one
    conditional UPDATE per answer); if someone else has since saved something different in the
    same field, nothing is written and it comes back as a conflict with both texts. A field sent
    without an original (a page from before originals were sent) is an edit when it differs
    from the stored value, and applies only if the answer's version is unchanged.

    ``not_applicable`` maps profession id -> (marked, as the page showed it), for state of
    readiness; only a mark the person changed is written.
    """
    _check_editable(submission)
    for profession_id, (value, original) in (not_applicable or {}).items():
        if value != original:
            answers_mark_not_applicable(
                submission=submission,
                profession_id=profession_id,
                value=value,
                original=original,
                actor=actor,
            )
    answers = {a.pk: a for a in submission.answers.select_related("question", "updated_by")}
    conflicts = []
    now = timezone.now()
    touched = False
    for answer_id, posted in changes.items():
        answer = answers.get(answer_id)
        if answer is None:
            continue
        values, originals = (
            {f: _clean(f, v) for f, v in posted.get(key, {}).items() if f in Answer.FIELDS}
            for key in ("values", "originals")
        )
        for _attempt in range(3):
            apply, contested = _merge(answer, values, originals, posted.get("version"))
            if not apply:
                break
            updated = Answer.objects.filter(
                pk=answer.pk, **{f: was for f, (_value, was) in apply.items()}
            ).update(
                **{f: value for f, (value, _was) in apply.items()},
                version=F("version") + 1,
                updated_by=actor,
                updated_at=now,
            )
            if updated:
                touched = True
                break
            # saved by someone else between reading and writing: look again
            answer = Answer.objects.select_related("question", "updated_by").get(pk=answer.pk)
        else:
            contested += list(apply)
        by = _who(answer.updated_by) if answer.updated_by_id else ""
        conflicts += [Conflict(answer, f, values[f], getattr(answer, f), by) for f in contested]
    if touched:
        Submission.objects.filter(pk=submission.pk).update(updated_at=now)
    return conflicts


def _merge(answer: Answer, values: dict, originals: dict, version) -> tuple[dict, list[str]]:
    """Which posted fields to write ({field: (value, stored value it replaces)}) and which are
    conflicts (edited here, changed differently by someone else since the page was loaded)."""
    apply, contested = {}, []
    for field, value in values.items():
        stored = getattr(answer, field)
        if value == stored:
            continue
        if field in originals:
            if value == originals[field]:
                continue  # not touched on this page: never overwrites, never conflicts
            loaded = originals[field]
        else:
            loaded = stored if version == answer.version else None
        if stored == loaded:
            apply[field] = (value, stored)
        else:
            contested.append(field)
    return apply, contested


def unanswered(submission: Submission) -> list[Answer]:
    return [
        a for a in submission.answers.select_related("question", "profession") if not a.answered
    ]


# --- workflow ----------------------------------------------------------------------------------


def _transition(*, submission, actor, action, to_status, comment="") -> Transition:
    from_status = submission.status
    submission.status = to_status
    now = timezone.now()
    submission.updated_at = now
    if to_status == Status.SUBMITTED:
        submission.submitted_at = now
    if to_status == Status.SIGNED_OFF:
        submission.signed_off_at = now
    submission.save(update_fields=["status", "updated_at", "submitted_at", "signed_off_at"])
    return Transition.objects.create(
        submission=submission,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        at=now,
        comment=comment,
    )


def _lock(submission: Submission) -> Submission:
    return (
        Submission.objects.select_for_update()
        .select_related("cycle", "organisation")
        .get(pk=submission.pk)
    )


def _who(user) -> str:
    return user.get_full_name() or user.email


@transaction.atomic
def submission_submit(*, submission: Submission, actor) -> Transition:
    """Submit for sign-off. Raises WorkflowError listing unanswered questions."""
    submission = _lock(submission)
    if not covers(actor, "respond", submission.organisation):
        raise WorkflowError("Only a respondent for this organisation can submit it.")
    _check_editable(submission)
    missing = unanswered(submission)
    if missing:
        raise WorkflowError(f"{len(missing)} questions are not answered yet.")
    action = (
        Transition.Action.RESUBMITTED
        if submission.status == Status.RETURNED
        else Transition.Action.SUBMITTED
    )
    transition = _transition(
        submission=submission, actor=actor, action=action, to_status=Status.SUBMITTED
    )
    chairs = _emails_of_role_covering([submission.organisation], "chair")[
        submission.organisation_id
    ]
    _queue_email(
        subject=f"Readiness toolkit {transition.get_action_display().lower()}: "
        f"{submission.organisation.name}",
        message=(
            f"{_who(actor)} has {transition.get_action_display().lower()} "
            f"{submission.cycle.name} for {submission.organisation.name}. "
            "It is ready for your sign-off in AHP Portal (Readiness).\n"
        ),
        recipients=chairs | {submission.cycle.opened_by.email},
    )
    return transition


def _notify_respondents(submission: Submission, subject: str, message: str) -> None:
    respondents = _emails_of_role_covering([submission.organisation], "respondent")[
        submission.organisation_id
    ]
    submitters = set(
        submission.history.filter(
            action__in=[Transition.Action.SUBMITTED, Transition.Action.RESUBMITTED]
        ).values_list("actor__email", flat=True)
    )
    _queue_email(subject=subject, message=message, recipients=respondents | submitters)


def _check_chair(submission, actor):
    if not covers(actor, "chair", submission.organisation):
        raise WorkflowError("Only a chair covering this organisation can do this.")


@transaction.atomic
def submission_return(*, submission: Submission, actor, comment: str) -> Transition:
    submission = _lock(submission)
    _check_chair(submission, actor)
    if submission.status != Status.SUBMITTED:
        raise WorkflowError("Only a submitted toolkit can be returned.")
    comment = _comment(comment)
    if not comment:
        raise WorkflowError("Enter a comment saying what needs to change before returning it.")
    transition = _transition(
        submission=submission,
        actor=actor,
        action=Transition.Action.RETURNED,
        to_status=Status.RETURNED,
        comment=comment,
    )
    _notify_respondents(
        submission,
        f"Readiness toolkit returned: {submission.organisation.name}",
        f"{_who(actor)} has returned {submission.cycle.name} for "
        f"{submission.organisation.name} with this comment:\n\n{comment}\n",
    )
    return transition


@transaction.atomic
def submission_sign_off(*, submission: Submission, actor, comment: str = "") -> Transition:
    submission = _lock(submission)
    _check_chair(submission, actor)
    if submission.status != Status.SUBMITTED:
        raise WorkflowError("Only a submitted toolkit can be signed off.")
    transition = _transition(
        submission=submission,
        actor=actor,
        action=Transition.Action.SIGNED_OFF,
        to_status=Status.SIGNED_OFF,
        comment=_comment(comment),
    )
    actions_from_next_steps(submission=submission)
    _notify_respondents(
        submission,
        f"Readiness toolkit signed off: {submission.organisation.name}",
        f"{_who(actor)} has signed off {submission.cycle.name} for "
        f"{submission.organisation.name}. Its next steps are now on the action plan.\n",
    )
    return transition


@transaction.atomic
def submission_reopen(*, submission: Submission, actor, comment: str = "") -> Transition:
    submission = _lock(submission)
    _check_chair(submission, actor)
    if submission.status != Status.SIGNED_OFF:
        raise WorkflowError("Only a signed-off toolkit can be reopened.")
    transition = _transition(
        submission=submission,
        actor=actor,
        action=Transition.Action.REOPENED,
        to_status=Status.DRAFT,
        comment=_comment(comment),
    )
    _notify_respondents(
        submission,
        f"Readiness toolkit reopened: {submission.organisation.name}",
        f"{_who(actor)} has reopened {submission.cycle.name} for "
        f"{submission.organisation.name}." + (f"\n\n{comment.strip()}\n" if comment else "\n"),
    )
    return transition


# --- action plans ------------------------------------------------------------------------------


def actions_from_next_steps(*, submission: Submission) -> int:
    """Each answered next step becomes an action (once per answer; a later sign-off updates the
    wording but keeps the owner, due date, status and stage). Returns actions created."""
    answers = list(
        submission.answers.filter(question__kind=Question.Kind.YES_NO)
        .exclude(next_steps="")
        .select_related("action")
    )
    new, changed = [], []
    for answer in answers:
        existing = getattr(answer, "action", None)
        if existing is None:
            new.append(
                ActionItem(
                    organisation_id=submission.organisation_id,
                    submission=submission,
                    answer=answer,
                    description=answer.next_steps.strip(),
                )
            )
        elif existing.description != answer.next_steps.strip():
            existing.description = answer.next_steps.strip()
            changed.append(existing)
    ActionItem.objects.bulk_create(new)
    ActionItem.objects.bulk_update(changed, ["description"])
    return len(new)


def action_update(*, action: ActionItem, actor, **fields) -> ActionItem:
    allowed = {"owner", "owner_name", "due_date", "status", "stage", "description"}
    for key, value in fields.items():
        if key not in allowed:
            raise WorkflowError(f"Unknown action field {key!r}.")
        if key == "description" and (message := too_long("Action", value)):
            raise WorkflowError(message)
        setattr(action, key, value)
    if action.owner_id:
        action.owner_name = ""
    action.save()
    return action
