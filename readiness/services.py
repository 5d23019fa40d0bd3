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
    CycleEvent,
    Question,
    ReminderSent,
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
    chains = {org.id: set(org.ancestor_paths(include_self=True)) for org in organisations}
    holders = list(
        Membership.objects.filter(
            role=role, organisation__path__in=set().union(*chains.values()), user__is_active=True
        ).values_list("organisation__path", "user__email")
    )
    return {
        org_id: {email for path, email in holders if path in chain}
        for org_id, chain in chains.items()
    }


# --- cycles ------------------------------------------------------------------------------------


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
    if submission.cycle.is_closed:
        raise WorkflowError(
            f"{submission.cycle.name} was closed by the chair on "
            f"{timezone.localtime(submission.cycle.closed_at):%-d %B %Y}: answers can no longer "
            "be saved or submitted. Ask the chair to reopen it if you need to."
        )
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


@dataclass(frozen=True)
class Rule:
    """One move of a submission's status: who may make it, from where, and who is told."""

    action: str  # Transition.Action
    from_statuses: tuple[str, ...]
    to_status: str
    role: str  # the scoping action the actor must cover the organisation with
    role_refusal: str
    status_refusal: str
    subject: str  # "Readiness toolkit {subject}: <organisation>"
    notify: str  # "chairs" or "respondents"
    comment_required: str = ""  # the message when a comment is needed but missing
    not_by_submitter: bool = False  # the person who submitted it may not make this move
    respondent_move: bool = False  # refused while the cycle is closed


CHAIR_ONLY = "Only a chair covering this organisation can do this."

# The readiness workflow, in one table: draft/returned -> submitted -> signed off or returned;
# signed off -> draft (reopened). The views, the emails and the history all follow it.
TRANSITIONS: dict[str, Rule] = {
    "submit": Rule(
        action=Transition.Action.SUBMITTED,
        from_statuses=EDITABLE,
        to_status=Status.SUBMITTED,
        role="respond",
        role_refusal="Only a respondent for this organisation can submit it.",
        status_refusal="",  # _check_editable says why
        subject="submitted",
        notify="chairs",
        respondent_move=True,
    ),
    "return": Rule(
        action=Transition.Action.RETURNED,
        from_statuses=(Status.SUBMITTED,),
        to_status=Status.RETURNED,
        role="chair",
        role_refusal=CHAIR_ONLY,
        status_refusal="Only a submitted toolkit can be returned.",
        subject="returned",
        notify="respondents",
        comment_required="Enter a comment saying what needs to change before returning it.",
        not_by_submitter=True,
    ),
    "sign_off": Rule(
        action=Transition.Action.SIGNED_OFF,
        from_statuses=(Status.SUBMITTED,),
        to_status=Status.SIGNED_OFF,
        role="chair",
        role_refusal=CHAIR_ONLY,
        status_refusal="Only a submitted toolkit can be signed off.",
        subject="signed off",
        notify="respondents",
        not_by_submitter=True,
    ),
    "reopen": Rule(
        action=Transition.Action.REOPENED,
        from_statuses=(Status.SIGNED_OFF,),
        to_status=Status.DRAFT,
        role="chair",
        role_refusal=CHAIR_ONLY,
        status_refusal="Only a signed-off toolkit can be reopened.",
        subject="reopened",
        notify="respondents",
    ),
}

SUBMITTED_ACTIONS = (Transition.Action.SUBMITTED, Transition.Action.RESUBMITTED)


def _record(*, submission, actor, action, to_status, comment="") -> Transition:
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


def submitted_by(submission: Submission):
    """The person who last submitted (or resubmitted) the submission, or None."""
    last = (
        submission.history.filter(action__in=SUBMITTED_ACTIONS)
        .select_related("actor")
        .order_by("-at", "-pk")
        .first()
    )
    return last.actor if last else None


@transaction.atomic
def submission_transition(*, submission: Submission, actor, move: str, comment: str = ""):
    """Make ``move`` (a key of :data:`TRANSITIONS`) on the submission, or raise WorkflowError
    saying why not. Records the transition and queues the emails of the rule."""
    rule = TRANSITIONS[move]
    submission = _lock(submission)
    if not covers(actor, rule.role, submission.organisation):
        raise WorkflowError(rule.role_refusal)
    if rule.respondent_move:
        _check_editable(submission)
    elif submission.status not in rule.from_statuses:
        raise WorkflowError(rule.status_refusal)
    if rule.not_by_submitter and submitted_by(submission) == actor:
        raise WorkflowError(
            "You submitted this toolkit, so you cannot sign it off or return it yourself: "
            "another chair covering this organisation must review it."
        )
    comment = _comment(comment)
    if rule.comment_required and not comment:
        raise WorkflowError(rule.comment_required)
    action = rule.action
    if move == "submit":
        missing = unanswered(submission)
        if missing:
            raise WorkflowError(f"{len(missing)} questions are not answered yet.")
        if submission.status == Status.RETURNED:
            action = Transition.Action.RESUBMITTED
    transition = _record(
        submission=submission,
        actor=actor,
        action=action,
        to_status=rule.to_status,
        comment=comment,
    )
    if move == "sign_off":
        actions_from_next_steps(submission=submission)
    _notify(submission, transition, rule)
    return transition


