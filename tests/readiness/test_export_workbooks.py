"""The readiness workbooks (a cycle, an action plan, the leadership register's table), read back
with openpyxl: every sheet has a bold, frozen header and columns 18 wide; the cells hold what the
CSV holds, text stays text (formula-safe, never a formula, a link or a number) and numbers stay
numbers."""

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from readiness import services
from readiness.exports import ACTION_HEADER, CYCLE_HEADER, _sheet_title, table_xlsx
from readiness.models import Answer
from tests.readiness.conftest import answer_all, client_of

SUMMARY_HEADER = ["Organisation code", "Organisation", "Status", "Answered", "Questions"]


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def _csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _widths(sheet):
    return {
        column: dimension.width
        for dimension in sheet.column_dimensions.values()
        if dimension.customWidth
        for column in range(dimension.min, dimension.max + 1)
    }


def _assert_laid_out(sheet, header):
    assert [cell.value for cell in sheet[1]] == header
    assert all(cell.font.b for cell in sheet[1])
    if sheet.max_row > 1:
        assert not any(cell.font.b for cell in sheet[2])
    assert sheet.freeze_panes == "A2"
    assert _widths(sheet) == dict.fromkeys(range(1, len(header) + 1), 18)
    assert sheet.max_column == len(header)


def _text(value):
    return "" if value is None else str(value)


def test_every_sheet_of_a_cycle_has_a_bold_frozen_header_and_columns_18_wide(
    employer_cycle, tree, people
):
    answer_all(employer_cycle.submissions.get(organisation=tree["RP5"]))
    wb = _workbook(
        client_of(people["chair"]).get(
            reverse("readiness:cycle_export", args=[employer_cycle.pk, "xlsx"])
        )
    )
    _assert_laid_out(wb["Summary"], SUMMARY_HEADER)
    for name in wb.sheetnames[1:]:
        _assert_laid_out(wb[name], CYCLE_HEADER)


def test_the_cycle_sheets_hold_the_csv_rows_cell_for_cell(employer_cycle, tree, people):
    sub = employer_cycle.submissions.get(organisation=tree["RP5"])
    answer_all(sub)
    Answer.objects.filter(submission=sub, question__number="1").update(response="=1+1")
    chair = client_of(people["chair"])
    wb = _workbook(chair.get(reverse("readiness:cycle_export", args=[employer_cycle.pk, "xlsx"])))
    rows = _csv(chair.get(reverse("readiness:cycle_export", args=[employer_cycle.pk, "csv"])))
    # The employer toolkit's groups follow each other in question order: sheet after sheet, the
    # rows are the CSV's.
    cells = [
        [_text(value) for value in row]
        for name in wb.sheetnames[1:]
        for row in wb[name].iter_rows(min_row=2, values_only=True)
    ]
    assert cells == rows[1:]
    assert len(cells) == 19 * 3
    assert "'=1+1" in {row[8] for row in cells}
    summary = list(wb["Summary"].iter_rows(min_row=2, values_only=True))
    assert sorted(row[0] for row in summary) == ["RHQ", "RP5", "RXE"]
    assert {row[0]: row[2:] for row in summary}["RP5"] == ("Draft", 19, 19)
    assert all(isinstance(row[3], int) and isinstance(row[4], int) for row in summary)


def test_answers_stay_text_whatever_they_look_like(employer_cycle, tree, people):
    sub = employer_cycle.submissions.get(organisation=tree["RP5"])
    typed = {
        "1": ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        "2": ("https://example.test/plan", "https://example.test/plan"),
        "3": ("123", "123"),
        "4": ("-5 posts", "'-5 posts"),
        "5": ("  two spaces either side  ", "  two spaces either side  "),
        "6": ("first line\nsecond line & <more>", "first line\nsecond line & <more>"),
        "7": ("x" * 10_000, "x" * 10_000),
    }
    for number, (response, _shown) in typed.items():
        Answer.objects.filter(submission=sub, question__number=number).update(response=response)
    wb = _workbook(
        client_of(people["chair"]).get(
            reverse("readiness:cycle_export", args=[employer_cycle.pk, "xlsx"])
        )
    )
    found = {}
    for name in wb.sheetnames[1:]:
        for row in wb[name].iter_rows(min_row=2):
            if row[0].value == "RP5" and row[4].value in typed:
                found[row[4].value] = row[8]
    assert {number: cell.value for number, cell in found.items()} == {
        number: shown for number, (_typed, shown) in typed.items()
    }
    assert {cell.data_type for cell in found.values()} == {"s"}
    assert all(cell.hyperlink is None for cell in found.values())


