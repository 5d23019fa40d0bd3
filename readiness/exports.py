"""XLSX and CSV exports of a cycle and of an action plan (text cells made formula-safe)."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

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
    base = _BAD_SHEET_CHARS.sub(" ", title).strip()[:31] or "Sheet"
    name, n = base, 1
    while name in used:
        n += 1
        name = f"{base[:28]} {n}"
    used.add(name)
    return name


def _sheet(wb, title, header):
    """A write-only sheet (streams rows: fast and light at England scale) with a bold header."""
    ws = wb.create_sheet(title)
    for index in range(1, len(header) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 18
    ws.freeze_panes = "A2"
    bold = []
    for text in header:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = Font(bold=True)
        bold.append(cell)
    ws.append(bold)
    return ws


def _save(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def cycle_xlsx(cycle: Cycle) -> bytes:
    """A summary sheet, then one sheet per section of the toolkit (the employer toolkit's five
    groups; a whole regional or system section; each state of readiness question)."""
    wb = Workbook(write_only=True)
    summary = _sheet(
        wb, "Summary", ["Organisation code", "Organisation", "Status", "Answered", "Questions"]
    )
    for sub in selectors.progress(cycle):
        summary.append(
            safe_row(
                [
                    sub.organisation.code,
                    sub.organisation.name,
                    sub.get_status_display(),
                    sub.answered,
                    sub.total,
                ]
            )
        )
    sheets = {}
    used = {"Summary"}
    per_profession = cycle.section.per_profession
    for (group, number, title), row in _cycle_rows(cycle):
        key = f"Q{number} {title}" if per_profession else (group or cycle.section.title)
        ws = sheets.get(key)
        if ws is None:
            ws = sheets[key] = _sheet(wb, _sheet_title(key, used), CYCLE_HEADER)
        ws.append(safe_row(row))
    return _save(wb)


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
    wb = Workbook(write_only=True)
    ws = _sheet(wb, _sheet_title(title, set()), header)
    for row in rows:
        ws.append(safe_row(row))
    return _save(wb)


def actions_xlsx(actions) -> bytes:
    return table_xlsx("Action plan", ACTION_HEADER, (_action_row(a) for a in actions))
