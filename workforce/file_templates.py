"""Downloadable templates for each dataset, generated from :mod:`workforce.datasets`.

Both formats hold the header row, a comment row of allowed values (its first cell starts with
``#``; the importer skips such rows) and an example row. The XLSX has a second sheet, Guidance,
with one line per column. A template can be uploaded as it is (with a real provider code).
"""

import csv
import io

from .csv_safety import safe_row
from .datasets import Dataset
from .models import Profession


def _profession_codes() -> list[str]:
    return list(Profession.objects.values_list("code", flat=True))


def guidance(spec: Dataset, professions: list[str] | None = None) -> list[dict]:
    professions = professions if professions is not None else _profession_codes()
    return [
        {
            "name": c.name,
            "required": "Yes" if c.required else "No, may be left out",
            "key": c.name in spec.key_columns,
            "allowed": c.allowed(professions),
            "help": c.help,
            "example": c.example,
        }
        for c in spec.columns
    ]


def _rows(spec: Dataset) -> list[list[str]]:
    lines = guidance(spec)
    allowed = [
        line["allowed"] + ("" if column.required else " (optional column: files may leave it out)")
        for line, column in zip(lines, spec.columns, strict=True)
    ]
    allowed[0] = (
        "# Allowed values (delete this row or leave it: rows starting # are skipped): "
        + (allowed[0])
    )
    return [
        [line["name"] for line in lines],
        allowed,
        [line["example"] for line in lines],
    ]


def template_csv(spec: Dataset) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in _rows(spec):
        writer.writerow(safe_row(row))
    return out.getvalue()


def template_xlsx(spec: Dataset) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    data = workbook.active
    data.title = "Data"
    for row in _rows(spec):
        data.append(safe_row(row))
    for cell in data[1]:
        cell.font = Font(bold=True)
    notes = workbook.create_sheet("Guidance")
    notes.append(["column", "key", "required", "allowed values", "description", "example"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for line in guidance(spec):
        notes.append(
            safe_row(
                [
                    line["name"],
                    "Yes" if line["key"] else "",
                    line["required"],
                    line["allowed"],
                    line["help"],
                    line["example"],
                ]
            )
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
