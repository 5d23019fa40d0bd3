"""What a meeting paper may be: a PDF, a Word document (.docx) or an Excel workbook (.xlsx), no
larger than ``MEETING_PAPER_MAX_BYTES``, whose content really is what its name says.

The extension is only a claim; the first bytes decide. A PDF starts ``%PDF-``. A .docx or .xlsx
is a zip (``PK\\x03\\x04``) holding ``[Content_Types].xml`` and a ``word/`` or ``xl/`` part. An
executable (``MZ``, ELF, Mach-O, a script's ``#!``) is refused whatever it is called, and so is
any file whose content does not match its extension (a renamed file), with a message that says
which.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

KINDS = {"pdf": "a PDF", "docx": "a Word document (.docx)", "xlsx": "an Excel workbook (.xlsx)"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ZIP_MAGIC = b"PK\x03\x04"
PDF_MAGIC = b"%PDF-"
EXECUTABLE_MAGIC = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a macOS program"),
    (b"#!", "a script"),
)
OFFICE_PART = {"docx": "word/", "xlsx": "xl/"}


@dataclass(frozen=True)
class CheckedPaper:
    kind: str  # "pdf", "docx" or "xlsx"
    size: int


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def max_bytes() -> int:
    return settings.MEETING_PAPER_MAX_BYTES


def check(upload) -> CheckedPaper:
    """The paper's kind, or ValidationError saying what is wrong with the file."""
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if upload.size == 0:
        raise ValidationError(f"{name} is empty. Choose the paper's file again.")
    if upload.size > max_bytes():
        raise ValidationError(
            f"{name} is {_megabytes(upload.size)}; a paper may be at most "
            f"{_megabytes(max_bytes())}. Make it smaller (for example, save it as a PDF) and "
            "upload it again."
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for magic, what in EXECUTABLE_MAGIC:
        if head.startswith(magic):
            raise ValidationError(
                f"{name} is {what}, not a document. Upload papers as PDF, Word (.docx) or "
                "Excel (.xlsx) files."
            )
    if extension not in KINDS:
        raise ValidationError(
            f"{name} is not a PDF, Word (.docx) or Excel (.xlsx) file. Save the paper in one of "
            "those formats and upload it again."
        )
    if extension == "pdf":
        if not head.startswith(PDF_MAGIC):
            raise _disguised(name, extension)
    elif not _is_office(upload, head, extension):
        raise _disguised(name, extension)
    return CheckedPaper(kind=extension, size=upload.size)


def _disguised(name: str, extension: str) -> ValidationError:
    return ValidationError(
        f"{name} is called {KINDS[extension]} but its content is not one (the file may have "
        "been renamed). Open it in the program that made it, save it as "
        f"{KINDS[extension]} and upload it again."
    )


def _is_office(upload, head: bytes, extension: str) -> bool:
    if not head.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    part = OFFICE_PART[extension]
    return "[Content_Types].xml" in names and any(n.startswith(part) for n in names)
