"""CSV exports that a spreadsheet cannot run as formulas (CSV injection, OWASP).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with an
apostrophe, so Excel, LibreOffice and Google Sheets show it as text. Numbers (``int``, ``float``,
``Decimal``) are left alone, so ``-3`` stays a number; only text is neutralised. Every CSV the
portal offers for download (error reports, dashboard and readiness exports) goes through here.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as it should be written to a CSV cell: text that could be a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def safe_row(row: Iterable) -> list:
    return [safe_cell(value) for value in row]


def write_safe_csv(fileobj, rows: Iterable[Iterable], header: Iterable[str] | None = None) -> None:
    """Write ``header`` (if given) and ``rows`` to a text file object, every cell made safe."""
    writer = csv.writer(fileobj)
    if header is not None:
        writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))


class Echo:
    """A pseudo-buffer for streaming CSV responses: ``write`` returns what it was given."""

    def write(self, value):
        return value


def stream_safe_csv(rows: Iterable[Iterable], header: Iterable[str] | None = None):
    """Yield CSV lines (for ``StreamingHttpResponse``), every cell made safe."""
    writer = csv.writer(Echo())
    if header is not None:
        yield writer.writerow(safe_row(header))
    for row in rows:
        yield writer.writerow(safe_row(row))
