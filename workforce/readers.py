"""Reading uploaded files as rows of text, streamed, with clear refusals.

A file is first copied in 1 MB chunks to a temporary file on disk while its SHA-256 and size are
taken (a file over ``settings.WORKFORCE_MAX_UPLOAD_BYTES`` is refused as soon as it passes the
limit). Rows are then streamed from disk: CSV (or gzip-compressed CSV, decompressed as it is
read, up to the size a plain CSV may have) through the ``csv`` module (UTF-8 with or without a
byte order mark; comma or semicolon, sniffed from the header line), XLSX through openpyxl in
read-only mode (first sheet only). Before openpyxl sees an XLSX, the zip's directory is checked:
it must look like a workbook, and no entry may expand beyond a ratio or a total (zip bombs).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gzip
import hashlib
import io
import itertools
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings

CHUNK = 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"
GZIP_MAGIC = b"\x1f\x8b"  # a gzip-compressed CSV (name.csv.gz): read as it is decompressed
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls
MAX_ZIP_ENTRIES = 10_000
MAX_COMPRESSION_RATIO = 200  # for entries over 1 MB; real sheets are nearer 10:1
RATIO_CHECK_FROM = 1024 * 1024


class FileRefused(Exception):
    """The file cannot be read at all; the message says why, in words for the uploader."""


def max_upload_bytes() -> int:
    return settings.WORKFORCE_MAX_UPLOAD_BYTES


def max_uncompressed_bytes() -> int:
    """What an XLSX workbook's parts may expand to in all."""
    return getattr(settings, "WORKFORCE_MAX_UNCOMPRESSED_BYTES", 20 * max_upload_bytes())


def max_expanded_csv_bytes() -> int:
    """What a gzip-compressed CSV may expand to: no more than a plain CSV may be (the rows a
    file holds, not its compressed size, set the importer's memory)."""
    return min(max_uncompressed_bytes(), max_upload_bytes())


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB"


@dataclass
class SpooledFile:
    """A private copy of the upload on disk, with its hash and size."""

    path: str
    sha256: str
    size: int
    kind: str  # "csv" or "xlsx"

    def open(self):
        return open(self.path, "rb")

    def delete(self):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path)


def spool(fileobj, file_name: str) -> SpooledFile:
    """Copy ``fileobj`` (binary) to a temporary file, hashing it; refuse an oversize file."""
    limit = max_upload_bytes()
    digest = hashlib.sha256()
    size = 0
    if hasattr(fileobj, "seek"):
        with contextlib.suppress(OSError, ValueError):
            fileobj.seek(0)
    handle, path = tempfile.mkstemp(prefix="ahp-import-", suffix=".upload")
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := fileobj.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FileRefused(
                        f"The file is larger than {_megabytes(limit)}. Split it into smaller "
                        "files (for example one per month) and upload each."
                    )
                digest.update(chunk)
                out.write(chunk)
        with open(path, "rb") as f:
            head = f.read(8)
    except BaseException:
        os.unlink(path)
        raise
    kind = _kind(head, file_name, size)
    if kind is None:
        os.unlink(path)
        raise _kind_refusal(head, file_name, size)
    return SpooledFile(path=path, sha256=digest.hexdigest(), size=size, kind=kind)


def _kind(head: bytes, file_name: str, size: int) -> str | None:
    name = file_name.lower()
    if size == 0:
        return None
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(GZIP_MAGIC):
        return "csv.gz"
    if head.startswith(OLE_MAGIC) or name.endswith((".xlsx", ".xlsm", ".xls")):
        return None
    return "csv"


def _kind_refusal(head: bytes, file_name: str, size: int) -> FileRefused:
    if size == 0:
        return FileRefused("The file is empty.")
    if head.startswith(OLE_MAGIC):
        return FileRefused(
            "The file is an old-style Excel 97-2003 workbook (.xls). Save it as an Excel "
            "workbook (.xlsx) or CSV UTF-8 and upload that."
        )
    return FileRefused(
        f"{file_name} is not a real Excel workbook (.xlsx). Save it from Excel as an .xlsx "
        "workbook or as CSV UTF-8."
    )


