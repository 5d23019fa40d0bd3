"""CSV and XLSX exports of a delivery plan: one row per measure of success (an action with no
measure still gets a row), and in XLSX a second sheet with every progress update."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from workforce.csv_safety import safe_cell

PLAN_HEADERS = [
    "Theme number",
    "Theme",
    "Action reference",
    "Action",
    "Owner",
    "Start date",
    "Due date",
    "Quarter status as at",
    "Status",
    "Latest narrative",
    "Measure of success",
    "Linked metric",
    "Metric month",
    "Metric value",
    "Target",
    "Target status",
    "Variation",
    "Assurance",
]
UPDATE_HEADERS = ["Action reference", "Action", "Quarter", "Status", "Narrative", "By", "When"]


def plan_rows(themes, live, quarter):
    for theme in themes:
        for action in theme.actions_list:
            status = action.status_update
            head = [
                theme.number,
                theme.name,
                f"{theme.number}.{action.position}",
                action.text,
                action.owner_display,
                action.start_date.isoformat() if action.start_date else "",
                action.due_date.isoformat() if action.due_date else "",
                quarter,
                status.get_status_display() if status else "No update yet",
                status.narrative if status else "",
            ]
            measures = action.measures_list
            if not measures:
                yield head + [""] * 8
            for measure in measures:
                lm = live.get(measure.pk)
                yield head + [
                    measure.text,
                    lm.metric.name if lm else "",
                    lm.month.strftime("%Y-%m") if lm and lm.month else "",
                    lm.value_display if lm else "",
                    lm.target_display if lm else "",
                    lm.status_label if lm else "",
                    lm.variation if lm else "",
                    lm.assurance if lm else "",
                ]


def update_rows(themes):
    for theme in themes:
        for action in theme.actions_list:
            for update in action.updates_list:
                yield [
                    f"{theme.number}.{action.position}",
                    action.text,
                    update.quarter,
                    update.get_status_display(),
                    update.narrative,
                    update.author.get_full_name() if update.author else "",
                    update.created_at.strftime("%Y-%m-%d %H:%M"),
                ]


def to_csv(themes, live, quarter) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(PLAN_HEADERS)
    for row in plan_rows(themes, live, quarter):
        writer.writerow([safe_cell(v) for v in row])
    return out.getvalue()


def to_xlsx(themes, live, quarter, title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Plan"
    ws.append([title])
    ws["A1"].font = Font(bold=True)
    ws.append(PLAN_HEADERS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for row in plan_rows(themes, live, quarter):
        ws.append([safe_cell(v) for v in row])
    updates = wb.create_sheet("Progress updates")
    updates.append(UPDATE_HEADERS)
    for cell in updates[1]:
        cell.font = Font(bold=True)
    for row in update_rows(themes):
        updates.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
