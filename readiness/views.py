from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from ahpportal.api.exceptions import problem_response
from councils import selectors as councils_selectors
from councils.models import Organisation
from councils.pages import org_context, org_page, org_view, scoped_view
from councils.scoping import covers, get_in_scope_or_404, scope_roots

from . import exports, selectors, services
from .figures import figures_for_questions
from .forms import ActionFilterForm, ActionForm, CycleOpenForm, ReviewForm
from .models import Answer, Stage, Status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def home(request):
    user = request.user
    assigned = selectors.assigned_by_level(user)
    return render(
        request,
        "readiness/home.html",
        {
            # (level, submissions, the table's name: the level is said where there are several)
            "assigned": [
                (level, subs, f"Assigned to you: {level} toolkits" if len(assigned) > 1 else "")
                for level, subs in assigned
            ],
            "cycles": selectors.cycles_run_by(user),
            "chair_roots": scope_roots(user, "chair"),
            "today": timezone.localdate(),
        },
    )


@login_required
def resources(request):
    """The toolkit's supporting resources (seed 002), the same for every signed-in user."""
    from .resources import supporting_resources

    return render(request, "readiness/resources.html", {"resources": supporting_resources()})


@org_view("readiness/organisation.html")
def organisation(request, org):
    return {
        "cycles": selectors.cycles_at(request.user, org),
        "submissions": selectors.submissions_below(request.user, org),
        "can_open": covers(request.user, "chair", org),
        "today": timezone.localdate(),
    }


@login_required
def cycle_new(request, code):
    org = councils_selectors.organisation_for(request.user, code, "chair")
    sections = selectors.latest_sections()
    form = CycleOpenForm(
        request.POST or None,
        sections=sections,
        # open providers only: a closed one's work is its successor's
        providers=Organisation.objects.below(org).filter(level="provider", closed_on__isnull=True),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle = services.cycle_open(
                actor=request.user,
                organisation=org,
                section=data["section"],
                name=data["name"],
                due_date=data["due_date"],
                organisations=data["organisations"] if data["section"].per_profession else None,
                prefill=data["prefill"],
            )
        except services.WorkflowError as error:
            form.add_error("section", str(error))
        else:
            messages.success(
                request,
                f"Opened {cycle.name} for {cycle.submissions.count()} organisations.",
            )
            return redirect("readiness:cycle", pk=cycle.pk)
    return org_page(request, "readiness/cycle_new.html", org, form=form)


@scoped_view(selectors.cycle_for, "readiness/cycle.html")
def cycle(request, cycle):
    return org_context(
        request,
        cycle.organisation,
        cycle=cycle,
        submissions=selectors.progress(cycle),
        events=selectors.cycle_events(cycle),
        can_chair=covers(request.user, "chair", cycle.organisation),
    )


@login_required
@require_POST
def cycle_state(request, pk):
    """Close the cycle to respondents, or reopen it (a chair of its organisation)."""
    cycle = selectors.cycle_for(request.user, pk, "chair")
    decision = request.POST.get("decision")
    moves = {"close": services.cycle_close, "reopen": services.cycle_reopen}
    if decision not in moves:
        messages.error(request, "Choose close or reopen.")
        return redirect("readiness:cycle", pk=cycle.pk)
    try:
        moves[decision](cycle=cycle, actor=request.user)
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Closed {cycle.name}: respondents can no longer save or submit."
            if decision == "close"
            else f"Reopened {cycle.name}: respondents can save and submit again.",
        )
    return redirect("readiness:cycle", pk=cycle.pk)


@login_required
def heatmap(request, pk):
    cycle = selectors.cycle_for(request.user, pk)
    context = {
        "cycle": cycle,
        "breadcrumb": councils_selectors.breadcrumb(request.user, cycle.organisation),
    }
    if cycle.section.per_profession:
        context["comparison"] = selectors.profession_comparison(cycle)
        return render(request, "readiness/comparison.html", context)
    context["heatmap"] = selectors.heatmap(cycle, group=request.GET.get("group", ""))
    return render(request, "readiness/heatmap.html", context)


