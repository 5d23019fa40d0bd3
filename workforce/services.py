"""Importing workforce data: the one code path behind the upload page, the command and the API.

    run = import_file(dataset="staff", fileobj=f, file_name="staff.csv",
                      organisation=org, user=user, commit=False)   # preview (dry run)
    run = commit_run(run=run, user=user)                           # confirm a stored preview
    run = import_file(..., commit=True)                            # validate and commit at once

Every call records an :class:`~workforce.models.ImportRun` (who, when, file name and SHA-256,
counts, outcome, errors). The whole file is validated before anything is written; a file with
any bad row writes nothing. Rows are streamed and handled in chunks of ``CHUNK_ROWS``: lookups
are cached in dicts (providers, professions, staff per provider) and existing rows are fetched
with one query per chunk, so the work per row is a few dict operations.

On PostgreSQL a commit reads the file once: the checking pass COPYs the valid rows into a TEMP
staging table, then one transaction writes the corrections trail and upserts the new and changed
rows with set-based statements (:mod:`workforce.import_copy`). Elsewhere (SQLite) a commit runs in
one transaction in which validation is re-run, then rows are added with ``bulk_create`` and
changed with ``bulk_update``; the two paths store the same rows and trail. Either way any failure
rolls everything back. The
providers and months a commit touched are stored on the run and, where the dashboard provides
``request_recompute``, passed to it inside the same transaction. So is each provider's share of
the file (rows added, updated and unchanged, as :class:`~workforce.models.ImportRunProvider`),
counted in the same chunk loop, so that a provider's history shows a file uploaded above it.
"""

from __future__ import annotations

import datetime as dt
import logging
import os

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from councils.models import Organisation
from councils.scoping import covers

from . import corrections, import_copy, readers
from .datasets import DATASETS, Dataset
from .import_errors import ErrorLog
from .import_rows import Context, Outcome, _pass
from .import_touched import _record_provider_counts, _request_recompute, _touched
from .models import ImportRun

logger = logging.getLogger(__name__)


class ImportNotAllowed(Exception):
    """The user may not import for this organisation (views turn scope misses into 404)."""


# --- public services ----------------------------------------------------------------------------


def import_file(
    *,
    dataset: str,
    fileobj,
    file_name: str,
    organisation: Organisation,
    user,
    commit: bool,
    store: bool = False,
) -> ImportRun:
    """Validate ``fileobj`` (binary, CSV or XLSX) as ``dataset`` for ``organisation``'s subtree.

    ``commit=False`` is a preview: nothing is written but the run, whose counts say how many rows
    would be added, updated or left unchanged. ``commit=True`` writes the rows in one transaction
    if, and only if, the whole file is valid. ``user`` may be ``None`` (a system import from the
    command line): the scope is then the organisation's subtree. ``store=True`` keeps a copy of
    the file (under ``MEDIA_ROOT/imports/<run id>/``) so that :func:`commit_run` can confirm it.
    """
    spec = _dataset(dataset)
    _check_allowed(user, organisation)
    run = ImportRun.objects.create(
        organisation=organisation,
        dataset=spec.code,
        file_name=os.path.basename(file_name or "upload")[:255],
        sha256="",
        status=ImportRun.Status.FAILED,
        uploaded_by=user if user is not None and user.is_authenticated else None,
    )
    try:
        spooled = readers.spool(fileobj, run.file_name)
    except readers.FileRefused as refusal:
        return _refuse(run, str(refusal))
    try:
        run.sha256, run.size_bytes = spooled.sha256, spooled.size
        if store:
            with spooled.open() as f:
                run.stored_file.save(get_valid_filename(run.file_name) or "upload", File(f), False)
        run.save()
        return _execute(run, spec, spooled, user, commit=commit)
    finally:
        spooled.delete()


CONFIRMABLE = (ImportRun.Status.VALIDATED, ImportRun.Status.QUEUED, ImportRun.Status.IMPORTING)


def _check_confirmable(run: ImportRun, statuses=CONFIRMABLE) -> None:
    if run.status not in statuses:
        status = run.get_status_display().lower()
        raise ValueError(f"This import is {status}; it cannot be confirmed.")
    if not run.stored_file:
        raise ValueError("The file for this import was not kept; upload it again.")


