"""Meeting papers: PDF, Word and Excel files only, checked by their content, size-limited, kept
in private storage with no URL, and downloaded only by people in scope (404 for anyone else)."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from delivery.meeting_models import Paper

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


@pytest.fixture
def meeting(council, schedule):
    return schedule(council, days=-1)


@pytest.fixture
def chair(client_for, tree):
    return client_for("chair", tree["QF7"])


def upload(client, meeting, name, content, **extra):
    return client.post(
        reverse("delivery:paper_upload", args=[meeting.pk]),
        {"file": SimpleUploadedFile(name, content), "title": extra.get("title", "")},
    )


@pytest.mark.parametrize(
    "name,content,kind",
    [
        ("Finance.pdf", PDF, "pdf"),
        ("Terms.docx", docx_bytes(), "docx"),
        ("Data.xlsx", xlsx_bytes(), "xlsx"),
    ],
    ids=["pdf", "docx", "xlsx"],  # not the bytes: a zip's timestamps differ between processes
)
def test_a_chair_uploads_a_pdf_word_or_excel_paper(chair, meeting, name, content, kind):
    response = upload(chair, meeting, name, content)
    assert response.status_code == 302
    paper = Paper.objects.get(meeting=meeting)
    assert (paper.kind, paper.filename, paper.size) == (kind, name, len(content))
    assert paper.title == name.rsplit(".", 1)[0]


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60, "is a Windows program, not a document"),
        ("agenda.pdf", b"MZ\x90\x00" + b"\x00" * 60, "is a Windows program, not a document"),
        ("run.docx", b"\x7fELF\x02\x01" + b"\x00" * 40, "is a Linux program"),
        ("notes.txt", b"Plain text", "is not a PDF, Word (.docx) or Excel (.xlsx) file"),
        ("report.pdf", b"Not really a PDF at all", "is called a PDF but its content is not one"),
        ("budget.docx", xlsx_bytes(), "is called a Word document (.docx) but its content"),
        ("budget.xlsx", docx_bytes(), "is called an Excel workbook (.xlsx) but its content"),
        ("archive.xlsx", b"PK\x03\x04 broken zip", "its content is not one"),
        ("empty.pdf", b"", "is empty"),
    ],
    ids=lambda value: value if isinstance(value, str) and "." in value else "",
)
def test_executables_and_disguised_files_are_refused_with_a_message(
    chair, meeting, name, content, message
):
    response = upload(chair, meeting, name, content, title="Kept title")
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html.replace("&#x27;", "'")
    assert 'value="Kept title"' in html  # what was typed is not lost
    assert not Paper.objects.exists()


def test_an_oversize_paper_is_refused_naming_the_limit(chair, meeting, settings):
    settings.MEETING_PAPER_MAX_BYTES = 2 * 1024 * 1024
    big = PDF + b"0" * (3 * 1024 * 1024)
    html = upload(chair, meeting, "big.pdf", big).content.decode()
    assert "big.pdf is 3 MB; a paper may be at most 2 MB" in html
    assert not Paper.objects.exists()


def test_papers_are_kept_privately_and_downloaded_only_in_scope(
    chair, meeting, client_for, tree, settings
):
    upload(chair, meeting, "Finance report.pdf", PDF)
    paper = Paper.objects.get()
    stored = Path(settings.MEETING_PAPERS_ROOT) / paper.file.name
    assert stored.read_bytes() == PDF
    assert not str(stored).startswith(str(settings.MEDIA_ROOT))
    with pytest.raises(ValueError):
        paper.file.url  # no public URL exists  # noqa: B018

    url = reverse("delivery:paper", args=[paper.pk])
    response = client_for("viewer", tree["RP5"]).get(url)  # below the ICS: not in scope
    assert response.status_code == 404
    assert client_for("viewer", tree["QWO"]).get(url).status_code == 404
    for reader in (client_for("viewer", tree["QF7"]), client_for("viewer", tree["Y63"])):
        response = reader.get(url)
        assert response.status_code == 200
        assert response.content == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="Finance-report.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
