# ruff: noqa: F811 - the fixtures imported from the readiness and delivery conftests are arguments
"""Every form says what is wrong at the field and in the error summary, in NHS.UK's words.

For each form an invalid value is posted; the page must show the message in the error summary (a
link to the field's input) and at the field (``<id>_error``, which the input's or fieldset's
``aria-describedby`` names), and its title must start with "Error: ".
"""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse

from readiness.models import Status
from tests.delivery.conftest import action_of, syb_plan  # noqa: F401 (fixtures)
from tests.readiness.conftest import (  # noqa: F401 (fixtures)
    answer_all,
    client_of,
    due,
    employer_cycle,
    employer_section,
    people,
    post_fields,
)


def assert_error_shown(response, field_id, message, *, anchor=None):
    page = unescape(response.content.decode())
    assert response.status_code == 200, response.status_code
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title.startswith("Error: "), title
    summary = page.split('class="nhsuk-error-summary"')[1].split("</ul>")[0]
    assert f'<a href="#{anchor or field_id}">{message}</a>' in summary, summary
    at_field = re.search(rf'<span class="nhsuk-error-message" id="{field_id}_error">(.*?)\n', page)
    assert at_field and message in re.sub(r"<[^>]+>", "", at_field.group(1)), page
    described = re.findall(r'aria-describedby="([^"]*)"', page)
    assert any(f"{field_id}_error" in ids.split() for ids in described), described


def test_targets_say_between_0_and_100_at_the_field(tree, client_for):
    client = client_for("chair", tree["QF7"])
    response = client.post(
        reverse("dashboard:targets", args=["QF7"]), {"target_appraisal_rate": "120"}
    )
    assert_error_shown(
        response,
        "id_target_appraisal_rate",
        "Enter a target between 0 and 100 for Appraisal rate %",
    )
    assert 'class="nhsuk-input nhsuk-input--error"' in response.content.decode()


def test_opening_a_cycle_needs_a_real_due_date(tree, people, employer_section):
    response = client_of(people["chair"]).post(
        reverse("readiness:cycle_new", args=["QF7"]),
        {
            "section": employer_section.pk,
            "name": "2027/28",
            "due_date_day": "31",
            "due_date_month": "2",
            "due_date_year": "2027",
        },
    )
    assert_error_shown(
        response, "id_due_date", "Due date must be a real date", anchor="id_due_date_0"
    )
    page = response.content.decode()
    # NHS.UK's day, month, year boxes, not the browser's date control
    assert 'type="date"' not in page
    for part in ("day", "month", "year"):
        assert f'name="due_date_{part}"' in page


def test_opening_a_cycle_with_nothing_chosen_names_each_field(tree, people):
    response = client_of(people["chair"]).post(
        reverse("readiness:cycle_new", args=["QF7"]), {"name": "", "due_date_day": ""}
    )
    assert_error_shown(response, "id_section", "Select toolkit")
    assert_error_shown(response, "id_name", "Enter cycle name")
    assert_error_shown(response, "id_due_date", "Enter due date", anchor="id_due_date_0")


def test_a_cycle_due_in_the_past_is_refused_at_the_field(tree, people, employer_section):
    past = datetime.date.today() - datetime.timedelta(days=3)
    response = client_of(people["chair"]).post(
        reverse("readiness:cycle_new", args=["QF7"]),
        {
            "section": employer_section.pk,
            "name": "2027/28",
            "due_date_day": past.day,
            "due_date_month": past.month,
            "due_date_year": past.year,
        },
    )
    assert_error_shown(
        response,
        "id_due_date",
        "The due date must be today or in the future.",
        anchor="id_due_date_0",
    )


def test_upload_without_a_dataset_or_file(tree, client_for):
    client = client_for("data_manager", tree["QF7"])
    response = client.post(reverse("workforce:upload", args=["QF7"]), {})
    assert_error_shown(
        response, "id_dataset", "Choose which dataset the file holds", anchor="id_dataset_0"
    )
    assert_error_shown(response, "id_file", "Choose a file to upload")


def test_a_progress_update_needs_a_status_and_narrative(tree, client_for, action_of):
    client = client_for("chair", tree["QF7"])
    action = action_of("3.1")
    response = client.post(
        reverse("delivery:update_add", args=["QF7", action.pk]),
        {"quarter": "2026/27 Q3", "narrative": ""},
    )
    assert_error_shown(response, "id_status", "Select status", anchor="id_status_0")
    assert_error_shown(response, "id_narrative", "Enter progress this quarter")


def test_an_invitation_needs_a_real_email_address(tree, client_for):
    client = client_for("org_admin", tree["QF7"])
    response = client.post(
        reverse("councils:people", args=["QF7"]),
        {"email": "not-an-email", "organisation": tree["QF7"].pk, "role": "viewer"},
    )
    assert_error_shown(
        response, "id_email", "Enter an email address in the correct format, like name@example.com"
    )


def test_password_reset_with_a_malformed_email(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "not-an-email"})
    assert_error_shown(
        response, "id_email", "Enter an email address in the correct format, like name@example.com"
    )


def test_return_with_an_empty_comment_says_so(employer_cycle, tree, people):
    sub = employer_cycle.submissions.get(organisation=tree["RP5"])
    answer_all(sub)
    client_of(people["rp5"]).post(
        reverse("readiness:submission", args=[sub.pk]), {**post_fields(sub), "submit": "1"}
    )
    sub.refresh_from_db()
    assert sub.status == Status.SUBMITTED
    response = client_of(people["chair"]).post(
        reverse("readiness:review", args=[sub.pk]), {"decision": "return", "comment": "  "}
    )
    assert_error_shown(response, "id_comment", "Enter a comment saying what needs to change")
    sub.refresh_from_db()
    assert sub.status == Status.SUBMITTED  # nothing happened


def test_an_api_token_needs_a_name_and_a_real_expiry_date(tree, client_for):
    client = client_for("analyst", tree["QF7"])
    response = client.post(
        reverse("api_tokens"),
        {"name": "", "expires_on_day": "40", "expires_on_month": "1", "expires_on_year": "2027"},
    )
    assert_error_shown(response, "id_name", "Enter name")
    assert_error_shown(
        response, "id_expires_on", "Expiry date must be a real date", anchor="id_expires_on_0"
    )


@pytest.mark.parametrize("widget", ["radio", "checkbox"])
def test_each_option_is_labelled_once(tree, people, client_for, widget):
    if widget == "radio":
        page = client_for("data_manager", tree["QF7"]).get(
            reverse("workforce:upload", args=["QF7"])
        )
        option_id = "id_dataset_0"
    else:
        page = client_of(people["chair"]).get(reverse("readiness:cycle_new", args=["QF7"]))
        option_id = "id_organisations_0"
    html = page.content.decode()
    assert html.count(f'for="{option_id}"') == 1
    assert f'<label for="{option_id}"' not in html  # Django's own wrapping label is gone


def test_password_reset_is_in_sentence_case(client, db):
    page = client.get(reverse("account_reset_password")).content.decode()
    assert "<title>Reset your password - AHP Portal</title>" in page
    assert "Password Reset" not in page and "Reset My Password" not in page
