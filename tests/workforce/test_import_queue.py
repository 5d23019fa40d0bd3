"""Confirming an import queues a task; the run page shows its progress and refreshes itself
(no JavaScript) until the import and the dashboard recompute have finished; a failure writes
nothing and says why; the API's confirm answers 202 with the run's URL."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from kombu.exceptions import OperationalError

from tests.workforce.conftest import csv_bytes, good_row
from workforce import services, tasks
from workforce.models import ImportRun, ImportRunProvider, Spend

REFRESH = '<meta http-equiv="refresh" content="3">'


@pytest.fixture
def manager(client_for, tree):
    return client_for("data_manager", tree["QF7"])


def _preview(client, org="QF7"):
    rows = [good_row("spend"), good_row("spend", provider_code="RHQ")]
    client.post(
        reverse("workforce:upload", args=[org]),
        {"dataset": "spend", "file": SimpleUploadedFile("spend.csv", csv_bytes(rows))},
    )
    return ImportRun.objects.latest("pk")


def _page(client, run, org="QF7"):
    return client.get(reverse("workforce:run", args=[org, run.pk])).content.decode()


def test_confirming_queues_the_import_and_the_page_refreshes_until_it_is_done(
    manager, django_capture_on_commit_callbacks
):
    run = _preview(manager)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        manager.post(reverse("workforce:run", args=["QF7", run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.QUEUED
    assert len(queued) == 1 and Spend.objects.count() == 0
    page = _page(manager, run)
    assert REFRESH in page
    assert "Queued to import" in page and "Waiting to start." in page
    assert "Rows checked: not yet" in page
    assert "<script>" not in page  # no inline script: the refresh is a meta tag

    with django_capture_on_commit_callbacks(execute=True):
        queued[0]()  # the worker picks it up (eager here)
    run.refresh_from_db()
    assert run.status == ImportRun.Status.COMMITTED
    assert (run.rows_validated, run.rows_written) == (2, 2)
    assert run.recompute is not None and run.recompute.status == "succeeded"
    assert run.recompute.sources == ["spend"]  # it recomputes only the figures from spend
    page = _page(manager, run)
    assert REFRESH not in page
    assert "Rows checked: 2 of 2" in page
    assert "Rows written: 2 (2 added, 0 updated) in one transaction" in page
    assert "Dashboard recompute: succeeded" in page
    assert Spend.objects.count() == 2


def test_while_importing_the_page_shows_rows_checked(manager):
    run = _preview(manager)
    ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.IMPORTING, rows_validated=1)
    page = _page(manager, run)
    assert REFRESH in page and "Importing" in page and "Rows checked: 1 of 2" in page


@pytest.mark.django_db(transaction=True)
def test_in_the_embedded_default_the_confirm_runs_the_task_at_once(client_for, tree, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER  # no broker configured
    manager = client_for("data_manager", tree["QF7"])
    run = _preview(manager)
    response = manager.post(reverse("workforce:run", args=["QF7", run.pk]), follow=True)
    page = response.content.decode()
    assert "Imported spend.csv: 2 added, 0 updated, 0 unchanged." in page
    assert REFRESH not in page
    assert Spend.objects.count() == 2


def test_a_failure_while_writing_leaves_nothing_and_says_why(
    manager, monkeypatch, django_capture_on_commit_callbacks
):
    run = _preview(manager)

    def broken(run, outcome):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_record_provider_counts", broken)
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(reverse("workforce:run", args=["QF7", run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert run.errors[0]["reason"] == (
        "The import failed and nothing was written (RuntimeError: disk full)."
    )
    assert Spend.objects.count() == 0 and not ImportRunProvider.objects.exists()
    assert not run.stored_file
    page = _page(manager, run)
    assert "The import failed" in page and "RuntimeError: disk full" in page
    assert REFRESH not in page


def test_a_file_that_no_longer_validates_is_rejected_by_the_task(
    manager, tree, django_capture_on_commit_callbacks
):
    run = _preview(manager)
    from councils.models import Organisation

    # RHQ moves out of the upload's scope between the preview and the import
    Organisation.objects.filter(pk=tree["RHQ"].pk).update(path="9999")
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(reverse("workforce:run", args=["QF7", run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.REJECTED
    assert run.errors[0]["row"] == 3 and run.errors[0]["column"] == "provider_code"
    assert Spend.objects.count() == 0


def test_when_the_broker_is_down_the_run_fails_with_a_reason(
    manager, monkeypatch, django_capture_on_commit_callbacks
):
    run = _preview(manager)

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.commit_import, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(reverse("workforce:run", args=["QF7", run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.FAILED
    assert "could not be queued" in run.errors[0]["reason"]
    assert Spend.objects.count() == 0


def test_a_run_cannot_be_queued_twice(manager, django_capture_on_commit_callbacks):
    run = _preview(manager)
    with django_capture_on_commit_callbacks(execute=False):
        services.commit_queue(run=run, user=manager.user)
    with pytest.raises(ValueError, match="This import is queued to import; it cannot be confirmed"):
        services.commit_queue(run=ImportRun.objects.get(pk=run.pk), user=manager.user)
