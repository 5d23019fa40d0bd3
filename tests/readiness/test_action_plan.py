"""Next steps become actions; overdue ones are flagged; a subtree's plan filters and exports."""

import csv
import datetime
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from readiness import services
from readiness.models import ActionItem, Answer, Stage
from tests.readiness.conftest import answer_all, client_of


def _signed_off(cycle, org, people, respondent="rp5", next_steps="Agree a plan"):
    sub = cycle.submissions.get(organisation=org)
    answer_all(sub, next_steps=next_steps)
    Answer.objects.filter(submission=sub, question__number="2").update(next_steps="")
    services.submission_submit(submission=sub, actor=people[respondent])
    services.submission_sign_off(submission=sub, actor=people["chair"])
    return sub


def test_sign_off_turns_each_next_step_into_an_action_once(employer_cycle, tree, people):
    sub = _signed_off(employer_cycle, tree["RP5"], people)
    actions = ActionItem.objects.filter(submission=sub)
    assert actions.count() == 18  # 19 questions, one without next steps
    assert {a.stage for a in actions} == {Stage.START_OUT}
    assert {a.status for a in actions} == {ActionItem.State.NOT_STARTED}
    first = actions.get(answer__question__number="1")
    first.owner_name = "Workforce lead"
    first.save()

    services.submission_reopen(submission=sub, actor=people["chair"])
    Answer.objects.filter(submission=sub, question__number="1").update(next_steps="Revised step")
    services.submission_submit(submission=sub, actor=people["rp5"])
    services.submission_sign_off(submission=sub, actor=people["chair"])
    first.refresh_from_db()
    assert ActionItem.objects.filter(submission=sub).count() == 18
    assert (first.description, first.owner_name) == ("Revised step", "Workforce lead")


def test_overdue_actions_are_flagged_in_words(employer_cycle, tree, people):
    sub = _signed_off(employer_cycle, tree["RP5"], people)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late, done_late = list(ActionItem.objects.filter(submission=sub)[:2])
    ActionItem.objects.filter(pk=late.pk).update(due_date=yesterday)
    ActionItem.objects.filter(pk=done_late.pk).update(due_date=yesterday, status="done")
    page = client_of(people["viewer"]).get(reverse("readiness:action_plan", args=["QF7"]))
    text = page.content.decode()
    assert text.count('<strong class="nhsuk-tag nhsuk-tag--red">Overdue</strong>') == 1
    overdue = client_of(people["viewer"]).get(
        reverse("readiness:action_plan", args=["QF7"]), {"overdue": "on"}
    )
    assert list(overdue.context["actions"]) == [ActionItem.objects.get(pk=late.pk)]


def test_the_plan_of_a_subtree_filters_by_organisation_status_and_stage(
    employer_cycle, tree, people
):
    _signed_off(employer_cycle, tree["RP5"], people)
    _signed_off(employer_cycle, tree["RXE"], people, respondent="rxe")
    one = ActionItem.objects.filter(organisation=tree["RXE"]).first()
    one.stage, one.status = Stage.IMPLEMENT, ActionItem.State.IN_PROGRESS
    one.save()
    chair = client_of(people["chair"])
    url = reverse("readiness:action_plan", args=["QF7"])
    assert len(chair.get(url).context["actions"]) == 36
    assert len(chair.get(url, {"organisation": "RXE"}).context["actions"]) == 18
    assert list(chair.get(url, {"stage": "implement"}).context["actions"]) == [one]
    assert list(chair.get(url, {"status": "in_progress"}).context["actions"]) == [one]
    # a respondent at RP5 sees only RP5's plan, even when asking for the sibling's
    rp5 = client_of(people["rp5"])
    assert len(rp5.get(reverse("readiness:action_plan", args=["RP5"])).context["actions"]) == 18
    assert rp5.get(reverse("readiness:action_plan", args=["RXE"])).status_code == 404


def test_the_plan_exports_as_csv_with_formula_safe_cells_and_as_xlsx(employer_cycle, tree, people):
    _signed_off(employer_cycle, tree["RP5"], people, next_steps='=HYPERLINK("evil")')
    chair = client_of(people["chair"])
    response = chair.get(reverse("readiness:action_plan_export", args=["QF7", "csv"]))
    assert response["Content-Disposition"] == 'attachment; filename="action-plan-qf7.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["Organisation code", "Organisation", "Cycle", "Question", "Action"]
    assert len(rows) == 1 + 18
    assert rows[1][4] == '\'=HYPERLINK("evil")'
    assert rows[1][0] == "RP5" and rows[1][7] == "Not started" and rows[1][8] == "Start out"

    xlsx = chair.get(reverse("readiness:action_plan_export", args=["QF7", "xlsx"]), {"stage": "x"})
    sheet = load_workbook(io.BytesIO(xlsx.content))["Action plan"]
    assert sheet.max_row == 1 + 18  # an unknown stage filter is ignored, not an error
    assert sheet["E2"].value == '\'=HYPERLINK("evil")'


def test_an_action_is_edited_with_an_owner_in_scope_or_free_text(employer_cycle, tree, people):
    _signed_off(employer_cycle, tree["RP5"], people)
    action = ActionItem.objects.filter(organisation=tree["RP5"]).first()
    url = reverse("readiness:action_edit", args=[action.pk])
    client = client_of(people["rp5"])
    due = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    form = {
        "description": "Recruit two apprentices",
        "owner": people["rp5b"].pk,
        "due_date": due,
        "status": "in_progress",
        "stage": "design_and_plan",
    }
    assert client.post(url, form).status_code == 302
    action.refresh_from_db()
    assert (action.owner, action.status, action.stage) == (
        people["rp5b"],
        "in_progress",
        "design_and_plan",
    )
    # someone with no role over RP5 (the sibling's respondent) cannot be made the owner
    response = client.post(url, {**form, "owner": people["rxe"].pk})
    assert response.status_code == 200
    assert "Select owner from the list" in response.content.decode()
    response = client.post(url, {**form, "owner": "", "owner_name": "Head of therapies"})
    action.refresh_from_db()
    assert action.owner is None and action.owner_display == "Head of therapies"
    assert client_of(people["viewer"]).get(url).status_code == 404


def test_the_plan_offers_edit_only_to_those_who_may_edit(employer_cycle, tree, people):
    # Found by the production crawl: a viewer (or data manager) saw "Edit" links that led to 404.
    sub = _signed_off(employer_cycle, tree["RP5"], people)
    first = ActionItem.objects.filter(submission=sub).order_by("pk").first()
    edit_url = reverse("readiness:action_edit", args=[first.pk])
    plan = reverse("readiness:action_plan", args=["QF7"])
    viewer_page = client_of(people["viewer"]).get(plan).content.decode()
    assert "Agree a plan" in viewer_page and edit_url not in viewer_page
    assert client_of(people["viewer"]).get(edit_url).status_code == 404
    for who, code in (("chair", "QF7"), ("rp5", "RP5")):
        url = reverse("readiness:action_plan", args=[code])
        page = client_of(people[who]).get(url).content.decode()
        assert f'href="{edit_url}"' in page, who
        assert client_of(people[who]).get(edit_url).status_code == 200, who
