"""Saving answers: autosave of one field, the plain form, not-applicable marks, conflicts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ahpportal.limits import too_long

from ..models import EDITABLE, Answer, Status, Submission
from .common import WorkflowError, _who


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
