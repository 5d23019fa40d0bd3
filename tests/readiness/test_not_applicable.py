"""State of readiness: a profession the organisation does not employ is marked once, not typed
four times. Its answers count as answered, read "Not applicable" in the comparison, exports,
print view and API, and the mark is reversible without losing text typed before."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from councils.api_tokens import api_token_create
from readiness import services
from readiness.models import Answer, Status
from tests.readiness.conftest import client_of, form_data
from workforce.models import Profession


@pytest.fixture
def sor_cycle(tree, people, sor_section, due, open_cycle):
    return open_cycle(sor_section, "SoR 2026", organisations=[tree["RP5"], tree["RXE"]])


@pytest.fixture
def sub(sor_cycle, tree):
    return sor_cycle.submissions.get(organisation=tree["RP5"])


def _prof(code):
    return Profession.objects.get(code=code)


def _url(sub):
    return reverse("readiness:submission", args=[sub.pk])


def _autosave_mark(client, sub, code, value, original=None):
    answer = sub.answers.filter(profession__code=code).first()
    data = {"answer": answer.pk, "field": "not_applicable", "value": value}
    if original is not None:
        data["original"] = original
    return client.post(reverse("readiness:autosave", args=[sub.pk]), data)


def test_the_form_offers_each_profession_once_and_keeps_the_question_wording(sub, people):
    page = client_of(people["rp5"]).get(_url(sub)).content.decode()
    assert "Professions not employed here" in page
    assert page.count('type="checkbox"') == Profession.objects.count()
    assert 'Art therapists<span class="nhsuk-u-visually-hidden">: not employed here' in page
    for question in sub.cycle.section.questions.all():
        assert question.text in page


def test_marking_professions_without_javascript_lets_the_provider_submit(sub, people):
    chief = client_of(people["rp5"])
    employed = ["physiotherapist", "occupational_therapist", "dietitian"]
    sub.answers.filter(profession__code__in=employed).update(response="Typed")
    data = form_data(chief.get(_url(sub)).content.decode(), "submit")
    for profession in Profession.objects.exclude(code__in=employed):
        data[f"p{profession.pk}-not_applicable"] = "1"

    response = chief.post(_url(sub), data, follow=True)

    assert "Submitted SoR 2026" in response.content.decode()
    sub.refresh_from_db()
    assert sub.status == Status.SUBMITTED
    assert sub.answers.filter(not_applicable=True).count() == 4 * (Profession.objects.count() - 3)
    assert (
        sub.answers.filter(not_applicable=True, response="").count()
        == sub.answers.filter(not_applicable=True).count()
    )  # nothing was written into their text


def test_unmarked_professions_still_have_to_be_answered(sub, people):
    chief = client_of(people["rp5"])
    sub.answers.exclude(profession__code="physiotherapist").update(response="Typed")
    data = form_data(chief.get(_url(sub)).content.decode(), "submit")
    page = chief.post(_url(sub), data).content.decode()
    assert "4 not answered yet" in page
    assert "Question 1, Physiotherapists: enter an answer" in page


def test_marked_professions_are_shown_as_not_applicable_and_count_as_answered(sub, people):
    chief = client_of(people["rp5"])
    assert _autosave_mark(chief, sub, "orthoptist", "1", original="").status_code == 200
    page = chief.get(_url(sub)).content.decode()
    assert "<strong>Orthoptists</strong>: not applicable (not employed here)" in page
    checked = re.findall(r'<input [^>]*name="p(\d+)-not_applicable" [^>]* checked>', page)
    assert checked == [str(_prof("orthoptist").pk)]
    assert f"4 of {Profession.objects.count() * 4}" in page


def test_the_mark_is_reversible_and_keeps_what_was_typed(sub, people):
    chief = client_of(people["rp5"])
    answer = sub.answers.get(question__number="1", profession__code="podiatrist")
    Answer.objects.filter(pk=answer.pk).update(response="We have two podiatrists")
    body = _autosave_mark(chief, sub, "podiatrist", "1", original="").json()
    assert body["answered"] == 4
    assert str(answer.pk) in body["versions"]
    answer.refresh_from_db()
    assert answer.not_applicable and answer.response == "We have two podiatrists"

    # without JavaScript: untick the box and save
    data = form_data(chief.get(_url(sub)).content.decode(), "save")
    del data[f"p{_prof('podiatrist').pk}-not_applicable"]
    assert chief.post(_url(sub), data).status_code == 302
    answer.refresh_from_db()
    assert not answer.not_applicable
    assert answer.response == "We have two podiatrists"
    page = chief.get(_url(sub)).content.decode()
    assert ">We have two podiatrists</textarea>" in page


def test_a_stale_page_does_not_undo_a_colleagues_mark(sub, people):
    chief = client_of(people["rp5"])
    stale = form_data(chief.get(_url(sub)).content.decode(), "save")
    _autosave_mark(client_of(people["rp5b"]), sub, "paramedic", "1", original="")
    assert chief.post(_url(sub), stale).status_code == 302
    assert sub.answers.filter(profession__code="paramedic", not_applicable=True).count() == 4


def test_comparison_shows_not_applicable_and_never_the_hidden_text(sor_cycle, sub, people, tree):
    Answer.objects.filter(submission=sub, profession__code="orthoptist").update(
        not_applicable=True, response="Draft typed before marking"
    )
    Answer.objects.filter(
        submission=sub, profession__code="physiotherapist", question__number="1"
    ).update(response="Rehabilitation expertise")
    response = client_of(people["chair"]).get(reverse("readiness:heatmap", args=[sor_cycle.pk]))
    text = response.content.decode()
    assert "Draft typed before marking" not in text
    assert text.count("Not applicable") == 4  # four questions, one organisation
    block = response.context["comparison"][0]
    rows = {p.code: cells for p, cells in block["rows"]}
    assert [(c.response, c.not_applicable) for c in rows["orthoptist"]] == [
        ("", True),
        ("", False),  # RXE did not mark it: not answered, not "not applicable"
    ]
    assert [c.response for c in rows["physiotherapist"]] == ["Rehabilitation expertise", ""]


def test_exports_say_not_applicable_and_invent_no_text(sor_cycle, sub, people):
    Answer.objects.filter(submission=sub, profession__code="orthoptist").update(
        not_applicable=True, response="Draft typed before marking"
    )
    chair = client_of(people["chair"])
    csv_response = chair.get(reverse("readiness:cycle_export", args=[sor_cycle.pk, "csv"]))
    rows = list(csv.DictReader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    marked = [r for r in rows if r["Not applicable"]]
    assert len(marked) == 4
    assert {(r["Organisation code"], r["Profession"]) for r in marked} == {("RP5", "Orthoptists")}
    assert {r["Not applicable"] for r in marked} == {"Not applicable"}
    assert {r["Response"] for r in marked} == {""}
    assert "Draft typed before marking" not in str(rows)
    assert {r["Response"] for r in rows} == {""}  # nobody answered anything else

    xlsx = chair.get(reverse("readiness:cycle_export", args=[sor_cycle.pk, "xlsx"]))
    wb = load_workbook(io.BytesIO(xlsx.content))
    sheet = wb[wb.sheetnames[1]]
    header = [c.value for c in sheet[1]]
    column = header.index("Not applicable")
    values = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values.count("Not applicable") == 1
    summary = {r[0]: r for r in wb["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["RP5"][3] == 4 and summary["RXE"][3] == 0


def test_print_view_and_api_say_not_applicable(sub, people, tree, make_user):
    Answer.objects.filter(submission=sub, profession__code="orthoptist").update(
        not_applicable=True, response="Draft typed before marking"
    )
    page = client_of(people["rp5"]).get(reverse("readiness:submission_print", args=[sub.pk]))
    text = page.content.decode()
    assert text.count("Not applicable (not employed here)") == 4
    assert "Draft typed before marking" not in text

    analyst = make_user("analyst", tree["QF7"], email="analyst@syb.test")
    _token, secret = api_token_create(
        user=analyst, name="Tests", expires_on=timezone.localdate() + datetime.timedelta(days=7)
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    rows = api.get(
        "/api/v1/readiness-answers/", {"submission": sub.pk, "profession": "orthoptist"}
    ).json()["results"]
    assert [(r["not_applicable"], r["response"]) for r in rows] == [(True, "")] * 4
    subs = api.get("/api/v1/readiness-submissions/", {"organisation": "RP5"}).json()["results"]
    assert subs[0]["answered"] == 4


def test_prefill_carries_the_mark_to_the_next_cycle(
    sor_cycle, sub, people, tree, sor_section, due, open_cycle
):
    sub.answers.update(response="Typed")
    Answer.objects.filter(submission=sub, profession__code="orthoptist").update(
        not_applicable=True, response=""
    )
    services.submission_submit(submission=sub, actor=people["rp5"])
    services.submission_sign_off(submission=sub, actor=people["chair"])
    later = open_cycle(sor_section, "SoR 2027", organisations=[tree["RP5"]], prefill=True)
    new = later.submissions.get()
    assert new.answers.filter(not_applicable=True).count() == 4
    assert all(
        a.answered and not a.changed_since_prefill
        for a in new.answers.filter(profession__code="orthoptist")
    )
    Answer.objects.filter(submission=new, profession__code="orthoptist").update(
        not_applicable=False
    )
    assert all(a.changed_since_prefill for a in new.answers.filter(profession__code="orthoptist"))


def test_only_state_of_readiness_answers_can_be_marked(employer_cycle, tree, people):
    sub = employer_cycle.submissions.get(organisation=tree["RP5"])
    answer = sub.answers.first()
    response = client_of(people["rp5"]).post(
        reverse("readiness:autosave", args=[sub.pk]),
        {"answer": answer.pk, "field": "not_applicable", "value": "1"},
    )
    assert response.status_code == 400
    assert not Answer.objects.filter(not_applicable=True).exists()


def test_a_sibling_cannot_mark_another_organisations_professions(sor_cycle, sub, people, tree):
    assert _autosave_mark(client_of(people["rxe"]), sub, "orthoptist", "1").status_code == 404
    own = sor_cycle.submissions.get(organisation=tree["RXE"])
    other = sub.answers.filter(profession__code="orthoptist").first()
    # an answer of RP5's posted to RXE's own submission's endpoint
    response = client_of(people["rxe"]).post(
        reverse("readiness:autosave", args=[own.pk]),
        {"answer": other.pk, "field": "not_applicable", "value": "1"},
    )
    assert response.status_code == 404
    assert not Answer.objects.filter(not_applicable=True).exists()


def test_a_signed_off_submission_cannot_be_marked(sub, people):
    sub.answers.update(response="Typed")
    services.submission_submit(submission=sub, actor=people["rp5"])
    response = _autosave_mark(client_of(people["rp5"]), sub, "orthoptist", "1")
    assert response.status_code == 400
    assert not Answer.objects.filter(not_applicable=True).exists()
