"""The board report PDF is rendered by a task and kept per organisation, filters (month) and
recompute: a page says it is being prepared and refreshes itself; the next download is the stored
file; a new recompute makes a new one; a failure says why; siblings get 404."""

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboard import board_reports, pdf
from dashboard.models import BoardReportFile, RecomputeRun
from tests.dashboard.pages_data import LATEST, tree_values

pytestmark = pytest.mark.skipif(not pdf.available(), reason="WeasyPrint needs Pango here")

REFRESH = '<meta http-equiv="refresh" content="3">'


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def figures(tree):
    return tree_values(tree)


def _url(code="QF7", **params):
    from urllib.parse import urlencode

    url = reverse("dashboard:board_report_pdf", kwargs={"code": code})
    return f"{url}?{urlencode(params)}" if params else url


def test_the_first_download_queues_a_task_and_the_page_refreshes(
    tree, figures, client_for, django_capture_on_commit_callbacks
):
    client = client_for("chair", tree["QF7"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = client.get(_url()).content.decode()
    assert len(queued) == 1
    assert REFRESH in page and "The PDF is being prepared" in page
    assert "<script>" not in page
    report = BoardReportFile.objects.get()
    assert (report.organisation, report.status) == (tree["QF7"], "pending")
    assert report.month == LATEST

    with django_capture_on_commit_callbacks(execute=False) as again:
        assert "being prepared" in client.get(_url()).content.decode()
    assert again == []  # still one task for the one report

    queued[0]()  # the worker (eager here)
    report.refresh_from_db()
    assert report.status == "ready" and report.file.name.endswith(
        f"board-report-QF7-{LATEST:%Y-%m}.pdf"
    )
    response = client.get(_url())
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_the_stored_file_is_shared_by_everyone_who_may_see_it_and_served_at_once(
    tree, figures, client_for, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    chair = client_for("chair", tree["QF7"])
    with django_capture_on_commit_callbacks(execute=True):
        chair.get(_url(month=LATEST.strftime("%Y-%m")))
    viewer = client_for("viewer", tree["QF7"])
    with (
        django_capture_on_commit_callbacks(execute=False) as queued,
        django_assert_max_num_queries(12),
    ):
        response = viewer.get(_url(month=LATEST.strftime("%Y-%m")))
    assert queued == [] and response["Content-Type"] == "application/pdf"
    assert BoardReportFile.objects.count() == 1
    # the same month asked for without ?month= is the same report
    assert viewer.get(_url())["Content-Type"] == "application/pdf"


def test_a_new_recompute_makes_a_new_report(
    tree, figures, client_for, django_capture_on_commit_callbacks
):
    client = client_for("chair", tree["QF7"])
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_url())
    RecomputeRun.objects.create(
        organisation=tree["QF7"],
        kind=RecomputeRun.Kind.ON_DEMAND,
        status=RecomputeRun.Status.SUCCEEDED,
        finished_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert "being prepared" in client.get(_url()).content.decode()
    assert len(queued) == 1 and BoardReportFile.objects.count() == 2


def test_a_failure_is_shown_with_its_reason_and_can_be_tried_again(
    tree, figures, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(html, *, base_url):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(pdf, "render", broken)
    client = client_for("chair", tree["QF7"])
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_url())
    response = client.get(_url())
    page = response.content.decode()
    assert response.status_code == 503
    assert "The PDF could not be made (RuntimeError: no fonts)." in page
    assert REFRESH not in page and "Try again" in page
    assert not BoardReportFile.objects.get().file

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.get(_url(retry="1"))  # the page's "Try again" queues it again
    report = BoardReportFile.objects.get()
    assert (report.status, report.error) == ("ready", "")


def test_a_sibling_gets_404_and_no_report_is_made(tree, figures, client_for):
    assert client_for("viewer", tree["RXE"]).get(_url("RP5")).status_code == 404
    assert not BoardReportFile.objects.exists()


def test_the_task_checks_the_scope_again(tree, figures, make_user):
    outsider = make_user("viewer", tree["RXE"])
    report = BoardReportFile.objects.create(organisation=tree["RP5"], query="", month=LATEST)
    report = board_reports.board_report_render(report=report, user=outsider)
    assert (report.status, report.error, bool(report.file)) == (
        "failed",
        "Not in your scope.",
        False,
    )
