"""GET /api/v1/readiness-cycles/, -submissions/, -answers/ and /action-plans/: the readiness
toolkits' results within the analyst's scope, with filters."""

import pytest

from readiness import services
from readiness.models import Answer, Submission


@pytest.fixture
def cycle(tree, make_user, django_capture_on_commit_callbacks):
    """The employer toolkit opened at the SYB ICS; RP5 has answered and been signed off."""
    from readiness.models import Section

    section = Section.objects.get(
        template__code="support_workforce", template__version=1, code="employer"
    )
    chair = make_user("chair", tree["QF7"])
    with django_capture_on_commit_callbacks(execute=True):
        cycle = services.cycle_open(
            actor=chair,
            organisation=tree["QF7"],
            section=section,
            name="2026/27",
            due_date=__import__("datetime").date(2027, 3, 31),
        )
    rp5 = Submission.objects.get(cycle=cycle, organisation=tree["RP5"])
    Answer.objects.filter(submission=rp5).update(yes_no="N", response="Not yet", next_steps="Plan")
    respondent = make_user("respondent", tree["RP5"])
    with django_capture_on_commit_callbacks(execute=True):
        services.submission_submit(submission=rp5, actor=respondent)
        services.submission_sign_off(submission=rp5, actor=chair)
    return cycle


def test_cycles_count_their_submissions(token_for, tree, cycle):
    client = token_for("analyst", tree["QF7"])
    (row,) = client.get("/api/v1/readiness-cycles/").json()["results"]
    assert row["organisation"] == "QF7" and row["section"] == "employer"
    assert row["submissions"] == Submission.objects.filter(cycle=cycle).count()
    assert row["signed_off"] == 1


def test_submissions_filter_by_status_and_organisation(token_for, tree, cycle):
    client = token_for("analyst", tree["QF7"])
    signed = client.get("/api/v1/readiness-submissions/", {"status": "signed_off"}).json()
    assert [s["organisation"] for s in signed["results"]] == ["RP5"]
    questions = Answer.objects.filter(submission__organisation=tree["RP5"]).count()
    assert signed["results"][0]["answered"] == signed["results"][0]["questions"] == questions
    rhq = client.get("/api/v1/readiness-submissions/", {"organisation": "RHQ"}).json()
    assert [s["status"] for s in rhq["results"]] == ["draft"]


def test_answers_of_signed_off_submissions(token_for, tree, cycle):
    client = token_for("analyst", tree["QF7"])
    body = client.get(
        "/api/v1/readiness-answers/", {"status": "signed_off", "page_size": 1000}
    ).json()
    assert body["results"] and {a["organisation"] for a in body["results"]} == {"RP5"}
    assert {(a["yes_no"], a["response"]) for a in body["results"]} == {("N", "Not yet")}
    first = body["results"][0]
    one = client.get("/api/v1/readiness-answers/", {"question": first["question_number"]}).json()
    assert {a["question_number"] for a in one["results"]} == {first["question_number"]}


def test_action_plans_come_from_next_steps_of_signed_off_answers(token_for, tree, cycle):
    client = token_for("analyst", tree["RP5"])
    items = client.get("/api/v1/action-plans/", {"page_size": 1000}).json()["results"]
    assert items and {i["organisation"] for i in items} == {"RP5"}
    assert {i["description"] for i in items} == {"Plan"}
    assert client.get("/api/v1/action-plans/", {"status": "done"}).json()["results"] == []


def test_a_provider_analyst_does_not_see_the_sibling(token_for, tree, cycle):
    client = token_for("analyst", tree["RXE"])
    assert client.get("/api/v1/readiness-cycles/").json()["results"] == []  # opened at the ICS
    subs = client.get("/api/v1/readiness-submissions/").json()["results"]
    assert [s["organisation"] for s in subs] == ["RXE"]
    assert client.get("/api/v1/readiness-answers/", {"organisation": "RP5"}).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/readiness-cycles/",
        "/api/v1/readiness-submissions/",
        "/api/v1/readiness-answers/",
        "/api/v1/action-plans/",
    ],
)
def test_readiness_lists_take_a_constant_number_of_queries(
    token_for, tree, cycle, url, django_assert_max_num_queries
):
    client = token_for("analyst", tree["QF7"])
    with django_assert_max_num_queries(7):
        assert client.get(url, {"page_size": 1000}).status_code == 200
