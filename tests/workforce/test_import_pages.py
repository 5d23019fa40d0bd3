"""The data manager's pages: upload, preview, confirm, history, error report, templates."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.workforce.conftest import csv_bytes, good_row
from workforce import services
from workforce.datasets import DATASETS
from workforce.models import ImportRun, Spend


def upload(client, org_code, dataset, data, name="file.csv"):
    return client.post(
        reverse("workforce:upload", args=[org_code]),
        {"dataset": dataset, "file": SimpleUploadedFile(name, data)},
    )


@pytest.fixture
def manager(client_for, tree):
    return client_for("data_manager", tree["QF7"])


def test_upload_shows_a_preview_and_confirm_imports(manager, django_capture_on_commit_callbacks):
    rows = [good_row("spend"), good_row("spend", provider_code="RHQ")]
    response = upload(manager, "QF7", "spend", csv_bytes(rows), "spend-june.csv")
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workforce:run", args=["QF7", run.pk])
    page = manager.get(response["Location"]).content.decode()
    assert "Check before importing" in page and "Rows to add" in page
    assert "Confirm import" in page and Spend.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):  # the task, run eagerly on commit
        response = manager.post(reverse("workforce:run", args=["QF7", run.pk]))
    page = manager.get(response["Location"]).content.decode()
    assert "Importing spend-june.csv: this page shows how far it has got." in page
    assert "Rows checked: 2 of 2" in page
    assert "Rows written: 2 (2 added, 0 updated) in one transaction" in page
    assert Spend.objects.count() == 2
    run.refresh_from_db()
    assert run.status == ImportRun.Status.COMMITTED and run.committed_by == manager.user


def test_a_broken_file_shows_its_errors_and_offers_the_report(manager):
    rows = [good_row("spend", pay_bill="=1+1"), good_row("spend", provider_code="RR8")]
    response = upload(manager, "QF7", "spend", csv_bytes(rows))
    page = manager.get(response["Location"]).content.decode()
    assert "There is a problem with the file" in page
    assert "Nothing from this file has been imported" in page
    assert "Confirm import" not in page
    assert "&#x27;=1+1&#x27; is not a number" in page
    run = ImportRun.objects.get()
    report = manager.get(reverse("workforce:run_errors_csv", args=["QF7", run.pk]))
    assert report["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode())))
    assert lines[0] == ["row", "column", "reason"]
    assert lines[1][:2] == ["2", "pay_bill"] and lines[1][2].startswith("'")  # no formula
    assert lines[2][:2] == ["3", "provider_code"]


def test_the_form_asks_for_a_dataset_and_a_file(manager):
    response = manager.post(reverse("workforce:upload", args=["QF7"]), {})
    page = response.content.decode()
    assert "Choose which dataset the file holds" in page and "Choose a file to upload" in page
    assert ImportRun.objects.count() == 0


def test_a_refused_file_is_explained(manager):
    response = upload(manager, "QF7", "spend", b"plain text", "spend.xlsx")
    page = manager.get(response["Location"]).content.decode()
    assert "is not a real Excel workbook" in page


def test_only_data_managers_can_upload(client_for, tree):
    for role in ("viewer", "chair", "analyst", "org_admin"):
        client = client_for(role, tree["QF7"])
        assert client.get(reverse("workforce:upload", args=["QF7"])).status_code == 404
        assert upload(client, "QF7", "spend", csv_bytes([good_row("spend")])).status_code == 404
    assert ImportRun.objects.count() == 0


def test_a_sibling_data_manager_gets_404_for_runs_and_reports(client_for, tree):
    run = services.import_file(
        dataset="spend",
        fileobj=io.BytesIO(csv_bytes([good_row("spend")])),
        file_name="s.csv",
        organisation=tree["RP5"],
        user=None,
        commit=False,
        store=True,
    )
    sibling = client_for("data_manager", tree["RXE"])
    for name in ("workforce:run", "workforce:run_errors_csv"):
        assert sibling.get(reverse(name, args=["RP5", run.pk])).status_code == 404
        assert sibling.get(reverse(name, args=["RXE", run.pk])).status_code == 404
    assert sibling.post(reverse("workforce:run", args=["RXE", run.pk])).status_code == 404
    assert Spend.objects.count() == 0


def test_history_lists_the_subtree_with_constant_queries(
    manager, tree, django_assert_max_num_queries
):
    def add_runs(n):
        for i in range(n):
            org = tree["RP5"] if i % 2 else tree["QF7"]
            provider = "RP5" if i % 2 else "RHQ"
            row = good_row("spend", provider_code=provider, month=f"2024-{1 + i:02d}")
            services.import_file(
                dataset="spend",
                fileobj=io.BytesIO(csv_bytes([row])),
                file_name=f"spend-{i}.csv",
                organisation=org,
                user=manager.user,
                commit=True,
            )

    add_runs(2)
    url = reverse("workforce:imports", args=["QF7"])
    with django_assert_max_num_queries(9):
        manager.get(url)
    add_runs(8)
    with django_assert_max_num_queries(9):
        page = manager.get(url).content.decode()
    assert page.count("spend-") == 10 and manager.user.email in page
    assert run_hash_shown(page)
    rp5_page = manager.get(reverse("workforce:imports", args=["RP5"])).content.decode()
    assert rp5_page.count("spend-") == 5  # RP5's own runs, not the ICS-level ones (RHQ rows)


def run_hash_shown(page):
    run = ImportRun.objects.first()
    return run.sha256[:12] in page


def test_the_imports_home_lists_where_you_can_import(manager, client_for, tree):
    page = manager.get(reverse("workforce:home")).content.decode()
    assert reverse("workforce:upload", args=["QF7"]) in page
    viewer_page = client_for("viewer", tree["QF7"]).get(reverse("workforce:home")).content.decode()
    assert "You do not hold the data manager role" in viewer_page


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_csv_templates_list_columns_allowed_values_and_import_as_they_are(
    manager, dataset, tree, run_import
):
    response = manager.get(reverse("workforce:template", args=[dataset, "csv"]))
    assert response["Content-Disposition"] == f'attachment; filename="{dataset}-template.csv"'
    header, allowed, example = list(csv.reader(io.StringIO(response.content.decode())))
    assert header == DATASETS[dataset].column_names
    assert allowed[0].startswith("# Allowed values")
    assert example[0] == "RHQ"
    if dataset == "staff_month":
        run_import("staff", [good_row("staff", provider_code="RHQ", staff_id=example[1])])
    run = run_import(dataset, data=response.content, commit=False)
    assert run.status == ImportRun.Status.VALIDATED, run.errors
    assert run.rows_total == 1


def test_xlsx_templates_have_a_guidance_sheet(manager):
    response = manager.get(reverse("workforce:template", args=["staff", "xlsx"]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Data", "Guidance"]
    guidance = list(book["Guidance"].iter_rows(values_only=True))
    band = next(row for row in guidance if row[0] == "band")
    assert "8a" in band[3]


def test_an_unknown_template_is_404(manager):
    assert manager.get("/imports/templates/payroll.csv").status_code == 404
    assert manager.get("/imports/templates/staff.pdf").status_code == 404


def test_the_run_page_shows_counts_and_what_changed_in_constant_queries(
    manager, tree, django_assert_max_num_queries
):
    rows = [good_row("spend", month=f"2024-{m:02d}") for m in range(1, 13)]
    rows += [good_row("spend", provider_code="RHQ", month="2024-01")]
    run = services.import_file(
        dataset="spend",
        fileobj=io.BytesIO(csv_bytes(rows)),
        file_name="year.csv",
        organisation=tree["QF7"],
        user=manager.user,
        commit=True,
    )
    with django_assert_max_num_queries(9):  # the ninth: the run's corrections
        page = manager.get(reverse("workforce:run", args=["QF7", run.pk])).content.decode()
    assert "Rows added" in page and "13" in page
    assert "2 providers (RHQ, RP5), 12 months from 2024-01 to 2024-12" in page