@login_required
def cycle_export(request, pk, fmt):
    cycle = selectors.cycle_for(request.user, pk)
    name = slugify(f"{cycle.name} {cycle.section.code}".replace("/", "-"))
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.cycle_csv(cycle), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="readiness-{name}.csv"'
        return response
    response = HttpResponse(exports.cycle_xlsx(cycle), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="readiness-{name}.xlsx"'
    return response


def _changes_from_post(post, answers):
    """{answer id: {"values": {field: value}, "originals": {field: value}, "version": int}} from
    the plain form: each field's value, and the value it had when the page was loaded."""
    changes = {}
    for answer in answers:
        prefix = f"a{answer.pk}-"
        values = {f: post[prefix + f] for f in Answer.FIELDS if prefix + f in post}
        if not values:
            continue
        originals = {
            f: post[f"{prefix}{f}-original"] for f in values if f"{prefix}{f}-original" in post
        }
        try:
            version = int(post.get(prefix + "version", ""))
        except ValueError:
            version = -1
        changes[answer.pk] = {"values": values, "originals": originals, "version": version}
    return changes


def _marks_from_post(post, answers):
    """{profession id: (marked not applicable, as loaded)} from the state of readiness form's
    checkboxes (an unticked box is not posted; its hidden original always is). Only professions
    answered in this submission are read."""
    marks = {}
    for profession_id in {a.profession_id for a in answers if a.profession_id}:
        name = f"p{profession_id}-not_applicable"
        if name + "-original" in post:
            marks[profession_id] = (name in post, post[name + "-original"] == "1")
    return marks


@login_required
def submission(request, pk):
    sub = selectors.submission_for(request.user, pk)
    can_respond = covers(request.user, "respond", sub.organisation)
    if request.method != "POST":
        return _submission_page(request, sub)
    if not can_respond:
        raise Http404("No such page.")
    if not sub.editable:
        messages.error(
            request,
            f"{sub.cycle.name} is closed: answers can no longer be saved or submitted."
            if sub.cycle.is_closed
            else "This submission cannot be edited now.",
        )
        return redirect("readiness:submission", pk=sub.pk)
    answers = selectors.answers_of(sub)
    changes = _changes_from_post(request.POST, answers)
    too_long = services.too_long_fields(changes, {a.pk: a for a in answers})
    if too_long:  # nothing is saved; every box shows what was typed, and what is too long
        typed = {
            (answer_id, field): value
            for answer_id, posted in changes.items()
            for field, value in posted["values"].items()
        }
        return _submission_page(request, sub, typed=typed, too_long=too_long, status=400)
    try:
        conflicts = services.submission_save(
            submission=sub,
            actor=request.user,
            changes=changes,
            not_applicable=_marks_from_post(request.POST, answers),
        )
    except services.WorkflowError as error:
        messages.error(request, str(error))
        return redirect("readiness:submission", pk=sub.pk)
    missing = []
    if not conflicts and "submit" in request.POST:
        missing = services.unanswered(sub)
        if not missing:
            try:
                transition = services.submission_submit(submission=sub, actor=request.user)
            except services.WorkflowError as error:
                messages.error(request, str(error))
                return redirect("readiness:submission", pk=sub.pk)
            messages.success(
                request,
                f"{transition.get_action_display()} {sub.cycle.name} for "
                f"{sub.organisation.name}. The chair has been told.",
            )
            return redirect("readiness:submission", pk=sub.pk)
    if not conflicts and not missing:
        messages.success(request, "Draft saved.")
        return redirect("readiness:submission", pk=sub.pk)
    typed = {(c.answer.pk, c.field): c.yours for c in conflicts}
    return _submission_page(
        request,
        sub,
        conflicts=conflicts,
        missing=missing,
        typed=typed,
        status=409 if conflicts else 200,
    )


def _submission_page(
    request,
    sub,
    *,
    conflicts=(),
    missing=(),
    typed=None,
    too_long=(),
    review_form=None,
    status=200,
):
    """The submission page; ``typed`` ({(answer id, field): text}) is shown in the boxes instead
    of the saved text, so that a refused or conflicting edit is never lost."""
    sub.refresh_from_db()
    typed = typed or {}
    groups = selectors.grouped_answers(sub)
    answers = [a for _, group in groups for a in group]
    answered = sum(1 for a in answers if a.answered)
    theirs = {(c.answer.pk, c.field): c for c in conflicts}
    long_fields = {(answer.pk, field): message for answer, field, message in too_long}
    for answer in answers:
        answer.conflicts = []
        answer.too_long = {}
        for field in Answer.FIELDS:
            # what the box shows: the person's own typing where it conflicted, else the saved text
            setattr(answer, f"form_{field}", typed.get((answer.pk, field), getattr(answer, field)))
            if (answer.pk, field) in theirs:
                answer.conflicts.append(theirs[(answer.pk, field)])
            if (answer.pk, field) in long_fields:
                answer.too_long[field] = long_fields[(answer.pk, field)]
    section = sub.cycle.section
    beside = figures_for_questions(
        request.user, sub.organisation, section.template.code, section.code,
        {a.question for a in answers},
    )  # fmt: skip
    for answer in answers:
        answer.figures = beside.get(answer.question_id, [])
    marks = selectors.profession_marks(answers) if sub.cycle.section.per_profession else []
    not_applicable = {m["profession"].pk for m in marks if m["marked"]}
    can_respond = covers(request.user, "respond", sub.organisation)
    return render(
        request,
        "readiness/submission.html",
        {
            "sub": sub,
            "cycle": sub.cycle,
            "section": sub.cycle.section,
            "breadcrumb": councils_selectors.breadcrumb(request.user, sub.organisation),
            "groups": groups,
            "answered": answered,
            "total": len(answers),
            "editing": can_respond and sub.editable,
            "can_chair": covers(request.user, "chair", sub.organisation),
            "conflicts": conflicts,
            "missing": missing,
            "too_long": [
                {"answer": answer, "field": field, "message": message}
                for answer, field, message in too_long
            ],
            "history": selectors.history_of(sub),
            "review_form": review_form or ReviewForm(),
            "Status": Status,
            "marks": marks,
            "not_applicable": not_applicable,
        },
        status=status,
    )


@login_required
@require_POST
def autosave(request, pk):
    sub = selectors.submission_for(request.user, pk, "respond")
    if not request.POST.get("answer"):
        return problem_response(400, "Say which answer to save.")
    answer = get_in_scope_or_404(
        Answer.objects.filter(submission=sub),
        request.user,
        "respond",
        pk=request.POST.get("answer"),
    )
    field = request.POST.get("field", "")
    if field == "not_applicable":
        return _autosave_mark(request, sub, answer)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        return problem_response(400, "A version number is required.")
    try:
        version, conflict = services.answer_save_field(
            submission=sub,
            answer=answer,
            field=field,
            value=request.POST.get("value", ""),
            version=version,
            actor=request.user,
            original=request.POST.get("original"),
        )
    except services.WorkflowError as error:
        return problem_response(400, str(error), field=field)
    if conflict:
        return problem_response(
            409,
            f"{conflict.by or 'Someone else'} changed this answer while you were typing.",
            **{
                "conflict": True,
                "version": version,
                "theirs": conflict.theirs,
                "by": conflict.by,
                "message": f"{conflict.by or 'Someone else'} changed this answer while you were "
                "typing. Your text is still in the box; their saved text is shown below it. "
                "Save again to keep yours.",
            },
        )
    return _saved(sub, version=version)


def _saved(sub, **data):
    progress = selectors.with_progress(sub.__class__.objects.filter(pk=sub.pk)).values(
        "answered", "total"
    )[0]
    return JsonResponse(
        {
            **data,
            "saved_at": timezone.localtime().strftime("%H:%M:%S"),
            "answered": progress["answered"],
            "total": progress["total"],
        }
    )


def _autosave_mark(request, sub, answer):
    """Mark the profession of ``answer`` not employed here ("1") or applicable again ("")."""
    if not answer.profession_id:
        return problem_response(400, "Only a profession's answers can be marked not applicable.")
    original = request.POST.get("original")
    try:
        versions = services.answers_mark_not_applicable(
            submission=sub,
            profession_id=answer.profession_id,
            value=request.POST.get("value") == "1",
            original=None if original is None else original == "1",
            actor=request.user,
        )
    except services.WorkflowError as error:
        return problem_response(400, str(error))
    return _saved(sub, versions={str(pk): v for pk, v in versions.items()})


@login_required
@require_POST
def review(request, pk):
    sub = selectors.submission_for(request.user, pk, "chair")
    form = ReviewForm(request.POST)
    if not form.is_valid():  # the comment is shown again as typed, with what is wrong
        return _submission_page(request, sub, review_form=form, status=400)
    comment = form.cleaned_data["comment"]
    decision = request.POST.get("decision")
    actions = {
        "return": services.submission_return,
        "sign_off": services.submission_sign_off,
        "reopen": services.submission_reopen,
    }
    if decision not in actions:
        messages.error(request, "Choose return, sign off or reopen.")
        return redirect("readiness:submission", pk=sub.pk)
    if decision == "return" and not comment.strip():
        # said at the field and in the error summary, with what was typed kept
        form.add_error("comment", "Enter a comment saying what needs to change")
        return _submission_page(request, sub, review_form=form)
    try:
        transition = actions[decision](submission=sub, actor=request.user, comment=comment)
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{transition.get_action_display()}: {sub.organisation.name}, {sub.cycle.name}.",
        )
    return redirect("readiness:submission", pk=sub.pk)


