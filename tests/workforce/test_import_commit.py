"""Committing: one transaction, idempotent re-import, update by key, scope, what it touched."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from dashboard import services as dashboard_services
from dashboard.models import RecomputeRun
from tests.workforce.conftest import csv_bytes, errors_of, good_row
from workforce import import_copy, import_rows, import_touched, services
from workforce.models import (
    Activity,
    Establishment,
    ImportRun,
    Spend,
    Staff,
    StaffMonth,
    StaffSurvey,
)

MODELS = {
    "staff": Staff,
    "staff_month": StaffMonth,
    "establishment": Establishment,
    "activity": Activity,
    "spend": Spend,
    "staff_survey": StaffSurvey,
}


@pytest.fixture
def recompute_requests(monkeypatch):
    calls = []
    monkeypatch.setattr(import_touched, "request_recompute", lambda **kwargs: calls.append(kwargs))
    return calls


def staff_rows(n, **changes):
    return [good_row("staff", staff_id=f"S{i:04d}", **changes) for i in range(n)]


@pytest.mark.parametrize("dataset", list(MODELS))
def test_each_dataset_commits_and_a_second_import_changes_nothing(run_import, dataset):
    if dataset == "staff_month":
        run_import("staff", [good_row("staff")])
    first = run_import(dataset, [good_row(dataset)])
    assert first.status == ImportRun.Status.COMMITTED, errors_of(first)
    assert (first.rows_added, first.rows_updated, first.rows_unchanged) == (1, 0, 0)
    again = run_import(dataset, [good_row(dataset)])
    assert (again.rows_added, again.rows_updated, again.rows_unchanged) == (0, 0, 1)
    assert MODELS[dataset].objects.count() == 1


def test_a_preview_counts_and_writes_nothing(run_import):
    run_import("staff", staff_rows(3))
    rows = staff_rows(5)
    rows[1]["band"] = "7"
    run = run_import("staff", rows, commit=False)
    assert run.status == ImportRun.Status.VALIDATED
    assert (run.rows_added, run.rows_updated, run.rows_unchanged) == (2, 1, 2)
    assert Staff.objects.count() == 3
    assert not Staff.objects.filter(band="7").exists()


def test_a_corrected_file_updates_rows_by_key(run_import):
    run_import("staff", staff_rows(3))
    rows = staff_rows(3)
    rows[2].update(band="7", fte="1", end_date="2025-01-31", leaving_reason="Promotion")
    run = run_import("staff", rows)
    assert (run.rows_added, run.rows_updated, run.rows_unchanged) == (0, 1, 2)
    changed = Staff.objects.get(staff_id="S0002")
    assert (changed.band, changed.fte, changed.end_date) == ("7", 1, dt.date(2025, 1, 31))
    assert Staff.objects.count() == 3


def test_a_file_with_any_bad_row_writes_nothing(run_import):
    rows = staff_rows(50)
    rows[-1]["fte"] = "9"
    run = run_import("staff", rows)
    assert run.status == ImportRun.Status.REJECTED
    assert Staff.objects.count() == 0


def test_a_failure_mid_file_writes_nothing(run_import, monkeypatch):
    monkeypatch.setattr(import_copy, "USE_COPY", False)  # the Python path writes in chunks
    monkeypatch.setattr(import_rows, "CHUNK_ROWS", 10)
    calls = {"n": 0}
    original = type(Staff.objects).bulk_create

    def flaky(self, objs, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return original(self, objs, *args, **kwargs)

    monkeypatch.setattr(type(Staff.objects), "bulk_create", flaky)
    run = run_import("staff", staff_rows(45))
    assert calls["n"] == 3  # two chunks were written before the failure
    assert run.status == ImportRun.Status.FAILED
    assert "nothing was written" in run.errors[0]["reason"]
    assert Staff.objects.count() == 0


@pytest.mark.parametrize("copy", [True, False], ids=["staged", "python"])
def test_a_failure_after_the_rows_are_written_writes_nothing(run_import, monkeypatch, copy):
    monkeypatch.setattr(import_copy, "USE_COPY", copy)
    run_import("staff", staff_rows(5))
    changed = staff_rows(8)
    changed[0]["band"] = "8a"

    def boom(run, outcome):
        assert Staff.objects.count() == 8  # written, in the transaction
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_record_provider_counts", boom)
    run = run_import("staff", changed)
    assert run.status == ImportRun.Status.FAILED
    assert "nothing was written" in run.errors[0]["reason"]
    assert Staff.objects.count() == 5 and not Staff.objects.filter(band="8a").exists()
    assert not run.corrections.exists()


def test_an_import_for_an_organisation_outside_scope_is_refused(run_import, make_user, tree):
    sibling_manager = make_user("data_manager", tree["RXE"])
    with pytest.raises(services.ImportNotAllowed):
        run_import("spend", [good_row("spend")], org="RP5", user=sibling_manager)
    viewer = make_user("viewer", tree["QF7"])
    with pytest.raises(services.ImportNotAllowed):
        run_import("spend", [good_row("spend")], org="QF7", user=viewer)
    assert ImportRun.objects.count() == 0


def test_a_data_manager_cannot_import_rows_for_a_provider_outside_their_scope(
    run_import, make_user, tree
):
    manager = make_user("data_manager", tree["QF7-DON"])
    rows = [good_row("spend", provider_code="RP5"), good_row("spend", provider_code="RHQ")]
    run = run_import("spend", rows, org="QF7-DON", user=manager)
    assert run.status == ImportRun.Status.REJECTED
    assert errors_of(run)[0][:2] == (3, "provider_code")
    assert Spend.objects.count() == 0
    assert run.uploaded_by == manager


def test_a_commit_records_and_requests_exactly_what_it_touched(
    run_import, recompute_requests, tree
):
    rows = [
        good_row("spend", month="2025-03"),
        good_row("spend", provider_code="RHQ", month="2025-04"),
    ]
    run_import("spend", rows)
    recompute_requests.clear()
    rows[1]["pay_bill"] = "5"
    rows.append(good_row("spend", provider_code="RXE", month="2025-04"))
    run = run_import("spend", rows)
    assert run.touched["provider_codes"] == ["RHQ", "RXE"]
    assert run.touched["months"] == ["2025-04-01"]
    (request,) = recompute_requests
    assert sorted(request["provider_ids"]) == sorted([tree["RHQ"].pk, tree["RXE"].pk])
    assert request["months"] == [dt.date(2025, 4, 1)]


def test_the_import_is_linked_to_the_dashboard_recompute():
    # A plain import, not a getattr hook: renaming the dashboard's function breaks this test
    # (and the import of workforce.import_touched) instead of silently stopping recomputes.
    assert import_touched.request_recompute is dashboard_services.request_recompute


def test_a_committed_import_queues_a_recompute_run_once_it_commits(
    run_import, tree, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(dashboard_services, "enqueue", queued.append)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = run_import("spend", [good_row("spend", provider_code="RHQ", month="2025-04")])
    assert run.status == ImportRun.Status.COMMITTED
    (recompute,) = RecomputeRun.objects.all()
    assert recompute.provider_ids == [tree["RHQ"].pk]
    assert recompute.months == ["2025-04-01"]
    assert recompute.organisation == tree["RHQ"]
    assert recompute.status == RecomputeRun.Status.PENDING
    assert len(callbacks) == 1 and queued == [recompute.pk]


def test_an_unchanged_reimport_requests_no_recompute(run_import, recompute_requests):
    run_import("spend", [good_row("spend")])
    run = run_import("spend", [good_row("spend")])
    assert run.touched["provider_ids"] == [] and len(recompute_requests) == 1


def test_staff_changes_touch_the_months_from_their_start_to_the_latest_data(
    run_import, recompute_requests
):
    run_import("staff", [good_row("staff", start_date="2020-01-01")])
    months = [f"2025-{m:02d}" for m in range(1, 7)]
    run_import("staff_month", [good_row("staff_month", month=m) for m in months])
    run = run_import("staff", [good_row("staff", staff_id="S0002", start_date="2025-03-20")])
    assert run.touched["months"] == ["2025-03-01", "2025-04-01", "2025-05-01", "2025-06-01"]


def test_a_previewed_upload_is_confirmed_from_the_stored_file(tree, make_user):
    manager = make_user("data_manager", tree["QF7"])
    preview = services.import_file(
        dataset="spend",
        fileobj=io.BytesIO(csv_bytes([good_row("spend")])),
        file_name="spend.csv",
        organisation=tree["QF7"],
        user=manager,
        commit=False,
        store=True,
    )
    assert preview.stored_file and Spend.objects.count() == 0
    run = services.commit_run(run=preview, user=manager)
    assert run.pk == preview.pk and run.status == ImportRun.Status.COMMITTED
    assert run.committed_by == manager and Spend.objects.count() == 1
    with pytest.raises(ValueError, match="cannot be confirmed"):
        services.commit_run(run=run, user=manager)


def test_the_command_imports_and_dry_runs(tmp_path, tree, make_user):
    path = tmp_path / "spend.csv"
    path.write_bytes(csv_bytes([good_row("spend")]))
    out = io.StringIO()
    call_command(
        "import_workforce", "spend", str(path), "--organisation", "QF7", "--dry-run", stdout=out
    )
    assert "1 to add" in out.getvalue() and Spend.objects.count() == 0
    make_user("data_manager", tree["QF7"], email="dm@example.test")
    call_command(
        "import_workforce",
        "spend",
        str(path),
        "--organisation",
        "QF7",
        "--user",
        "dm@example.test",
        stdout=out,
    )
    assert Spend.objects.count() == 1
    assert ImportRun.objects.filter(
        uploaded_by__email="dm@example.test", status="committed"
    ).exists()


def test_the_command_fails_loudly_for_a_rejected_file(tmp_path, tree):
    path = tmp_path / "spend.csv"
    path.write_bytes(csv_bytes([good_row("spend", month="2025-13")]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_workforce", "spend", str(path), "--organisation", "QF7", stderr=err)
    assert "row 2, month" in err.getvalue()
