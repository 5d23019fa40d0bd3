"""Reads shared by the readiness pages and exports. Every one starts from a scoped queryset."""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from django.db.models import Count, F, Q
from django.utils import timezone

from councils.models import Membership, Organisation
from councils.scoping import get_in_scope_or_404, scope_paths
from workforce.models import Profession

from .models import (
    EDITABLE,
    ActionItem,
    Answer,
    Cycle,
    Section,
    Status,
    Submission,
    Template,
    answered_q,
)


def with_progress(submissions):
    return submissions.annotate(
        total=Count("answers", distinct=True),
        answered=Count("answers", filter=answered_q("answers__"), distinct=True),
    )


def _submission_list(qs):
    return with_progress(
        qs.select_related("cycle__section__template", "cycle__organisation", "organisation")
    )


def assigned_to(user):
    """Submissions the user can answer that are still to be done, soonest due first."""
    return _submission_list(
        Submission.objects.in_scope(user, "respond").filter(status__in=EDITABLE)
    ).order_by("cycle__due_date", "organisation__path")


def assigned_by_level(user) -> list[tuple[str, list]]:
    """``assigned_to(user)`` grouped by the level of the organisation answering ("Region",
    "Provider"...): the levels where the user holds the respondent role first, then the rest from
    the top of the tree down. No query beyond the list itself."""
    own_depths = {len(path) // Organisation.steplen for path in scope_paths(user, "respond") or []}
    groups: dict[int, list] = {}
    for sub in assigned_to(user):
        groups.setdefault(sub.organisation.depth, []).append(sub)
    order = sorted(groups, key=lambda depth: (depth not in own_depths, depth))
    return [(groups[d][0].organisation.get_level_display(), groups[d]) for d in order]


def cycles_run_by(user):
    return (
        Cycle.objects.in_scope(user, "chair")
        .select_related("section__template", "organisation")
        .annotate(
            organisations=Count("submissions", distinct=True),
            signed_off=Count(
                "submissions", filter=Q(submissions__status=Status.SIGNED_OFF), distinct=True
            ),
            submitted=Count(
                "submissions", filter=Q(submissions__status=Status.SUBMITTED), distinct=True
            ),
        )
        .order_by("-opened_at")
    )


def submissions_below(user, organisation: Organisation):
    return _submission_list(Submission.objects.in_scope(user, "view").below(organisation)).order_by(
        "-cycle__opened_at", "organisation__path"
    )


def cycles_at(user, organisation: Organisation):
    return (
        Cycle.objects.in_scope(user, "view")
        .below(organisation)
        .select_related("section__template", "organisation")
        .annotate(
            organisations=Count("submissions", distinct=True),
            signed_off=Count(
                "submissions", filter=Q(submissions__status=Status.SIGNED_OFF), distinct=True
            ),
        )
        .order_by("-opened_at")
    )


def cycle_for(user, pk, action: str = "view") -> Cycle:
    return get_in_scope_or_404(
        Cycle.objects.select_related(
            "section__template", "organisation", "previous", "opened_by", "closed_by"
        ),
        user,
        action,
        pk=pk,
    )


def cycle_events(cycle: Cycle):
    """The cycle's closings and reopenings, oldest first, with who made them."""
    return list(cycle.events.select_related("actor"))


def submission_for(user, pk, action: str = "view") -> Submission:
    return get_in_scope_or_404(
        Submission.objects.select_related(
            "cycle__section__template", "cycle__organisation", "cycle__closed_by", "organisation"
        ),
        user,
        action,
        pk=pk,
    )


def latest_sections():
    """The newest version of each template's sections, for opening cycles."""
    latest = {}
    for template in Template.objects.order_by("code", "-version"):
        latest.setdefault(template.code, template.pk)
    return Section.objects.filter(template_id__in=latest.values()).select_related("template")


def progress(cycle: Cycle):
    return _submission_list(cycle.submissions.all()).order_by("organisation__path")


def answers_of(submission: Submission):
    return list(
        submission.answers.select_related("question", "profession", "updated_by").order_by(
            "question__position", "profession__sort_order", "profession__name"
        )
    )


def grouped_answers(submission: Submission):
    """[(group title, [answers])] for Y/N sections; [(question, [answers by profession])] for
    state of readiness."""
    answers = answers_of(submission)
    groups: dict = {}
    if submission.cycle.section.per_profession:
        for a in answers:
            groups.setdefault(a.question, []).append(a)
    else:
        for a in answers:
            groups.setdefault(a.question.group, []).append(a)
    return list(groups.items())


def profession_marks(answers) -> list[dict]:
    """State of readiness: each profession once, in order, with whether it is marked not
    employed here (all its answers not applicable) and one of its answers (for autosave)."""
    marks: dict = {}
    for a in answers:
        mark = marks.setdefault(
            a.profession_id, {"profession": a.profession, "answer": a, "marked": True}
        )
        mark["marked"] = mark["marked"] and a.not_applicable
    return list(marks.values())


def history_of(submission: Submission):
    return submission.history.select_related("actor")


# --- views for chairs --------------------------------------------------------------------------


def heatmap(cycle: Cycle, group: str = "") -> dict:
    """Organisations by questions: each cell 'Y', 'N' or '' (not answered) with the answer of the
    previous cycle where there was one. Three queries whatever the size. ``group`` keeps only the
    questions of one part of the section ("Strategy"); an unknown one keeps them all."""
    all_questions = list(cycle.section.questions.all())
    groups = list(dict.fromkeys(q.group for q in all_questions if q.group))
    group = group if group in groups else ""
    questions = [q for q in all_questions if not group or q.group == group]
    submissions = list(cycle.submissions.select_related("organisation"))
    values = defaultdict(dict)
    for sub_id, q_id, yes_no in Answer.objects.filter(
        submission__cycle=cycle, profession__isnull=True
    ).values_list("submission_id", "question_id", "yes_no"):
        values[sub_id][q_id] = yes_no
    previous = defaultdict(dict)
    if cycle.previous_id:
        # compared with what was agreed last time: signed-off submissions only
        for org_id, number, yes_no in Answer.objects.filter(
            submission__cycle_id=cycle.previous_id,
            submission__status=Status.SIGNED_OFF,
            profession__isnull=True,
        ).values_list("submission__organisation_id", "question__number", "yes_no"):
            previous[org_id][number] = yes_no
    rows = []
    totals = {q.pk: {"Y": 0, "N": 0, "": 0} for q in questions}
    for sub in submissions:
        cells = []
        for q in questions:
            value = values[sub.pk].get(q.pk, "")
            totals[q.pk][value] += 1
            before = previous.get(sub.organisation_id, {}).get(q.number)
            cells.append(
                {
                    "question": q,
                    "value": value,
                    "previous": before,
                    "changed": before is not None and before != value,
                }
            )
        rows.append({"submission": sub, "cells": cells})
    return {
        "questions": questions,
        "rows": rows,
        "totals": [
            (q, {"y": totals[q.pk]["Y"], "n": totals[q.pk]["N"], "none": totals[q.pk][""]})
            for q in questions
        ],
        "has_previous": bool(cycle.previous_id),
        "groups": groups,
        "group": group,
    }


class Cell(NamedTuple):
    """One organisation's answer for one profession: its text, or not applicable (then no text:
    whatever was typed before the profession was marked not employed is not the answer)."""

    response: str = ""
    not_applicable: bool = False


def profession_comparison(cycle: Cycle) -> list[dict]:
    """State of readiness: for each question, professions (rows) by organisations (columns)."""
    submissions = list(cycle.submissions.select_related("organisation"))
    answers = defaultdict(Cell)
    for sub_id, q_id, prof_id, response, not_applicable in Answer.objects.filter(
        submission__cycle=cycle
    ).values_list("submission_id", "question_id", "profession_id", "response", "not_applicable"):
        answers[(sub_id, q_id, prof_id)] = (
            Cell(not_applicable=True) if not_applicable else Cell(response)
        )
    professions = list(Profession.objects.all())
    return [
        {
            "question": q,
            "submissions": submissions,
            "organisation_names": [s.organisation.name for s in submissions],
            "rows": [(p, [answers[(s.pk, q.pk, p.pk)] for s in submissions]) for p in professions],
        }
        for q in cycle.section.questions.all()
    ]


def export_rows(cycle: Cycle):
    """One row per answer of the cycle, in question order then organisation."""
    return (
        Answer.objects.filter(submission__cycle=cycle)
        .select_related("question", "profession", "submission__organisation")
        .order_by(
            "question__position",
            "submission__organisation__path",
            "profession__sort_order",
            "profession__name",
        )
    )


# --- action plans ------------------------------------------------------------------------------


def action_plan(user, organisation: Organisation, *, filters: dict):
    """Actions of ``organisation``'s subtree the user may see, filtered."""
    qs = (
        ActionItem.objects.in_scope(user, "view")
        .below(organisation)
        .select_related("organisation", "owner", "submission__cycle", "answer__question")
        .order_by(F("due_date").asc(nulls_last=True), "organisation__path", "pk")
    )
    if filters.get("organisation"):
        qs = qs.filter(organisation__code=filters["organisation"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("stage"):
        qs = qs.filter(stage=filters["stage"])
    if filters.get("overdue"):
        qs = qs.filter(due_date__lt=timezone.localdate()).exclude(status=ActionItem.State.DONE)
    return qs


def action_for(user, pk, action: str) -> ActionItem:
    return get_in_scope_or_404(
        ActionItem.objects.select_related(
            "organisation", "owner", "submission__cycle", "answer__question"
        ),
        user,
        action,
        pk=pk,
    )


def owners_for(organisation: Organisation):
    """People who may own an action: anyone holding a role at the organisation or above it."""
    user_ids = Membership.objects.at_or_above(organisation).values("user_id")
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("email")


def organisations_in_plan(organisation: Organisation):
    return Organisation.objects.below(organisation).filter(
        pk__in=ActionItem.objects.values("organisation_id"),
    )
