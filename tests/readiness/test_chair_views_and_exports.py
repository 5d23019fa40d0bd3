"""Completion, heat map (with text in every cell), change since the last cycle, state of
readiness side by side, exports and the print view; page query counts do not grow."""

import csv
import io
from html import unescape

from django.urls import reverse
from openpyxl import load_workbook

from readiness import services
from readiness.models import Answer
from tests.readiness.conftest import answer_all, client_of


def _cells(page):
    return page.split("<tbody")[1].split("</tbody>")[0]


def test_progress_by_organisation(employer_cycle, tree, people):
    sub = employer_cycle.submissions.get(organisation=tree["RP5"])
    Answer.objects.filter(submission=sub, question__position__lte=5).update(yes_no="Y")
    page = client_of(people["chair"]).get(reverse("readiness:cycle", args=[employer_cycle.pk]))
    text = page.content.decode()
    assert "5 of 19" in text
    assert text.count("0 of 19") == 2


def test_heat_map_says_y_n_or_not_answered_in_every_cell(employer_cycle, tree, people):
    sub = employer_cycle.submissions.get(organisation=tree["RP5"])
    Answer.objects.filter(submission=sub, question__number="1").update(yes_no="Y")
    Answer.objects.filter(submission=sub, question__number="2").update(yes_no="N")
    response = client_of(people["chair"]).get(
        reverse("readiness:heatmap", args=[employer_cycle.pk])
    )
    text = response.content.decode()
    body = _cells(text)
    assert body.count('app-heat--y">Y</td>') == 1
    assert body.count('app-heat--n">N</td>') == 1
    assert body.count('app-heat--none">Not answered</td>') == 3 * 19 - 2
    assert "<caption" in text and 'scope="row"' in text and 'scope="col"' in text
    rows = response.context["heatmap"]["rows"]
    assert [r["submission"].organisation.code for r in rows] == ["RP5", "RXE", "RHQ"]
    totals = {q.number: t for q, t in response.context["heatmap"]["totals"]}
    assert totals["1"] == {"y": 1, "n": 0, "none": 2}


def test_heat_map_shows_the_change_since_the_previous_cycle(
    employer_cycle, tree, people, employer_section, due, open_cycle
):
    old = employer_cycle.submissions.get(organisation=tree["RP5"])
    answer_all(old, yes_no="N")
    services.submission_submit(submission=old, actor=people["rp5"])
    services.submission_sign_off(submission=old, actor=people["chair"])
    # RXE's old answers were never signed off, so they are not compared
    answer_all(employer_cycle.submissions.get(organisation=tree["RXE"]), yes_no="N")
    new = open_cycle(employer_section, "2027/28")
    sub = new.submissions.get(organisation=tree["RP5"])
    answer_all(sub, yes_no="N")
    Answer.objects.filter(submission=sub, question__number="3").update(yes_no="Y")
    text = client_of(people["chair"]).get(reverse("readiness:heatmap", args=[new.pk]))
    body = _cells(text.content.decode())
    assert body.count("(was N)") == 1
    assert 'app-heat--y">Y <strong class="app-heat__was">(was N)</strong>' in body
    assert body.count("(was") == 1  # RXE's draft and RHQ's blank are not compared


def test_state_of_readiness_answers_side_by_side_by_profession(
    tree, people, sor_section, due, open_cycle
):
    cycle = open_cycle(sor_section, "SoR 2026", organisations=[tree["RP5"], tree["RXE"]])
    Answer.objects.filter(
        submission__organisation=tree["RP5"],
        question__code="unique_selling_point",
        profession__code="physiotherapist",
    ).update(response="Rehabilitation expertise")
    response = client_of(people["chair"]).get(reverse("readiness:heatmap", args=[cycle.pk]))
    text = response.content.decode()
    assert "State of readiness: answers side by side" in text
    block = response.context["comparison"][0]
    assert [s.organisation.code for s in block["submissions"]] == ["RP5", "RXE"]
    physio = {p.code: cells for p, cells in block["rows"]}["physiotherapist"]
    assert [c.response for c in physio] == ["Rehabilitation expertise", ""]
    assert text.count("Not answered") == 4 * 15 * 2 - 1


