"""Demo readiness cycles for ``manage.py load_demo`` (and so ``make run``).

In South Yorkshire and Bassetlaw (QF7), the chair's employer toolkit: 2025/26 signed off by
Sheffield Teaching Hospitals (RHQ), then 2026/27 pre-filled from it, with RHQ's submitted and
signed off (its next steps on the action plan, one overdue) and Doncaster and Bassetlaw's (RP5)
a half-finished draft; plus a state of readiness cycle for both trusts. Synthetic text only.
Re-running it changes nothing.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from councils.models import Organisation, User

from . import services
from .models import ActionItem, Answer, Cycle, Section, Stage

ICS = "QF7"
EMPLOYER_CYCLES = ("2025/26", "2026/27")

RESPONSES = [
    "Agreed at the AHP council; reviewed each quarter.",
    "Partly: data held by each profession, not yet brought together.",
    "Not yet; discussed at the workforce group.",
    "Yes, led by the chief AHP with the education lead.",
]
NEXT_STEPS = [
    "Bring the support workforce data together in one quarterly report.",
    "Agree a shared development framework with the AHP council.",
    "Map apprenticeship routes and share with each profession.",
    "",
]
SOR_TEXT = {
    "unique_selling_point": "Assessment and rehabilitation that keeps people at home.",
    "extending_skills": "First contact practice in primary care; non-medical prescribing.",
    "enhancing_skills_of_others": "Training support workers in safe delegated interventions.",
    "shared_skills": "Falls prevention and personalised care planning.",
}


def _fill(submission, *, fraction=1.0, flip=0):
    answers = list(submission.answers.select_related("question", "profession"))
    upto = int(len(answers) * fraction)
    for i, answer in enumerate(answers[:upto]):
        if answer.question.kind == "yes_no":
            answer.yes_no = "N" if (i + flip) % 4 == 2 else "Y"
            answer.response = RESPONSES[(i + flip) % len(RESPONSES)]
            answer.next_steps = NEXT_STEPS[i % len(NEXT_STEPS)]
        else:
            answer.response = SOR_TEXT[answer.question.code]
        answer.version += 1
    Answer.objects.bulk_update(answers[:upto], ["yes_no", "response", "next_steps", "version"])


@transaction.atomic
def load(*, stdout) -> None:
    ics = Organisation.objects.filter(code=ICS).first()
    chair = User.objects.filter(email="chair@syb.example").first()
    if ics is None or chair is None:
        stdout.write("Readiness demo skipped: load the tree and demo users first.")
        return
    if Cycle.objects.filter(organisation=ics, name__in=EMPLOYER_CYCLES).exists():
        stdout.write("Readiness demo cycles already loaded.")
        return
    sth = User.objects.get(email="chief.ahp@sth.example")
    rhq, rp5 = Organisation.objects.get(code="RHQ"), Organisation.objects.get(code="RP5")
    employer = Section.objects.filter(template__code="support_workforce", code="employer").order_by(
        "-template__version"
    )[0]
    sor = Section.objects.filter(template__code="state_of_readiness").order_by(
        "-template__version"
    )[0]
    today = timezone.localdate()

    last_year = services.cycle_open(
        actor=chair,
        organisation=ics,
        section=employer,
        name=EMPLOYER_CYCLES[0],
        due_date=today - datetime.timedelta(days=200),
        organisations=[rhq],  # last year only Sheffield took part
    )
    Cycle.objects.filter(pk=last_year.pk).update(
        opened_at=timezone.now() - datetime.timedelta(days=260)
    )
    old = last_year.submissions.get(organisation=rhq)
    _fill(old, flip=1)
    services.submission_submit(submission=old, actor=sth)
    services.submission_sign_off(submission=old, actor=chair, comment="Thank you.")
    ActionItem.objects.filter(submission=old).update(
        status=ActionItem.State.DONE,
        due_date=today - datetime.timedelta(days=90),
        stage=Stage.HANDOVER_AND_SUSTAIN,
        owner_name="Therapies workforce lead",
    )

    cycle = services.cycle_open(
        actor=chair,
        organisation=ics,
        section=employer,
        name=EMPLOYER_CYCLES[1],
        due_date=today + datetime.timedelta(days=42),
        prefill=True,
    )
    sub = cycle.submissions.get(organisation=rhq)
    _fill(sub)
    services.submission_submit(submission=sub, actor=sth)
    services.submission_return(
        submission=sub, actor=chair, comment="Please add this year's vacancy figures to Q5."
    )
    services.submission_submit(submission=sub, actor=sth)
    services.submission_sign_off(submission=sub, actor=chair)
    actions = list(ActionItem.objects.filter(submission=sub).order_by("pk"))
    for i, action in enumerate(actions):
        action.owner = sth if i % 2 == 0 else None
        action.owner_name = "" if i % 2 == 0 else "Therapies workforce lead"
        action.due_date = today + datetime.timedelta(days=30 * (i % 6) - 10)
        action.stage = list(Stage)[i % len(Stage)]
        action.status = ActionItem.State.IN_PROGRESS if i % 3 == 0 else action.status
    ActionItem.objects.bulk_update(actions, ["owner", "owner_name", "due_date", "stage", "status"])
    _fill(cycle.submissions.get(organisation=rp5), fraction=0.5)

    readiness = services.cycle_open(
        actor=chair,
        organisation=ics,
        section=sor,
        name="State of readiness 2026",
        due_date=today + datetime.timedelta(days=60),
        organisations=[rhq, rp5],
    )
    _fill(readiness.submissions.get(organisation=rhq), fraction=0.25)
    _fill(readiness.submissions.get(organisation=rp5), fraction=0.1)
    stdout.write(
        f"Readiness demo: {EMPLOYER_CYCLES[1]} employer toolkit for {ics.display_name} "
        f"({len(actions)} actions on RHQ's plan), a state of readiness cycle, and "
        f"{EMPLOYER_CYCLES[0]} signed off for comparison."
    )
