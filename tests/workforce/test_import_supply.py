"""Issue 19's data imported as a data manager would: the placements dataset and the optional
staff columns (age band, sex, apprenticeship and qualification level, DCC sessions), from the
template download through preview and commit to the history, and an old-format staff file."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.workforce.conftest import NEW_STAFF_COLUMNS, csv_bytes, errors_of, good_row
from workforce.models import ImportRun, Placement, Staff


@pytest.fixture
def manager(client_for, tree):
    return client_for("data_manager", tree["QF7"])


def _upload_and_confirm(manager, dataset, data, name, capture):
    response = manager.post(
        reverse("workforce:upload", args=["QF7"]),
        {"dataset": dataset, "file": SimpleUploadedFile(name, data)},
    )
    assert response.status_code == 302
    preview = manager.get(response["Location"]).content.decode()
    run = ImportRun.objects.get(file_name=name)
    assert run.status == ImportRun.Status.VALIDATED, run.errors
    assert "Check before importing" in preview and "Confirm import" in preview
    with capture(execute=True):
        manager.post(reverse("workforce:run", args=["QF7", run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.COMMITTED, run.errors
    return run


def test_placements_from_the_template_to_the_history(manager, django_capture_on_commit_callbacks):
    template = manager.get(reverse("workforce:template", args=["placements", "csv"]))
    header, allowed, example = list(csv.reader(io.StringIO(template.content.decode())))
    assert header == ["provider_code", "profession", "quarter", "offered", "requested", "filled"]
    quarter_words = allowed[header.index("quarter")]
    assert "first month" in quarter_words and "January, April, July or October" in quarter_words
    rows = [
        dict(zip(header, example, strict=True)) | {"provider_code": "RP5"},
        dict(zip(header, example, strict=True)) | {"quarter": "2025-07-01", "filled": "0"},
    ]
    run = _upload_and_confirm(
        manager,
        "placements",
        csv_bytes(rows),
        "placements-q.csv",
        django_capture_on_commit_callbacks,
    )
    assert run.rows_added == 2
    stored = sorted(Placement.objects.values_list("provider__code", "month", "offered", "filled"))
    assert stored == [
        ("RHQ", dt.date(2025, 7, 1), 24, 0),
        ("RP5", dt.date(2026, 4, 1), 24, 21),
    ]
    history = manager.get(reverse("workforce:imports", args=["QF7"])).content.decode()
    assert "placements-q.csv" in history and "Placements" in history
    # the same file again changes nothing
    manager.post(
        reverse("workforce:upload", args=["QF7"]),
        {"dataset": "placements", "file": SimpleUploadedFile("again.csv", csv_bytes(rows))},
    )
    again = ImportRun.objects.get(file_name="again.csv")
    assert (again.rows_added, again.rows_updated, again.rows_unchanged) == (0, 0, 2)


def test_placement_rows_are_checked_and_nothing_is_written(run_import):
    rows = [
        good_row("placements", filled="31", offered="30"),
        good_row("placements", quarter="2025-05"),
        good_row("placements", profession="podiatrist", requested="-1"),
        good_row("placements", profession="orthoptist", quarter="2099-01"),
        good_row("placements"),
    ]
    run = run_import("placements", rows, commit=True)
    assert run.status == ImportRun.Status.REJECTED
    errors = errors_of(run)
    assert (2, "filled", "filled is more than offered") in errors
    assert (
        3,
        "quarter",
        "'2025-05' is not the first month of a quarter: use 2025-01, 2025-04, 2025-07 or 2025-10",
    ) in errors
    assert (4, "requested", "'-1' is not a whole number 0 or more") in errors
    assert (5, "quarter", "'2099-01' is in the future") in errors
    assert (6, "quarter", "Duplicates row 2 (same provider_code, profession, quarter)") in errors
    assert Placement.objects.count() == 0


def test_an_old_format_staff_file_imports_and_records_not_stated(
    manager, django_capture_on_commit_callbacks
):
    template = manager.get(reverse("workforce:template", args=["staff", "csv"])).content.decode()
    header, allowed, _ = list(csv.reader(io.StringIO(template)))
    for column in NEW_STAFF_COLUMNS:
        assert "optional column: files may leave it out" in allowed[header.index(column)]
    assert "optional" not in allowed[header.index("band")]
    guidance = manager.get(reverse("workforce:template", args=["staff", "xlsx"]))
    assert guidance.status_code == 200
    # the old file: the columns of GOOD_STAFF only
    old = [good_row("staff"), good_row("staff", staff_id="S0002", apprentice="Y", band="3")]
    run = _upload_and_confirm(
        manager,
        "staff",
        csv_bytes(old),
        "staff-2024-format.csv",
        django_capture_on_commit_callbacks,
    )
    assert run.rows_added == 2
    person = Staff.objects.get(staff_id="S0001")
    assert (person.age_band, person.sex, person.qualification_level) == (
        "not_stated",
        "not_stated",
        "not_stated",
    )
    assert person.apprenticeship_level == "" and person.dcc_sessions is None


def test_new_staff_columns_import_and_update(run_import):
    rows = [good_row("staff", **NEW_STAFF_COLUMNS)]
    run = run_import("staff", rows)
    assert run.status == ImportRun.Status.COMMITTED, run.errors
    person = Staff.objects.get()
    assert (person.age_band, person.sex, person.qualification_level) == ("55_64", "female", "6")
    assert person.dcc_sessions == Decimal("6.5")
    apprentice = good_row(
        "staff",
        **NEW_STAFF_COLUMNS | {"apprenticeship_level": "4", "dcc_sessions": ""},
        apprentice="Y",
        band="4",
    )
    run = run_import("staff", [apprentice])
    assert (run.rows_updated, run.status) == (1, ImportRun.Status.COMMITTED)
    person.refresh_from_db()
    assert (person.apprenticeship_level, person.dcc_sessions) == ("4", None)


def test_new_staff_columns_are_checked(run_import):
    rows = [
        good_row("staff", **NEW_STAFF_COLUMNS | {"age_band": "60"}),
        good_row("staff", staff_id="S2", **NEW_STAFF_COLUMNS | {"apprenticeship_level": "3"}),
        good_row("staff", staff_id="S3", job_plan="N", **NEW_STAFF_COLUMNS),
        good_row("staff", staff_id="S4", **NEW_STAFF_COLUMNS | {"dcc_sessions": "8.5"}),
        good_row("staff", staff_id="S5", **NEW_STAFF_COLUMNS | {"qualification_level": "9"}),
        good_row("staff", staff_id="S6", **NEW_STAFF_COLUMNS | {"sex": "x"}),
    ]
    run = run_import("staff", rows)
    assert run.status == ImportRun.Status.REJECTED
    errors = errors_of(run)
    assert (
        2,
        "age_band",
        "'60' is not allowed (one of under_25, 25_34, 35_44, 45_54, 55_64, 65_plus, not_stated)",
    ) in errors
    assert (
        3,
        "apprenticeship_level",
        "apprenticeship_level is given but apprentice is N",
    ) in errors
    assert (4, "dcc_sessions", "dcc_sessions is given but job_plan is N") in errors
    assert (
        5,
        "dcc_sessions",
        "dcc_sessions 8.5 is more than 10 sessions a week per whole-time equivalent (fte 0.8)",
    ) in errors
    assert [e[1] for e in errors if e[0] == 6] == ["qualification_level"]
    assert [e[1] for e in errors if e[0] == 7] == ["sex"]
    assert Staff.objects.count() == 0
