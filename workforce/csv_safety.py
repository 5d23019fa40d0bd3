"""CSV exports that a spreadsheet cannot run as formulas (CSV injection, OWASP).

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with an
apostrophe, so Excel, LibreOffice and Google Sheets show it as text. Numbers (``int``, ``float``,
``Decimal``) are left alone, so ``-3`` stays a number; only text is neutralised. Every CSV the
portal offers for download (error reports, dashboard and readiness exports) goes through here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
STREAM_CHUNK = 1000  # rows per piece of a streamed CSV


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


def stream_safe_csv(
    rows: Iterable[Iterable], header: Iterable[str] | None = None, *, safe: bool = False
) -> Iterator[str]:
    """CSV text for a ``StreamingHttpResponse``, a thousand rows at a time (flat memory however
    many rows): the one CSV streamer of the portal (pages, exports and the API).

    Every cell goes through :func:`safe_cell` unless ``safe`` says the rows already did (the
    header always does).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header is not None:  # the header at once: a download starts before any row is read
        writer.writerow(safe_row(header))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)
    if not safe:
        rows = (safe_row(row) for row in rows)
    chunk: list = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == STREAM_CHUNK:
            writer.writerows(chunk)
            chunk.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    if chunk:
        writer.writerows(chunk)
    tail = buffer.getvalue()
    if tail:
        yield tail