def commit_queue(*, run: ImportRun, user) -> ImportRun:
    """Confirm a previewed run off the request: mark it queued and, once the current
    transaction commits, send :func:`workforce.tasks.commit_import` to the worker (run at once,
    in this process, in the embedded default with no broker). The run page shows its progress."""
    _check_allowed(user, run.organisation)
    _check_confirmable(run, (ImportRun.Status.VALIDATED,))
    queued = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.VALIDATED).update(
        status=ImportRun.Status.QUEUED, rows_validated=0, rows_written=0
    )
    run.refresh_from_db()
    if not queued:  # confirmed twice at once: the other request queued it
        return run
    user_id = user.pk if user is not None and user.is_authenticated else None
    transaction.on_commit(lambda: _enqueue_commit(run.pk, user_id))
    return run


def _enqueue_commit(run_id: int, user_id: int | None) -> None:
    from dashboard.services import BROKER_ERRORS

    from .tasks import commit_import

    try:
        commit_import.delay(run_id, user_id)
    except BROKER_ERRORS as exc:
        logger.warning("Broker unavailable, import run %s not queued: %s", run_id, exc)
        _fail(
            ImportRun.objects.get(pk=run_id),
            "The import could not be queued (the task queue is not available), so nothing was "
            "written. Upload the file again later.",
        )
        _discard_stored_file(ImportRun.objects.get(pk=run_id))


def commit_run(*, run: ImportRun, user) -> ImportRun:
    """Confirm a previewed run: re-validate its stored file and commit it in one transaction.

    Called by the worker for a queued run (:func:`commit_queue`), or directly. Progress (rows
    validated) is written to the run as the file is checked, outside the write transaction, so
    that the run page can show it; then the rows are written in one transaction, re-validated
    inside it, or not at all."""
    _check_allowed(user, run.organisation)
    _check_confirmable(run)
    with run.stored_file.open("rb") as f:
        spooled = readers.spool(f, run.file_name)
    try:
        if spooled.sha256 != run.sha256:
            run = _fail(run, "The stored file has changed since it was checked; upload it again.")
        else:
            ImportRun.objects.filter(pk=run.pk).update(status=ImportRun.Status.IMPORTING)
            run = _execute(run, _dataset(run.dataset), spooled, user, commit=True)
    finally:
        spooled.delete()
    if run.status != ImportRun.Status.VALIDATED:  # confirmed or failed: the copy is not needed
        _discard_stored_file(run)
    return run


def _discard_stored_file(run: ImportRun) -> None:
    if run.stored_file:
        run.stored_file.delete(save=False)
        ImportRun.objects.filter(pk=run.pk).update(stored_file="")


