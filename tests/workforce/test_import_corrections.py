"""The trail of an import's corrections (PRODUCT.md 7): a committed file that changes stored rows
records which rows, each changed field's old and new value, who and when; the run's page shows
them to the data manager; a rolled-back or preview import records none; the API never shows
them."""

import pytest
from django.urls import reverse

from tests.workforce.conftest import good_row
from workforce.models import ImportCorrection, ImportRun


def staff(provider, staff_id, **changes):
    return good_row("staff", provider_code=provider, staff_id=staff_id, **changes)


FIRST = [staff("RP5", "A", band="6"), staff("RP5", "B"), staff("RHQ", "C")]
CORRECTED = [
    staff("RP5", "A", band="7"),  # a correction
    staff("RP5", "B"),  # unchanged
    staff("RHQ", "C", end_date="2025-02-28", leaving_reason="Promotion"),  # a correction
    staff("RHQ", "D"),  # a new row is not a correction
]


@pytest.fixture
def corrected(run_import, make_user, tree):
    manager = make_user("data_manager", tree["QF7"], email="dm@example.org")
    first = run_import("staff", FIRST, user=manager)
    assert first.status == ImportRun.Status.COMMITTED, first.errors
    second = run_import("staff", CORRECTED, user=manager, name="staff-corrected.csv")
    assert second.status == ImportRun.Status.COMMITTED, second.errors
    return first, second


def test_a_corrected_file_records_the_rows_it_changed_with_old_and_new_values(corrected, tree):
    first, second = corrected
    assert not first.corrections.exists()  # every row was new
    trail = {
        (c.provider.code, c.row_key["staff_id"]): (c.old, c.new)
        for c in second.corrections.select_related("provider")
    }
    assert trail == {
        ("RP5", "A"): ({"band": "6"}, {"band": "7"}),
        ("RHQ", "C"): (
            {"end_date": None, "leaving_reason": ""},
            {"end_date": "2025-02-28", "leaving_reason": "Promotion"},
        ),
    }
    assert second.committed_by.email == "dm@example.org" and second.committed_at


def test_a_preview_records_no_corrections(run_import, corrected):
    preview = run_import("staff", [staff("RP5", "A", band="8a")], commit=False)
    assert preview.status == ImportRun.Status.VALIDATED
    assert not ImportCorrection.objects.filter(run=preview).exists()


def test_the_run_page_shows_the_corrections_to_the_data_manager(corrected, client_for, tree):
    _, second = corrected
    page = client_for("data_manager", tree["QF7"]).get(
        reverse("workforce:run", args=["QF7", second.pk])
    )
    html = page.content.decode()
    assert "This import changed 2 rows that were already stored" in html
    assert "dm@example.org" in html
    for text in ('<td class="nhsuk-table__cell">band</td>', ">6</td>", ">7</td>", "Promotion"):
        assert text in html


def test_the_corrections_are_not_in_the_api(corrected, client_for, tree):
    _, second = corrected
    analyst = client_for("analyst", tree["QF7"])  # the API takes a signed-in session too
    response = analyst.get(f"/api/v1/import-runs/{second.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Promotion" not in body and "corrections" not in body and '"band"' not in body
