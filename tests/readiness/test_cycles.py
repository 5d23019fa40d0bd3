"""A chair opens a cycle for the organisations of the matching level in their scope."""

import datetime

from django.core import mail
from django.urls import reverse

from readiness import services
from readiness.models import Answer, Cycle, Section, Status, Submission
from tests.readiness.conftest import answer_all, client_of


def _codes(cycle):
    return sorted(cycle.submissions.values_list("organisation__code", flat=True))


def test_employer_cycle_goes_to_the_providers_in_scope(employer_cycle):
    assert _codes(employer_cycle) == ["RHQ", "RP5", "RXE"]
    assert employer_cycle.submissions.filter(status=Status.DRAFT).count() == 3
    assert Answer.objects.filter(submission__cycle=employer_cycle).count() == 3 * 19


def test_system_and_regional_cycles_go_to_icss_and_regions(tree, make_user, due):
    chair = make_user("chair", tree["Y63"])
    sections = {s.code: s for s in Section.objects.filter(template__code="support_workforce")}
    system = services.cycle_open(
        actor=chair, organisation=tree["Y63"], section=sections["system"], name="S", due_date=due
    )
    regional = services.cycle_open(
        actor=chair, organisation=tree["Y63"], section=sections["regional"], name="R", due_date=due
    )
    assert _codes(system) == ["QF7", "QWO"]
    assert _codes(regional) == ["Y63"]


def test_state_of_readiness_goes_to_chosen_providers_per_profession(
    tree, people, sor_section, due, open_cycle
):
    cycle = open_cycle(sor_section, "SoR", organisations=[tree["RP5"], tree["RHQ"]])
    assert _codes(cycle) == ["RHQ", "RP5"]
    # four questions for each of the 15 professions
    assert Answer.objects.filter(submission__organisation=tree["RP5"]).count() == 4 * 15


def test_a_provider_outside_the_chairs_scope_cannot_be_chosen(
    tree, people, sor_section, due, open_cycle
):
    try:
        open_cycle(sor_section, "SoR", organisations=[tree["RP5"], tree["RR8"]])
    except services.WorkflowError as error:
        assert "Choose only providers within" in str(error)
    else:
        raise AssertionError("RR8 is in another ICS")
    assert not Cycle.objects.exists()


def test_chair_opens_a_cycle_through_the_form(tree, people, employer_section, due):
    client = client_of(people["chair"])
    url = reverse("readiness:cycle_new", args=["QF7"])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"section": employer_section.pk, "name": "2026/27", "due_date": due.isoformat()}
    )
    cycle = Cycle.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("readiness:cycle", args=[cycle.pk])
    assert _codes(cycle) == ["RHQ", "RP5", "RXE"]


def test_the_form_refuses_a_past_due_date_and_state_of_readiness_without_providers(
    tree, people, sor_section
):
    client = client_of(people["chair"])
    url = reverse("readiness:cycle_new", args=["QF7"])
    past = datetime.date.today() - datetime.timedelta(days=1)
    response = client.post(url, {"section": sor_section.pk, "name": "X", "due_date": past})
    assert response.status_code == 200
    assert "The due date must be today or in the future." in response.content.decode()
    assert "Choose at least one provider for state of readiness." in response.content.decode()
    assert not Cycle.objects.exists()


def test_respondents_cannot_open_cycles(tree, people):
    response = client_of(people["rp5"]).get(reverse("readiness:cycle_new", args=["RP5"]))
    assert response.status_code == 404


def test_respondents_are_emailed_and_see_what_is_assigned_and_due(employer_cycle, people):
    to_rp5 = [m for m in mail.outbox if "chief@rp5.test" in m.to]
    assert len(to_rp5) == 1 and "2026/27" in to_rp5[0].subject
    assert "chief@rxe.test" not in to_rp5[0].to  # one email per organisation

    page = client_of(people["rp5"]).get(reverse("readiness:home")).content.decode()
    assert "Section 3: Employer readiness" in page
    assert "0 of 19 answered" in page
    assert employer_cycle.due_date.strftime("%B") in page
    assert "Doncaster and Bassetlaw" in page
    assert "Rotherham" not in page  # the sibling's submission is not listed

    chair_page = client_of(people["chair"]).get(reverse("readiness:home")).content.decode()
    assert "Cycles you run" in chair_page and "0 of 3" in chair_page


def test_prefill_copies_the_last_signed_off_answers_and_highlights_changes(
    tree, people, employer_cycle, employer_section, due, open_cycle
):
    sub = employer_cycle.submissions.get(organisation=tree["RP5"])
    answer_all(sub, yes_no="N")
    services.submission_submit(submission=sub, actor=people["rp5"])
    services.submission_sign_off(submission=sub, actor=people["chair"])

    new = open_cycle(employer_section, "2027/28", prefill=True)
    assert new.previous == employer_cycle
    new_sub = new.submissions.get(organisation=tree["RP5"])
    answers = list(new_sub.answers.select_related("question"))
    assert all(a.prefilled and a.yes_no == "N" and a.response == "Our response" for a in answers)
    assert not new.submissions.get(organisation=tree["RXE"]).answers.filter(prefilled=True).exists()

    first = answers[0]
    client = client_of(people["rp5"])
    client.post(
        reverse("readiness:autosave", args=[new_sub.pk]),
        {"answer": first.pk, "field": "yes_no", "value": "Y", "version": first.version},
    )
    page = client.get(reverse("readiness:submission", args=[new_sub.pk])).content.decode()
    assert page.count("Changed since last signed-off submission") == 1
    assert page.count("Pre-filled from the last signed-off submission") == 18


def test_organisation_page_lists_cycles_and_submissions_below_it(employer_cycle, people, tree):
    page = client_of(people["viewer"]).get(reverse("readiness:organisation", args=["QF7"]))
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count(reverse("readiness:cycle", args=[employer_cycle.pk])) == 1
    for sub in Submission.objects.all():
        assert reverse("readiness:submission", args=[sub.pk]) in text
    rp5 = client_of(people["rp5"]).get(reverse("readiness:organisation", args=["RP5"]))
    assert rp5.content.decode().count("/readiness/submissions/") == 1