def purge_stored_files(*, now=None) -> int:
    """Delete the kept copies of uploads (staff records: personal data) that were previewed but
    never confirmed, ``IMPORT_PREVIEW_RETENTION_DAYS`` after the upload; confirmed and failed
    runs lose theirs at once. The run, its counts, hash and problems stay in the import history.
    Nightly (Celery beat); returns how many files were deleted. A housekeeping job over every
    organisation's runs, like the nightly recompute: it reads no data for anyone."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.IMPORT_PREVIEW_RETENTION_DAYS)
    expired = ImportRun.objects.exclude(stored_file="").filter(
        Q(created_at__lt=cutoff) | ~Q(status=ImportRun.Status.VALIDATED)
    )
    deleted = 0
    for run in expired.only("pk", "stored_file").iterator():
        _discard_stored_file(run)
        deleted += 1
    return deleted


def import_path(
    *, dataset: str, path: str, organisation: Organisation, user=None, commit: bool = True
) -> ImportRun:
    """Import a file from disk (the command, the synthetic data loader, the benchmarks)."""
    with open(path, "rb") as f:
        return import_file(
            dataset=dataset,
            fileobj=f,
            file_name=os.path.basename(path),
            organisation=organisation,
            user=user,
            commit=commit,
        )


# --- the code path ------------------------------------------------------------------------------


def _dataset(code: str) -> Dataset:
    try:
        return DATASETS[code]
    except KeyError:
        raise ValueError(f"Unknown dataset {code!r}; one of {', '.join(DATASETS)}") from None


def _check_allowed(user, organisation: Organisation) -> None:
    if user is not None and not covers(user, "import", organisation):
        raise ImportNotAllowed(f"You cannot import data for {organisation.name}.")


def _progress_of(run: ImportRun):
    """A callback that stores how many rows have been checked (one UPDATE per chunk)."""

    def report(rows_checked: int) -> None:
        ImportRun.objects.filter(pk=run.pk).update(rows_validated=rows_checked)

    return report


def _execute(run: ImportRun, spec: Dataset, spooled, user, *, commit: bool) -> ImportRun:
    errors = ErrorLog()
    try:
        ctx = Context.build(run.organisation, user)
        if not commit:
            outcome = _pass(spec, ctx, spooled, errors, write=None)
            return _finish(run, outcome, errors)
        if import_copy.available():
            return _execute_staged(run, spec, ctx, spooled, errors, user)
        # The checking pass runs before the write transaction, so its progress can be seen.
        outcome = _pass(spec, ctx, spooled, errors, write=False, progress=_progress_of(run))
        run.rows_validated = outcome.rows_total
        if errors.count:
            return _finish(run, outcome, errors)
        with transaction.atomic():
            _lock_for_commit(run)
            recheck = ErrorLog()
            outcome = _pass(spec, ctx, spooled, recheck, write=True, trail=corrections.Trail(run))
            if recheck.count:  # cannot happen for a private copy; never write half a file
                raise RuntimeError(f"{recheck.count} rows failed validation while writing")
            return _committed(run, spec, ctx, outcome, errors, user)
    except readers.FileRefused as refusal:
        return _refuse(run, str(refusal))
    except ValueError as problem:
        return _fail(run, str(problem))
    except Exception as exc:
        logger.exception("Import run %s failed", run.pk)
        return _fail(
            run, f"The import failed and nothing was written ({exc.__class__.__name__}: {exc})."
        )


def _execute_staged(run: ImportRun, spec: Dataset, ctx, spooled, errors, user) -> ImportRun:
    """The commit on PostgreSQL (``workforce.import_copy``): one checking pass that stages the
    valid rows (progress visible, as it runs outside the write transaction), then one
    transaction of set-based writes. A bad row: nothing staged is written."""
    with import_copy.Stage(spec) as stage:
        outcome = _pass(
            spec, ctx, spooled, errors, write=False, progress=_progress_of(run), stage=stage
        )
        run.rows_validated = outcome.rows_total
        if errors.count:
            return _finish(run, outcome, errors)
        with transaction.atomic():
            _lock_for_commit(run)
            stage.write(run, outcome)
            return _committed(run, spec, ctx, outcome, errors, user)


def _lock_for_commit(run: ImportRun) -> None:
    """In the write transaction: lock the run's row, so that two confirmations of one file
    (a double click, a redelivered task) write it once; the second is refused."""
    locked = ImportRun.objects.select_for_update().get(pk=run.pk)
    if locked.status == ImportRun.Status.COMMITTED:
        raise ValueError("This import has already been committed.")


def _committed(run: ImportRun, spec: Dataset, ctx, outcome: Outcome, errors, user) -> ImportRun:
    """Record a written file on its run, in the commit's transaction: the providers and months
    it touched, each provider's share, and the recompute of what changed."""
    run.touched = _touched(spec, ctx, outcome)
    _record_provider_counts(run, outcome)
    run.recompute = _request_recompute(run.touched, user)
    run.rows_written = outcome.added + outcome.updated
    run.committed_at = timezone.now()
    run.committed_by = user if user is not None and user.is_authenticated else None
    return _finish(run, outcome, errors, committed=True)


def _finish(run, outcome: Outcome, errors: ErrorLog, *, committed: bool = False) -> ImportRun:
    run.rows_total = outcome.rows_total
    run.error_count = errors.count
    run.errors = errors.first
    errors.save_full(run)
    if errors.count:
        run.status = ImportRun.Status.REJECTED
        run.rows_added = run.rows_updated = run.rows_unchanged = 0
    else:
        run.status = ImportRun.Status.COMMITTED if committed else ImportRun.Status.VALIDATED
        run.rows_added, run.rows_updated, run.rows_unchanged = (
            outcome.added,
            outcome.updated,
            outcome.unchanged,
        )
    run.save()
    return run


def _refuse(run: ImportRun, reason: str) -> ImportRun:
    run.status = ImportRun.Status.REJECTED
    run.error_count = 1
    run.errors = [{"row": None, "column": "", "reason": reason}]
    run.save()
    return run


def _fail(run: ImportRun, reason: str) -> ImportRun:
    run.refresh_from_db(fields=["status"])
    if run.status == ImportRun.Status.COMMITTED:
        return run
    run.status = ImportRun.Status.FAILED
    run.errors = [{"row": None, "column": "", "reason": reason}]
    run.error_count = 1
    run.save()
    return run