def test_cycle_exports_xlsx_one_sheet_per_section_and_csv(employer_cycle, tree, people):
    sub = employer_cycle.submissions.get(organisation=tree["RP5"])
    answer_all(sub)
    Answer.objects.filter(submission=sub, question__number="1").update(response="+1 for us")
    chair = client_of(people["chair"])
    response = chair.get(reverse("readiness:cycle_export", args=[employer_cycle.pk, "xlsx"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == [
        "Summary",
        "Strategy",
        "Workforce planning",
        "Roles and responsibilities",
        "Recruitment and retention",
        "Training and education",
    ]
    assert wb["Strategy"].max_row == 1 + 3 * 3  # three questions by three providers
    assert wb["Training and education"].max_row == 1 + 5 * 3
    summary = {row[0]: row for row in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["RP5"][2:] == ("Draft", 19, 19)
    strategy = list(wb["Strategy"].iter_rows(min_row=2, values_only=True))
    assert strategy[0][:2] == ("RP5", tree["RP5"].name)
    assert strategy[0][8] == "'+1 for us"

    response = chair.get(reverse("readiness:cycle_export", args=[employer_cycle.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Organisation code", "Organisation", "Status"]
    assert len(rows) == 1 + 19 * 3


def test_print_view_shows_every_answer_without_form_fields(employer_cycle, tree, people):
    sub = employer_cycle.submissions.get(organisation=tree["RP5"])
    answer_all(sub)
    page = client_of(people["rp5"]).get(reverse("readiness:submission_print", args=[sub.pk]))
    text = page.content.decode()
    assert "<textarea" not in text
    assert text.count("Our response") == 19
    assert "app-no-print" in text


def test_list_pages_use_a_constant_number_of_queries(
    employer_cycle, tree, people, django_assert_max_num_queries, sor_section, due, open_cycle
):
    for org in ("RP5", "RXE"):
        sub = employer_cycle.submissions.get(organisation=tree[org])
        answer_all(sub)
        services.submission_submit(submission=sub, actor=people["rp5" if org == "RP5" else "rxe"])
        services.submission_sign_off(submission=sub, actor=people["chair"])
    open_cycle(sor_section, "SoR", organisations=[tree["RP5"], tree["RXE"], tree["RHQ"]])
    chair = client_of(people["chair"])
    rp5 = client_of(people["rp5"])
    sub = employer_cycle.submissions.get(organisation=tree["RP5"])
    pages = [
        (chair, reverse("readiness:home")),
        (rp5, reverse("readiness:home")),
        (chair, reverse("readiness:organisation", args=["QF7"])),
        (chair, reverse("readiness:cycle", args=[employer_cycle.pk])),
        (chair, reverse("readiness:heatmap", args=[employer_cycle.pk])),
        (chair, reverse("readiness:action_plan", args=["QF7"])),
        (chair, reverse("readiness:submission", args=[sub.pk])),
        (rp5, reverse("readiness:submission_print", args=[sub.pk])),
        (chair, reverse("readiness:cycle_export", args=[employer_cycle.pk, "xlsx"])),
    ]
    for client, url in pages:
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200, url


def test_heat_map_filters_by_part_of_the_section_with_each_question_in_full(
    employer_cycle, tree, people
):
    sub = employer_cycle.submissions.get(organisation=tree["RP5"])
    Answer.objects.filter(submission=sub, question__number="1").update(yes_no="Y")
    url = reverse("readiness:heatmap", args=[employer_cycle.pk])
    client = client_of(people["chair"])
    response = client.get(url, {"group": "Strategy"})
    heatmap = response.context["heatmap"]
    assert [q.number for q in heatmap["questions"]] == ["1", "2", "3"]
    assert heatmap["groups"][:2] == ["Strategy", "Workforce planning"]
    text = response.content.decode()
    body = _cells(text)
    assert body.count('app-heat--y">Y</td>') == 1
    assert body.count('app-heat--none">Not answered</td>') == 3 * 3 - 1
    first = heatmap["questions"][0]
    # the question is read on the column header itself, not only as "Q1"
    header = text.split('scope="col"><a href="#question-')[1].split("</th>")[0]
    assert first.text in unescape(header)
    assert '<option value="Strategy" selected>' in text
    # the organisation column stays in view as the grid scrolls: a labelled, focusable region
    assert 'role="region" aria-label="Heat map: Strategy, scrolls sideways"' in text
    # an unknown part shows every question rather than none
    everything = client.get(url, {"group": "Nonsense"}).context["heatmap"]
    assert len(everything["questions"]) == 19 and everything["group"] == ""
