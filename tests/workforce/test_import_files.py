"""File handling: encodings, delimiters, workbooks, refusals of oversize files and zip bombs."""

import io
import zipfile

from tests.workforce.conftest import csv_bytes, errors_of, good_row, xlsx_bytes
from workforce import import_errors
from workforce.models import ImportRun, Spend, Staff


def refusal(run):
    assert run.status == ImportRun.Status.REJECTED, errors_of(run)
    (error,) = run.errors
    assert error["row"] is None
    return error["reason"]


def test_a_csv_with_a_byte_order_mark_is_read(run_import):
    run = run_import("spend", data=csv_bytes([good_row("spend")], bom=True))
    assert run.status == ImportRun.Status.COMMITTED, errors_of(run)


def test_a_semicolon_separated_csv_is_read(run_import):
    rows = [good_row("spend"), good_row("spend", month="2025-05")]
    run = run_import("spend", data=csv_bytes(rows, delimiter=";", bom=True))
    assert run.status == ImportRun.Status.COMMITTED, errors_of(run)
    assert Spend.objects.count() == 2


def test_quoted_cells_and_spaces_are_handled(run_import):
    data = b'provider_code , month,pay_bill,bank_spend,agency_spend\r\n"RP5"," 2025-06 ",1,2,3\r\n'
    assert run_import("spend", data=data).status == ImportRun.Status.COMMITTED


def test_an_xlsx_first_sheet_is_read(run_import):
    rows = [good_row("staff"), good_row("staff", staff_id="S0002")]
    run = run_import("staff", data=xlsx_bytes(rows), name="staff.xlsx")
    assert run.status == ImportRun.Status.COMMITTED, errors_of(run)
    assert Staff.objects.count() == 2


def test_xlsx_typed_cells_dates_and_numbers_are_understood(run_import):
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    row = good_row("staff")
    sheet.append(list(row))
    row.update(start_date=dt.datetime(2020, 4, 1), fte=0.8, band=6, apprentice=False)
    sheet.append(list(row.values()))
    out = io.BytesIO()
    book.save(out)
    run = run_import("staff", data=out.getvalue(), name="staff.xlsx")
    assert run.status == ImportRun.Status.COMMITTED, errors_of(run)
    staff = Staff.objects.get()
    assert (str(staff.start_date), str(staff.fte), staff.band) == ("2020-04-01", "0.80", "6")


def test_a_file_named_xlsx_that_is_not_a_workbook_is_refused(run_import):
    run = run_import("spend", data=csv_bytes([good_row("spend")]), name="spend.xlsx")
    assert "not a real Excel workbook" in refusal(run)


def test_a_zip_that_is_not_a_workbook_is_refused(run_import):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    run = run_import("spend", data=out.getvalue(), name="spend.xlsx")
    assert "not an Excel workbook" in refusal(run)


def test_a_damaged_workbook_is_refused(run_import):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<not xml")
        archive.writestr("xl/workbook.xml", "<not xml")
    run = run_import("spend", data=out.getvalue(), name="spend.xlsx")
    assert "not a real Excel workbook" in refusal(run)


def test_an_old_xls_workbook_is_refused_with_advice(run_import):
    run = run_import("spend", data=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, name="a.xls")
    assert "Excel 97-2003" in refusal(run)


def test_a_zip_bomb_is_refused_before_it_is_opened(run_import):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            zeros = b"\0" * (1024 * 1024)
            for _ in range(20):
                sheet.write(zeros)
    assert len(out.getvalue()) < 200_000
    run = run_import("spend", data=out.getvalue(), name="bomb.xlsx")
    assert "zip bomb" in refusal(run)


def test_a_workbook_expanding_past_the_total_limit_is_refused(run_import, settings):
    settings.WORKFORCE_MAX_UNCOMPRESSED_BYTES = 1000
    run = run_import("staff", data=xlsx_bytes([good_row("staff")]), name="staff.xlsx")
    assert "would expand" in refusal(run)


def test_a_file_over_the_size_limit_is_refused_and_recorded(run_import, settings):
    settings.WORKFORCE_MAX_UPLOAD_BYTES = 2048
    rows = [
        good_row("spend", month=f"20{y:02d}-{m:02d}") for y in range(10, 25) for m in range(1, 13)
    ]
    run = run_import("spend", rows)
    assert "larger than" in refusal(run)
    assert Spend.objects.count() == 0


def test_a_file_that_is_not_utf8_is_refused_with_advice(run_import):
    data = "provider_code,month,pay_bill,bank_spend,agency_spend\nRP5,2025-06,1,2,3\n# caf\xe9\n"
    run = run_import("spend", data=data.encode("latin-1"))
    assert "CSV UTF-8" in refusal(run)


def test_an_empty_file_is_refused(run_import):
    assert "empty" in refusal(run_import("spend", data=b""))


def test_the_hash_and_size_are_recorded(run_import):
    import hashlib

    data = csv_bytes([good_row("spend")])
    run = run_import("spend", data=data)
    assert run.sha256 == hashlib.sha256(data).hexdigest() and run.size_bytes == len(data)


def test_more_than_a_thousand_errors_are_all_in_the_error_report(run_import):
    rows = [good_row("spend", month=f"2024-{1 + i % 12:02d}", pay_bill="x") for i in range(1500)]
    run = run_import("spend", rows, commit=False)
    assert run.error_count >= 1500
    assert len(run.errors) == import_errors.ERRORS_KEPT
    report = list(import_errors.error_rows(run))
    assert len(report) == run.error_count
    assert report[-1][0] == "1501"