def _notify(submission: Submission, transition: Transition, rule: Rule) -> None:
    org, cycle_name, actor = submission.organisation, submission.cycle.name, transition.actor
    verb = transition.get_action_display().lower()
    subject = f"Readiness toolkit {verb}: {org.name}"
    done = f"{_who(actor)} has {verb} {cycle_name} for {org.name}"
    if rule.notify == "chairs":
        chairs = _emails_of_role_covering([org], "chair")[org.id]
        _queue_email(
            subject=subject,
            message=f"{done}. It is ready for your sign-off in AHP Portal (Readiness).\n",
            recipients=chairs | {submission.cycle.opened_by.email},
        )
        return
    after = {
        Transition.Action.RETURNED: f" with this comment:\n\n{transition.comment}\n",
        Transition.Action.SIGNED_OFF: ". Its next steps are now on the action plan.\n",
        Transition.Action.REOPENED: "."
        + (f"\n\n{transition.comment}\n" if transition.comment else "\n"),
    }[transition.action]
    respondents = _emails_of_role_covering([org], "respondent")[org.id]
    submitters = set(
        submission.history.filter(action__in=SUBMITTED_ACTIONS).values_list(
            "actor__email", flat=True
        )
    )
    _queue_email(subject=subject, message=done + after, recipients=respondents | submitters)


def submission_submit(*, submission: Submission, actor) -> Transition:
    """Submit for sign-off. Raises WorkflowError listing unanswered questions."""
    return submission_transition(submission=submission, actor=actor, move="submit")


def submission_return(*, submission: Submission, actor, comment: str) -> Transition:
    return submission_transition(submission=submission, actor=actor, move="return", comment=comment)


def submission_sign_off(*, submission: Submission, actor, comment: str = "") -> Transition:
    return submission_transition(
        submission=submission, actor=actor, move="sign_off", comment=comment
    )


def submission_reopen(*, submission: Submission, actor, comment: str = "") -> Transition:
    return submission_transition(submission=submission, actor=actor, move="reopen", comment=comment)


# --- closing cycles and reminders --------------------------------------------------------------


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


REMINDER_DAYS = {ReminderSent.Kind.WEEK_BEFORE: 7, ReminderSent.Kind.DUE_TODAY: 0}


def reminders_send(*, today: datetime.date | None = None) -> int:
    """Email respondents of every submission still to be submitted whose cycle (open) is due in
    seven days or today. Each submission gets each kind once (a ReminderSent row, unique), so
    running this again, or twice a day, sends nothing new. Returns the reminders sent.

    A housekeeping job over every organisation's cycles, like the nightly recompute: it reads
    no data for anyone, and each email goes only to people who can answer that submission."""
    today = today or timezone.localdate()
    sent = 0
    for kind, days in REMINDER_DAYS.items():
        due = today + datetime.timedelta(days=days)
        pending = list(
            Submission.objects.filter(
                cycle__due_date=due, cycle__closed_at__isnull=True, status__in=EDITABLE
            )
            .exclude(reminders__kind=kind, reminders__due_date=due)
            .select_related("cycle__section", "organisation")
        )
        if not pending:
            continue
        respondents = _emails_of_role_covering([s.organisation for s in pending], "respondent")
        for submission in pending:
            recipients = respondents[submission.organisation_id]
            if recipients:  # none yet: tried again on the next run, when someone may be
                sent += _remind(submission, kind, recipients)
    return sent


@transaction.atomic
def _remind(submission: Submission, kind: str, recipients: set[str]) -> int:
    cycle = submission.cycle
    _reminder, created = ReminderSent.objects.get_or_create(
        submission=submission,
        kind=kind,
        due_date=cycle.due_date,
        defaults={"recipients": len(recipients)},
    )
    if not created:
        return 0
    when = "today" if kind == ReminderSent.Kind.DUE_TODAY else f"on {cycle.due_date:%-d %B %Y}"
    _queue_email(
        subject=f"Reminder: {cycle.name} for {submission.organisation.name} is due {when}",
        message=(
            f"{cycle.name}: {cycle.section.title} for {submission.organisation.name} is due "
            f"{when} and has not been submitted yet.\n\nPlease complete and submit it in AHP "
            "Portal (Readiness).\n"
        ),
        recipients=recipients,
    )
    return 1


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