def test_an_answer_with_a_control_character_still_exports(employer_cycle, tree, people):
    # Word puts a vertical tab where a line breaks; XML cannot hold it, so it is written the way
    # Excel reads back as the character (_x000B_).
    sub = employer_cycle.submissions.get(organisation=tree["RP5"])
    Answer.objects.filter(submission=sub, question__number="1").update(response="one\x0btwo")
    wb = _workbook(
        client_of(people["chair"]).get(
            reverse("readiness:cycle_export", args=[employer_cycle.pk, "xlsx"])
        )
    )
    responses = {row[8] for row in wb["Strategy"].iter_rows(min_row=2, values_only=True)}
    assert "one_x000B_two" in responses


def test_state_of_readiness_has_a_sheet_per_question_with_every_profession(
    sor_section, open_cycle, tree, people
):
    cycle = open_cycle(sor_section, "SoR 2026", organisations=[tree["RP5"], tree["RXE"]])
    chair = client_of(people["chair"])
    wb = _workbook(chair.get(reverse("readiness:cycle_export", args=[cycle.pk, "xlsx"])))
    rows = _csv(chair.get(reverse("readiness:cycle_export", args=[cycle.pk, "csv"])))
    questions = list(cycle.section.questions.order_by("position"))
    # "/" cannot be in a sheet's name ("Q4 Shared skills/knowledge").
    titles = [f"Q{q.number} {q.title}".replace("/", " ")[:31] for q in questions]
    assert wb.sheetnames == ["Summary", *titles]
    for name in wb.sheetnames[1:]:
        _assert_laid_out(wb[name], CYCLE_HEADER)
    cells = [
        [_text(value) for value in row]
        for name in wb.sheetnames[1:]
        for row in wb[name].iter_rows(min_row=2, values_only=True)
    ]
    assert cells == rows[1:]
    assert len({row[6] for row in cells}) == 15  # every profession


def test_the_action_plan_workbook_holds_the_csv_rows(employer_cycle, tree, people):
    sub = employer_cycle.submissions.get(organisation=tree["RP5"])
    answer_all(sub, next_steps="@Agree a plan")
    services.submission_submit(submission=sub, actor=people["rp5"])
    services.submission_sign_off(submission=sub, actor=people["chair"])
    chair = client_of(people["chair"])
    wb = _workbook(chair.get(reverse("readiness:action_plan_export", args=["QF7", "xlsx"])))
    rows = _csv(chair.get(reverse("readiness:action_plan_export", args=["QF7", "csv"])))
    assert wb.sheetnames == ["Action plan"]
    sheet = wb["Action plan"]
    _assert_laid_out(sheet, ACTION_HEADER)
    cells = [[_text(v) for v in row] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert cells == rows[1:]
    assert len(cells) == 19
    assert {row[4] for row in cells} == {"'@Agree a plan"}


def test_a_table_workbook_writes_numbers_as_numbers_and_blanks_as_empty_cells():
    wb = load_workbook(
        io.BytesIO(table_xlsx("Register: North/East", ["Name", "Count", "Note"], [["A", 3, ""]]))
    )
    assert wb.sheetnames == ["Register  North East"]
    sheet = wb.active
    _assert_laid_out(sheet, ["Name", "Count", "Note"])
    assert [cell.value for cell in sheet[2]] == ["A", 3, None]


def test_sheet_names_are_ones_excel_accepts():
    used = set()
    assert _sheet_title("Strategy", used) == "Strategy"
    assert _sheet_title("strategy", used) == "strategy 2"  # Excel ignores case
    assert (
        _sheet_title("Section 1: Regional/system [draft]?", used)
        == "Section 1  Regional system  dra"
    )
    assert _sheet_title("'Quoted'", used) == "Quoted"
    assert _sheet_title("***", used) == "Sheet"
    long = _sheet_title("\N{GRINNING FACE}" * 20, used)  # 2 UTF-16 units each
    assert len(long.encode("utf-16-le")) <= 62 and long == "\N{GRINNING FACE}" * 15