def rows(spooled: SpooledFile) -> Iterator[list[str]]:
    """Every row of the file as a list of stripped strings (header first)."""
    if spooled.kind == "xlsx":
        return _xlsx_rows(spooled.path)
    return _csv_rows(spooled.path, gzipped=spooled.kind == "csv.gz")


class _Expanding(io.RawIOBase):
    """A gzip file read as it is decompressed, refused once it passes the expanded limit."""

    def __init__(self, path: str):
        self._file = gzip.open(path, "rb")  # noqa: SIM115 (closed by close())
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            n = self._file.readinto(buffer)
        except (OSError, EOFError, zlib.error):
            raise FileRefused(
                "The file looks gzip-compressed but cannot be decompressed to the end; "
                "compress the CSV again or upload it uncompressed."
            ) from None
        self._read += n
        if self._read > max_expanded_csv_bytes():
            raise FileRefused(
                f"The compressed file expands to more than "
                f"{_megabytes(max_expanded_csv_bytes())}. Split it into smaller files."
            )
        return n

    def close(self) -> None:
        self._file.close()
        super().close()


def _csv_rows(path: str, gzipped: bool = False) -> Iterator[list[str]]:
    opener = (lambda: io.BufferedReader(_Expanding(path), CHUNK)) if gzipped else None
    with opener() if opener else open(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            first = text.readline()
            delimiter = ";" if first.count(";") > first.count(",") else ","
            reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
            for row in reader:
                yield [cell.strip() for cell in row]
        except UnicodeDecodeError:
            raise FileRefused(
                "The file is not UTF-8 text. In Excel choose Save As, then 'CSV UTF-8 (comma "
                "delimited)', or upload the .xlsx workbook."
            ) from None
        except csv.Error as error:
            raise FileRefused(f"The CSV file cannot be read: {error}.") from None
        finally:
            text.detach()


def check_workbook(path: str) -> None:
    """Refuse a zip that is not a workbook, or that would expand too far (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused(
            "The file is not a real Excel workbook (.xlsx): it could not be opened."
        ) from None
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRefused(
            "The file is a zip archive but not an Excel workbook (.xlsx): it has no workbook "
            "inside."
        )
    if len(entries) > MAX_ZIP_ENTRIES:
        raise FileRefused("The workbook has too many parts to be a data extract.")
    total = sum(entry.file_size for entry in entries)
    if total > max_uncompressed_bytes():
        raise FileRefused(
            f"The workbook would expand to {_megabytes(total)}, more than the "
            f"{_megabytes(max_uncompressed_bytes())} allowed. It may be a zip bomb; if not, "
            "upload the data as CSV."
        )
    for entry in entries:
        if entry.file_size > RATIO_CHECK_FROM and entry.file_size > MAX_COMPRESSION_RATIO * max(
            entry.compress_size, 1
        ):
            raise FileRefused(
                f"The workbook part {entry.filename} is compressed more than "
                f"{MAX_COMPRESSION_RATIO} to 1, which real data is not. It looks like a zip "
                "bomb and was not opened."
            )


def _xlsx_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "Y" if value else "N"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return format(value, ".15g")
    return str(value).strip()


def _xlsx_rows(path: str) -> Iterator[list[str]]:
    check_workbook(path)
    # A file object, not the path: openpyxl judges paths by their extension.
    with open(path, "rb") as handle:
        yield from _workbook_rows(handle)


def _workbook_rows(handle) -> Iterator[list[str]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise FileRefused(
            "The file is not a real Excel workbook (.xlsx): it could not be read."
        ) from None
    try:
        if not workbook.worksheets:
            raise FileRefused("The workbook has no sheets.")
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            sheet.reset_dimensions()  # do not trust the stored dimensions
        try:
            for values in sheet.iter_rows(values_only=True):
                yield [_xlsx_cell(v) for v in values]
        except FileRefused:
            raise
        except Exception:
            raise FileRefused(
                "The workbook's first sheet is damaged and could not be read to the end."
            ) from None
    finally:
        workbook.close()
