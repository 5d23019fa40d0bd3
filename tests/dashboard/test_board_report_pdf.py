"""The board report as a PDF download: the same page laid out for A4 by WeasyPrint, scoped like
every page, with no request made to anything but the static files on disk."""

import pytest
from django.urls import reverse

from dashboard import pdf
from tests.dashboard.pages_data import LATEST, tree_values

pytestmark = pytest.mark.skipif(not pdf.available(), reason="WeasyPrint needs Pango here")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the kept PDFs


@pytest.fixture
def figures(tree):
    return tree_values(tree)


def _url(org, **params):
    from urllib.parse import urlencode

    url = reverse("dashboard:board_report_pdf", kwargs={"code": org.code})
    return f"{url}?{urlencode(params)}" if params else url


def test_a_chair_downloads_the_board_report_as_an_a4_pdf(
    tree, figures, client_for, django_capture_on_commit_callbacks
):
    client = client_for("chair", tree["QF7"])
    page = client.get(reverse("dashboard:board_report", args=["QF7"])).content.decode()
    assert "Download this report as a PDF" in page

    with django_capture_on_commit_callbacks(execute=True):  # the task renders it (eagerly)
        first = client.get(_url(tree["QF7"], month=LATEST.strftime("%Y-%m")))
    assert "The PDF is being prepared" in first.content.decode()
    response = client.get(_url(tree["QF7"], month=LATEST.strftime("%Y-%m")))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="board-report-QF7-{LATEST:%Y-%m}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")

    # the same page, as the view lays it out
    html = client.get(reverse("dashboard:board_report", args=["QF7"])).content.decode()
    laid_out = pdf.document(html, base_url="http://testserver/")
    assert len(laid_out.pages) >= 2  # the scorecard, then the exceptions from a new page
    first, last = laid_out.pages[0], laid_out.pages[-1]
    # the summary and scorecard on A4 landscape (tags on one line), the exceptions on A4 portrait
    assert (round(first.width * 0.75), round(first.height * 0.75)) == (842, 595)  # points
    assert (round(last.width * 0.75), round(last.height * 0.75)) == (595, 842)


def test_only_static_files_on_disk_are_read(settings):
    css = pdf.static_file(f"{settings.STATIC_URL}nhsuk-frontend-10.6.1/nhsuk-frontend.min.css")
    assert css is not None and css.is_file()
    assert pdf.static_file("https://assets.nhs.uk/fonts/x.woff2") is None
    assert pdf.static_file(f"{settings.STATIC_URL}../ahpportal/settings.py") is None
    assert pdf.static_file("/org/QF7/dashboard/") is None


def test_a_sibling_gets_404_and_a_viewer_keeps_a_fixed_number_of_queries(
    tree, figures, client_for, django_assert_max_num_queries
):
    assert client_for("chair", tree["RXE"]).get(_url(tree["RP5"])).status_code == 404
    client = client_for("viewer", tree["RP5"])
    with django_assert_max_num_queries(20):
        assert client.get(_url(tree["RP5"])).status_code == 200


def test_without_weasyprint_the_page_offers_printing_only(tree, figures, client_for, monkeypatch):
    monkeypatch.setattr(pdf, "available", lambda: False)
    client = client_for("chair", tree["QF7"])
    page = client.get(reverse("dashboard:board_report", args=["QF7"])).content.decode()
    assert "Download this report as a PDF" not in page
    assert "print command" in page
    response = client.get(_url(tree["QF7"]))
    assert response.status_code == 503
    assert "print command" in response.content.decode()
