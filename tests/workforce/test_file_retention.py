"""Uploaded files (staff records: personal data) are kept only as long as they are needed: until
the import is confirmed, or ``IMPORT_PREVIEW_RETENTION_DAYS`` for a preview never confirmed."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.workforce.conftest import csv_bytes, good_row
from workforce import services, tasks
from workforce.models import ImportRun, Spend


@pytest.fixture
def manager(tree, make_user):
    return make_user("data_manager", tree["QF7"])


def preview(tree, manager, month="2025-06"):
    return services.import_file(
        dataset="spend",
        fileobj=io.BytesIO(csv_bytes([good_row("spend", month=month)])),
        file_name="spend.csv",
        organisation=tree["QF7"],
        user=manager,
        commit=False,
        store=True,
    )


def on_disk(run) -> Path:
    return Path(settings.MEDIA_ROOT) / run.stored_file.name


def test_confirming_an_import_deletes_the_kept_copy(tree, manager):
    run = preview(tree, manager)
    path = on_disk(run)
    assert path.exists()
    run = services.commit_run(run=run, user=manager)
    assert run.status == ImportRun.Status.COMMITTED
    assert not path.exists()
    assert ImportRun.objects.get(pk=run.pk).stored_file.name == ""
    assert ImportRun.objects.get(pk=run.pk).sha256 == run.sha256  # the history keeps the hash


def test_the_nightly_purge_deletes_only_expired_previews(tree, manager):
    old, recent = preview(tree, manager, "2025-05"), preview(tree, manager, "2025-06")
    days = settings.IMPORT_PREVIEW_RETENTION_DAYS
    ImportRun.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days, minutes=1)
    )
    old_path, recent_path = on_disk(old), on_disk(recent)

    assert tasks.purge_stored_files.delay().get() == 1

    assert not old_path.exists() and recent_path.exists()
    assert ImportRun.objects.get(pk=old.pk).stored_file.name == ""
    assert ImportRun.objects.get(pk=recent.pk).stored_file.name == recent.stored_file.name
    assert services.purge_stored_files() == 0  # nothing more to do
    with pytest.raises(ValueError, match="upload it again"):
        services.commit_run(run=ImportRun.objects.get(pk=old.pk), user=manager)
    assert Spend.objects.count() == 0


def test_an_expired_preview_page_asks_for_the_file_again(tree, manager, client):
    run = preview(tree, manager)
    ImportRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - dt.timedelta(days=settings.IMPORT_PREVIEW_RETENTION_DAYS + 1)
    )
    services.purge_stored_files()
    client.force_login(manager)
    page = client.get(reverse("workforce:run", args=["QF7", run.pk])).content.decode()
    assert "The uploaded file is no longer kept" in page
    assert "Confirm import" not in page


def test_the_purge_is_on_the_beat_schedule():
    entries = {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "workforce.tasks.purge_stored_files" in entries
