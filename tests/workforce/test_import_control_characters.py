"""Control characters in cells, and files with a header but no data rows, are refused.

A NUL byte passed validation before: SQLite stored it and PostgreSQL failed the whole run with a
database error. Both databases now get the same row and column message and nothing is written.
"""

import io
import zipfile

import pytest

from tests.workforce.conftest import csv_bytes, errors_of, good_row, xlsx_bytes
from workforce.models import ImportRun, Spend, Staff


@pytest.mark.parametrize(
    ("character", "words"),
    [
        ("\x00", "a NUL character (code 0)"),
        ("\x01", "a control character (code 1)"),
        ("\x1b", "a control character (code 27)"),
        ("\x7f", "a control character (code 127)"),
        ("\x85", "a control character (code 133)"),
    ],
)
def test_a_control_character_in_a_csv_cell_is_rejected_with_row_and_column(
    run_import, character, words
):
    rows = [good_row("spend"), good_row("spend", month="2025-05", pay_bill=f"12{character}3")]
    run = run_import("spend", data=csv_bytes(rows))
    assert run.status == ImportRun.Status.REJECTED
    assert errors_of(run) == [
        (
            3,
            "pay_bill",
            f"pay_bill contains {words}, which is not allowed in a value; remove it and save "
            "the file again",
        )
    ]
    assert Spend.objects.count() == 0


def test_a_nul_in_a_free_text_cell_is_rejected_and_nothing_is_written(run_import):
    rows = [
        good_row("staff"),
        good_row("staff", staff_id="S0002", end_date="2024-03-31", leaving_reason="Re\x00tired"),
    ]
    run = run_import("staff", data=csv_bytes(rows))
    assert run.status == ImportRun.Status.REJECTED
    ((row, column, reason),) = errors_of(run)
    assert (row, column) == (3, "leaving_reason")
    assert "NUL character" in reason
    assert Staff.objects.count() == 0


def test_every_cell_with_a_control_character_is_named(run_import):
    rows = [good_row("spend", provider_code="RP\x025", bank_spend="1\x00")]
    run = run_import("spend", data=csv_bytes(rows), commit=False)
    assert [(r, c) for r, c, _ in errors_of(run)] == [(2, "provider_code"), (2, "bank_spend")]


def test_a_control_character_in_the_header_is_rejected(run_import):
    data = b"provider_code,mon\x00th,pay_bill,bank_spend,agency_spend\r\nRP5,2025-06,1,2,3\r\n"
    run = run_import("spend", data=data)
    assert errors_of(run)[0][:2] == (1, "column 2")
    assert Spend.objects.count() == 0


def test_a_tab_inside_a_cell_is_allowed(run_import):
    rows = [good_row("staff", end_date="2024-03-31", leaving_reason="Moved\tabroad")]
    run = run_import("staff", data=csv_bytes(rows))
    assert run.status == ImportRun.Status.COMMITTED, errors_of(run)
    assert Staff.objects.get().leaving_reason == "Moved\tabroad"


def test_a_line_break_inside_a_quoted_csv_cell_is_rejected(run_import):
    data = b'provider_code,month,pay_bill,bank_spend,agency_spend\r\n"RP5\nRP6",2025-06,1,2,3\r\n'
    run = run_import("spend", data=data)
    assert errors_of(run) == [
        (
            2,
            "provider_code",
            "provider_code contains a line break, which is not allowed in a value; remove it and "
            "save the file again",
        )
    ]


def test_a_line_break_inside_an_xlsx_cell_is_rejected(run_import):
    rows = [good_row("spend", provider_code="RP5\nRP6")]
    run = run_import("spend", data=xlsx_bytes(rows), name="spend.xlsx")
    assert run.status == ImportRun.Status.REJECTED
    assert [(r, c) for r, c, _ in errors_of(run)] == [(2, "provider_code")]
    assert Spend.objects.count() == 0


def _xlsx_with_cell_xml(rows, placeholder, xml_text):
    """A workbook whose cell text ``placeholder`` is replaced by raw XML text."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(rows)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = data.replace(placeholder.encode(), xml_text.encode())
            target.writestr(item, data)
    return out.getvalue()


def test_a_control_character_in_an_xlsx_cell_is_rejected(run_import):
    # XML 1.0 has no way to write most controls, but a carriage return can be written as &#13;
    rows = [good_row("spend", provider_code="PLACEHOLDER")]
    data = _xlsx_with_cell_xml(rows, "PLACEHOLDER", "RP&#13;5")
    run = run_import("spend", data=data, name="spend.xlsx")
    assert run.status == ImportRun.Status.REJECTED
    ((row, column, reason),) = errors_of(run)
    assert (row, column) == (2, "provider_code")
    assert "carriage return" in reason


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_with_a_header_and_no_data_rows_is_refused(run_import, kind):
    columns = list(good_row("spend"))
    if kind == "csv":
        data, name = ("\r\n".join([",".join(columns), ",,,,", ""])).encode(), "spend.csv"
    else:
        import openpyxl

        book = openpyxl.Workbook()
        book.active.append(columns)
        buffer = io.BytesIO()
        book.save(buffer)
        data, name = buffer.getvalue(), "spend.xlsx"
    for commit in (False, True):
        run = run_import("spend", data=data, name=name, commit=commit)
        assert run.status == ImportRun.Status.REJECTED
        assert run.rows_total == 0
        assert errors_of(run) == [
            (
                None,
                "",
                "The file has a header row but no data rows: add a row for each record under "
                "the header, or check that you chose the right file.",
            )
        ]
    assert Spend.objects.count() == 0


def test_a_file_of_only_comment_rows_is_refused(run_import):
    columns = list(good_row("spend"))
    data = ("\r\n".join([",".join(columns), "# allowed values,,,,", ""])).encode()
    run = run_import("spend", data=data)
    assert run.status == ImportRun.Status.REJECTED
    assert "no data rows" in errors_of(run)[0][2]
