"""XLSX and CSV exports of a cycle and of an action plan (text cells made formula-safe).

Workbooks are written by XlsxWriter in its ``constant_memory`` mode: each sheet is streamed to a
temporary file a row at a time, so memory stays flat however long the answers are (a full England
cycle of the state of readiness has 14,580 rows), and it writes them about twice as fast as
openpyxl's write-only mode did, with the same sheets, cells, bold frozen headers and column
widths. openpyxl still reads uploaded workbooks (``workforce/readers.py``) and writes the
dashboard's and delivery plans' downloads.
"""

from __future__ import annotations

import io
import re

import xlsxwriter

from workforce.csv_safety import safe_row, stream_safe_csv

from . import selectors
from .models import Cycle, Status

CYCLE_HEADER = [
    "Organisation code",
    "Organisation",
    "Status",
    "Group",
    "Question number",
    "Question",
    "Profession",
    "Y/N",
    "Response",
    "Next steps",
    "Not applicable",
]
ACTION_HEADER = [
    "Organisation code",
    "Organisation",
    "Cycle",
    "Question",
    "Action",
    "Owner",
    "Due date",
    "Status",
    "Stage",
    "Overdue",
]
_BAD_SHEET_CHARS = re.compile(r"[\[\]\*\?/\\:]")
# Every column 18 characters wide (Excel's width 18, as the sheets have always had): XlsxWriter
# takes widths in pixels to write that exact figure (7 pixels a character, 5 of padding).
COLUMN_WIDTH_PIXELS = 126
_WORKBOOK_OPTIONS = {
    "constant_memory": True,
    # Text stays text: safe_row has already made formula-like text safe, and an answer that looks
    # like a web address or a number is still the answer as typed.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}
# The columns of an answer's row, in CYCLE_HEADER's order, then the question's title (for the
# sheet of a per-profession section).
_CYCLE_COLUMNS = (
    "submission__organisation__code",
    "submission__organisation__name",
    "submission__status",
    "question__group",
    "question__number",
    "question__text",
    "profession__name",
    "yes_no",
    "response",
    "next_steps",
    "not_applicable",
    "question__title",
)
_STATUS_LABELS = dict(Status.choices)


def _cycle_rows(cycle: Cycle):
    """``(question group, number, title), row`` for each answer of the cycle, in the order of
    :func:`selectors.export_rows`; plain values, no model instances (about 3 times lighter)."""
    values = selectors.export_rows(cycle).values_list(*_CYCLE_COLUMNS)
    for (
        code,
        name,
        status,
        group,
        number,
        text,
        profession,
        yes_no,
        response,
        next_steps,
        not_applicable,
        title,
    ) in values.iterator(chunk_size=1000):
        yield (
            (group, number, title),
            [
                code,
                name,
                _STATUS_LABELS.get(status, status),
                group,
                number,
                text,
                profession or "",
                yes_no,
                "" if not_applicable else response,
                next_steps,
                "Not applicable" if not_applicable else "",
            ],
        )


def cycle_csv(cycle: Cycle):
    return stream_safe_csv((row for _question, row in _cycle_rows(cycle)), header=CYCLE_HEADER)


def _sheet_title(title: str, used: set) -> str:
    """A name Excel accepts: none of ``[]*?/\\:``, no apostrophe at either end, at most 31
    characters (UTF-16 units) and unique among ``used`` (lower case: Excel ignores case)."""
    base = _BAD_SHEET_CHARS.sub(" ", title).strip()[:31].strip("'")
    while len(base.encode("utf-16-le")) > 62:
        base = base[:-1]
    base = base or "Sheet"
    name, n = base, 1
    while name.lower() in used:
        n += 1
        name = f"{base[:28]} {n}"
    used.add(name.lower())
    return name


class _Sheet:
    """A sheet with a bold, frozen header, its columns 18 wide; ``append`` writes the next row
    (text made formula-safe)."""

    def __init__(self, worksheet, header: list[str], bold):
        worksheet.set_column_pixels(0, len(header) - 1, COLUMN_WIDTH_PIXELS)
        worksheet.freeze_panes(1, 0)
        worksheet.write_row(0, 0, header, bold)
        self._worksheet = worksheet
        self._next_row = 1

    def append(self, row) -> None:
        """Text as text and numbers as numbers (safe_row leaves no other type); an empty value
        leaves the cell empty."""
        worksheet, index = self._worksheet, self._next_row
        for column, value in enumerate(safe_row(row)):
            if isinstance(value, str):
                if value:
                    worksheet.write_string(index, column, value)
            else:
                worksheet.write_number(index, column, value)
        self._next_row += 1


class _Book:
    """A workbook written into memory; ``sheet`` adds a sheet (its name made valid and unique),
    ``close`` returns the file's bytes. Left unclosed (an error on the way), its temporary files
    go with it: they are anonymous, already unlinked."""

    def __init__(self):
        self._out = io.BytesIO()
        self._workbook = xlsxwriter.Workbook(self._out, _WORKBOOK_OPTIONS)
        self._bold = self._workbook.add_format({"bold": True})
        self._titles: set[str] = set()

    def sheet(self, title: str, header: list[str]) -> _Sheet:
        worksheet = self._workbook.add_worksheet(_sheet_title(title, self._titles))
        return _Sheet(worksheet, header, self._bold)

    def close(self) -> bytes:
        self._workbook.close()
        return self._out.getvalue()


def cycle_xlsx(cycle: Cycle) -> bytes:
    """A summary sheet, then one sheet per section of the toolkit (the employer toolkit's five
    groups; a whole regional or system section; each state of readiness question)."""
    book = _Book()
    summary = book.sheet(
        "Summary", ["Organisation code", "Organisation", "Status", "Answered", "Questions"]
    )
    progress = selectors.progress(cycle).values_list(
        "organisation__code", "organisation__name", "status", "answered", "total"
    )
    for code, name, status, answered, total in progress:
        summary.append([code, name, _STATUS_LABELS.get(status, status), answered, total])
    sheets = {}
    per_profession = cycle.section.per_profession
    for (group, number, title), row in _cycle_rows(cycle):
        key = f"Q{number} {title}" if per_profession else (group or cycle.section.title)
        sheet = sheets.get(key)
        if sheet is None:
            sheet = sheets[key] = book.sheet(key, CYCLE_HEADER)
        sheet.append(row)
    return book.close()


def _action_row(action):
    return [
        action.organisation.code,
        action.organisation.name,
        action.submission.cycle.name,
        action.answer.question.number if action.answer_id else "",
        action.description,
        action.owner_display,
        action.due_date.isoformat() if action.due_date else "",
        action.get_status_display(),
        action.get_stage_display(),
        "Overdue" if action.overdue else "",
    ]


def actions_csv(actions):
    return stream_safe_csv((_action_row(a) for a in actions), header=ACTION_HEADER)


def table_xlsx(title: str, header: list[str], rows) -> bytes:
    """One sheet called ``title``: a bold, frozen ``header`` and ``rows`` (text made
    formula-safe). The portal's writer for a single table (the action plan, the leadership
    register)."""
    book = _Book()
    sheet = book.sheet(title, header)
    for row in rows:
        sheet.append(row)
    return book.close()


def actions_xlsx(actions) -> bytes:
    return table_xlsx("Action plan", ACTION_HEADER, (_action_row(a) for a in actions))
