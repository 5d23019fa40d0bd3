"""CSV and XLSX of exactly what the scorecard shows, with its filters and computed-at time.

Figures pass through the same suppression as the page (the rows come from
``selectors.scorecard_for``), and every text cell goes through ``safe_cell`` so that a name
beginning with ``=``, ``+``, ``-`` or ``@`` cannot become a spreadsheet formula.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils import timezone

from workforce.csv_safety import safe_cell

from .metrics import BAND_GROUPS
from .selectors import Scorecard

HEADER = [
    "Domain",
    "Metric",
    "Metric code",
    "Value",
    "Unit",
    "Target",
    "Status",
    "Variation (SPC)",
    "Assurance (SPC)",
    "Completeness",
    "Computed at",
]
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _stamp(when) -> str:
    if when is None:
        return ""
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M %Z")


def meta_rows(card: Scorecard, *, profession_name: str) -> list[list[str]]:
    rows = [
        ["Quality Dashboard scorecard"],
        ["Organisation", card.org.name],
        ["Organisation code", card.org.code],
        ["Month", card.month.strftime("%B %Y") if card.month else "No figures yet"],
        ["Profession", profession_name],
        ["Band group", BAND_GROUPS.get(card.filters.band_group, card.filters.band_group)],
        ["Figures computed at", _stamp(card.computed_at)],
    ]
    if card.freshness:
        rows.append(["Note", card.freshness])
    return rows


def table_rows(card: Scorecard, *, numbers: bool = False) -> list[list]:
    """One row per metric as on the page. With ``numbers`` the value and target are numbers
    (for XLSX); suppressed figures are the words "fewer than 5" either way."""
    rows = []
    for _, domain_name, metric_rows in card.domains:
        for row in metric_rows:
            if row.note:
                value, status, variation, assurance = row.note, "", "", ""
            else:
                value = row.display
                if numbers and row.figure.value is not None:
                    value = round(row.figure.value, 2)
                status, variation, assurance = (
                    row.status_label,
                    row.variation_label,
                    row.assurance_label,
                )
            target = row.target_display
            if numbers and row.target is not None:
                target = row.target
            rows.append(
                [
                    domain_name,
                    row.metric.name,
                    row.metric.code,
                    value,
                    row.metric.unit,
                    target,
                    status,
                    variation,
                    assurance,
                    row.completeness,
                    _stamp(row.computed_at),
                ]
            )
    return rows


def filename(card: Scorecard, extension: str) -> str:
    month = card.month.strftime("%Y-%m") if card.month else "latest"
    parts = [card.org.code, month]
    if card.filters.profession != "all":
        parts.append(card.filters.profession)
    if card.filters.band_group != "all":
        parts.append(card.filters.band_group)
    return f"scorecard-{'-'.join(parts)}.{extension}"


def scorecard_csv(card: Scorecard, *, profession_name: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in meta_rows(card, profession_name=profession_name):
        writer.writerow([safe_cell(cell) for cell in row])
    writer.writerow([])
    writer.writerow(HEADER)
    for row in table_rows(card):
        writer.writerow([safe_cell(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename(card, "csv")}"'
    return response


def scorecard_xlsx(card: Scorecard, *, profession_name: str) -> HttpResponse:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Scorecard"
    for row in meta_rows(card, profession_name=profession_name):
        sheet.append([safe_cell(cell) for cell in row])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(HEADER)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in table_rows(card, numbers=True):
        sheet.append([safe_cell(cell) for cell in row])
    for column, width in zip(
        "ABCDEFGHIJK", (26, 40, 28, 14, 9, 10, 22, 40, 32, 22, 22), strict=True
    ):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename(card, "xlsx")}"'
    return response