@scoped_view(selectors.submission_for, "readiness/submission_print.html")
def submission_print(request, sub):
    return {
        "sub": sub,
        "cycle": sub.cycle,
        "section": sub.cycle.section,
        "groups": selectors.grouped_answers(sub),
        "history": selectors.history_of(sub),
    }


def _plan(request, org):
    organisations = selectors.organisations_in_plan(org)
    form = ActionFilterForm(request.GET or None, organisations=organisations)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, selectors.action_plan(request.user, org, filters=filters)


@login_required
def action_plan(request, code):
    org = councils_selectors.organisation_for(request.user, code)
    form, actions = _plan(request, org)
    rows = list(actions[:500])
    # "Edit" only where action_edit lets this user in (a respondent's or a chair's organisation).
    editable = {
        action.pk
        for action in rows
        if covers(request.user, "respond", action.organisation)
        or covers(request.user, "chair", action.organisation)
    }
    return org_page(
        request,
        "readiness/action_plan.html",
        org,
        form=form,
        actions=rows,
        editable=editable,
        query=request.GET.urlencode(),
        stages=Stage.choices,
    )


@login_required
def action_plan_export(request, code, fmt):
    org = councils_selectors.organisation_for(request.user, code)
    _form, actions = _plan(request, org)
    name = f"action-plan-{slugify(org.code)}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.actions_csv(actions.iterator(chunk_size=1000)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    response = HttpResponse(exports.actions_xlsx(actions), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@login_required
def action_edit(request, pk):
    action = selectors.action_for(request.user, pk, "view")
    if not (
        covers(request.user, "respond", action.organisation)
        or covers(request.user, "chair", action.organisation)
    ):
        raise Http404("No such page.")
    form = ActionForm(
        request.POST or None, instance=action, owners=selectors.owners_for(action.organisation)
    )
    if request.method == "POST" and form.is_valid():
        services.action_update(
            action=action,
            actor=request.user,
            **{f: form.cleaned_data[f] for f in ActionForm.Meta.fields},
        )
        messages.success(request, "Action updated.")
        return redirect("readiness:action_plan", code=action.organisation.code)
    return render(
        request,
        "readiness/action_edit.html",
        {
            "action": action,
            "form": form,
            "breadcrumb": councils_selectors.breadcrumb(request.user, action.organisation),
        },
    )
