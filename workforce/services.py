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

A commit runs in one transaction: validation is re-run inside it, then rows are added with
``bulk_create`` and changed with ``bulk_update``; any failure rolls everything back. The
providers and months a commit touched are stored on the run and, where the dashboard provides
``request_recompute``, passed to it inside the same transaction. So is each provider's share of
the file (rows added, updated and unchanged, as :class:`~workforce.models.ImportRunProvider`),
counted in the same chunk loop, so that a provider's history shows a file uploaded above it.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import os
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from ahpportal.months import add_months, month_start
from councils.models import Level, Organisation
from councils.scoping import covers
from dashboard import compute
from dashboard.services import request_recompute

from . import readers
from .datasets import DATASETS, STAFF, STAFF_MONTH, CellError, Dataset, make_parser
from .models import ImportRun, ImportRunProvider, Profession, Staff, StaffMonth

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000
ERRORS_KEPT = 1000  # errors stored on the run; the full list goes to an errors CSV
ERROR_HEADER = ["row", "column", "reason"]
# C0 controls but tab, DEL and the C1 controls: never part of a value, and PostgreSQL refuses NUL.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


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


def error_rows(run: ImportRun):
    """Every error of a run as ``[row, column, reason]`` (the full list when it was spilled)."""
    if run.errors_file:
        with run.errors_file.open("rb") as raw:
            import io

            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            reader = csv.reader(text)
            next(reader, None)
            yield from reader
            text.detach()
        return
    for error in run.errors:
        yield [error.get("row") or "", error.get("column", ""), error.get("reason", "")]


# --- the code path ------------------------------------------------------------------------------


def _dataset(code: str) -> Dataset:
    try:
        return DATASETS[code]
    except KeyError:
        raise ValueError(f"Unknown dataset {code!r}; one of {', '.join(DATASETS)}") from None


def _check_allowed(user, organisation: Organisation) -> None:
    if user is not None and not covers(user, "import", organisation):
        raise ImportNotAllowed(f"You cannot import data for {organisation.name}.")


@dataclass
class Context:
    """Lookups made once per import (dicts, so a row costs no queries)."""

    organisation: Organisation
    providers: dict[str, int]  # upper-case code -> id
    professions: dict[str, int]
    today: dt.date
    staff: dict[int, dict[str, tuple[int, dt.date, dt.date | None]]] = field(default_factory=dict)

    @classmethod
    def build(cls, organisation: Organisation, user) -> Context:
        providers = Organisation.objects.below(organisation).filter(level=Level.PROVIDER)
        if user is not None:
            providers = providers.in_scope(user, "import")
        return cls(
            organisation=organisation,
            providers={code.upper(): pk for code, pk in providers.values_list("code", "pk")},
            professions={
                code.lower(): pk for code, pk in Profession.objects.values_list("code", "pk")
            },
            today=timezone.localdate(),
        )

    def staff_of(self, provider_id: int):
        """The provider's staff by staff_id: (pk, first month, last month or None); one query."""
        known = self.staff.get(provider_id)
        if known is None:
            known = {
                staff_id: (pk, month_start(start), month_start(end) if end else None)
                for staff_id, pk, start, end in Staff.objects.filter(
                    provider_id=provider_id
                ).values_list("staff_id", "pk", "start_date", "end_date")
            }
            self.staff[provider_id] = known
        return known


class ErrorLog:
    """The first ``ERRORS_KEPT`` errors in memory; any more spill to a temporary CSV."""

    def __init__(self):
        self.count = 0
        self.first: list[dict] = []
        self._spill = None
        self._writer = None

    def add(self, row, column: str, reason: str) -> None:
        self.count += 1
        if len(self.first) < ERRORS_KEPT:
            self.first.append({"row": row, "column": column, "reason": reason})
            return
        if self._spill is None:
            self._spill = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._spill)
        from .csv_safety import safe_row

        self._writer.writerow(safe_row([row, column, reason]))

    def save_full(self, run: ImportRun) -> None:
        """Store the complete error list as a CSV when it did not fit on the run."""
        if self._spill is None:
            return
        from .csv_safety import write_safe_csv

        with tempfile.TemporaryFile("w+b") as out:
            import io

            text = io.TextIOWrapper(out, encoding="utf-8", newline="")
            write_safe_csv(
                text, ([e["row"], e["column"], e["reason"]] for e in self.first), ERROR_HEADER
            )
            self._spill.seek(0)
            for line in self._spill:
                text.write(line)
            text.flush()
            text.detach()
            out.seek(0)
            run.errors_file.save("errors.csv", File(out), save=False)
        self._spill.close()
        self._spill = None


@dataclass
class Outcome:
    rows_total: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    months: dict[int, set] = field(default_factory=lambda: defaultdict(set))
    # staff: provider id -> (first month, last month or None) of every version of a changed
    # person that counts in staff figures; and the ids of changed people already stored
    staff_spans: dict[int, list[tuple[dt.date, dt.date | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    staff_changed: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    years: dict[int, set] = field(default_factory=lambda: defaultdict(set))
    # provider id -> [added, updated, unchanged]
    by_provider: dict[int, list[int]] = field(default_factory=dict)


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
        # The checking pass runs before the write transaction, so its progress can be seen.
        outcome = _pass(spec, ctx, spooled, errors, write=False, progress=_progress_of(run))
        run.rows_validated = outcome.rows_total
        if errors.count:
            return _finish(run, outcome, errors)
        with transaction.atomic():
            locked = ImportRun.objects.select_for_update().get(pk=run.pk)
            if locked.status == ImportRun.Status.COMMITTED:
                raise ValueError("This import has already been committed.")
            recheck = ErrorLog()
            outcome = _pass(spec, ctx, spooled, recheck, write=True)
            if recheck.count:  # cannot happen for a private copy; never write half a file
                raise RuntimeError(f"{recheck.count} rows failed validation while writing")
            run.touched = _touched(spec, ctx, outcome)
            _record_provider_counts(run, outcome)
            run.recompute = _request_recompute(run.touched, user)
            run.rows_written = outcome.added + outcome.updated
            run.committed_at = timezone.now()
            run.committed_by = user if user is not None and user.is_authenticated else None
            return _finish(run, outcome, errors, committed=True)
    except readers.FileRefused as refusal:
        return _refuse(run, str(refusal))
    except ValueError as problem:
        return _fail(run, str(problem))
    except Exception as exc:
        logger.exception("Import run %s failed", run.pk)
        return _fail(
            run, f"The import failed and nothing was written ({exc.__class__.__name__}: {exc})."
        )


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


def _pass(
    spec: Dataset, ctx: Context, spooled, errors: ErrorLog, *, write: bool | None, progress=None
) -> Outcome:
    """Read the file once. ``write=None``: validate and classify (preview); ``False``: validate
    only; ``True``: validate, classify and write. ``progress(rows)`` is called every
    ``CHUNK_ROWS`` rows."""
    outcome = Outcome()
    source = readers.rows(spooled)
    header = next(source, None)
    if header is None or not any(header):
        errors.add(1, "", "The file has no header row")
        return outcome
    while header and not header[-1]:
        header.pop()  # trailing empty cells (spreadsheets)
    if CONTROL_CHARACTERS.search("\t".join(header)):
        _control_errors(1, header, [f"column {n}" for n in range(1, len(header) + 1)], errors.add)
        return outcome
    names = [name.strip().lower() for name in header]
    known = {c.name: c for c in spec.columns}
    for position, name in enumerate(names, start=1):
        if not name:
            errors.add(1, f"column {position}", "The header cell is blank")
        elif name not in known:
            errors.add(
                1,
                name,
                f"Unknown column '{header[position - 1]}' for {spec.code}; the columns are "
                f"{', '.join(spec.column_names)}",
            )
        elif names.index(name) != position - 1:
            errors.add(1, name, f"Column '{name}' appears more than once")
    for name in spec.required_columns:
        if name not in names:
            errors.add(1, name, f"Required column '{name}' is missing")
    if errors.count:
        return outcome

    parsers = [
        (names.index(c.name), c.name, c.attname, c.blank_ok, make_parser(c, ctx))
        for c in spec.columns
        if c.name in names
    ]
    defaults = {c.attname: ("" if c.kind == "text" else None) for c in spec.columns}
    width = len(header)
    key_fields = spec.file_key
    key_words = ", ".join(spec.key_columns)
    key_column = spec.key_columns[-1]
    checks = spec.checks
    is_staff_month = spec is STAFF_MONTH
    classify = write is not False
    control_search = CONTROL_CHARACTERS.search
    seen: dict[tuple, int] = {}
    pending: list[dict] = []
    add_error = errors.add

    for rownum, cells in enumerate(source, start=2):
        if not any(cells) or cells[0].startswith("#"):
            continue  # blank lines, and comment rows such as the templates' allowed values
        outcome.rows_total += 1
        if progress is not None and not outcome.rows_total % CHUNK_ROWS:
            progress(outcome.rows_total)
        if len(cells) > width and any(cells[width:]):
            add_error(
                rownum, "", f"The row has {len(cells)} cells but the header has {width} columns"
            )
            continue
        if control_search("\t".join(cells)):
            _control_errors(rownum, cells, names, add_error)
            continue
        values = dict(defaults)
        bad = False
        for index, name, attname, blank_ok, parse in parsers:
            text = cells[index] if index < len(cells) else ""
            if not text:
                if not blank_ok:
                    add_error(rownum, name, f"{name} is blank")
                    bad = True
                continue
            try:
                values[attname] = parse(text)
            except CellError as problem:
                add_error(rownum, name, str(problem))
                bad = True
        if bad:
            continue
        key = tuple([values[f] for f in key_fields])
        earlier = seen.setdefault(key, rownum)
        if earlier != rownum:
            add_error(rownum, key_column, f"Duplicates row {earlier} (same {key_words})")
            continue
        for name, reason in checks(values):
            add_error(rownum, name, reason)
            bad = True
        if is_staff_month:
            bad = _resolve_staff(values, ctx, rownum, add_error) or bad
        if bad or not classify or errors.count:
            continue
        pending.append(values)
        if len(pending) >= CHUNK_ROWS:
            _flush(spec, pending, outcome, write=bool(write))
            pending = []
    if pending and classify and not errors.count:
        _flush(spec, pending, outcome, write=bool(write))
    if not outcome.rows_total and not errors.count:
        errors.add(
            None,
            "",
            "The file has a header row but no data rows: add a row for each record under the "
            "header, or check that you chose the right file.",
        )
    return outcome


def _control_errors(rownum, cells: list[str], names: list[str], add_error) -> None:
    """One error for each cell of the row that holds a control character, naming it."""
    for index, text in enumerate(cells):
        found = CONTROL_CHARACTERS.search(text)
        if found is None:
            continue
        name = names[index] if index < len(names) and names[index] else f"column {index + 1}"
        code = ord(found.group())
        what = {0: "a NUL character (code 0)", 10: "a line break", 13: "a carriage return"}.get(
            code, f"a control character (code {code})"
        )
        add_error(
            rownum,
            name,
            f"{name} contains {what}, which is not allowed in a value; remove it and save the "
            "file again",
        )


def _resolve_staff(values: dict, ctx: Context, rownum: int, add_error) -> bool:
    """Point a staff_month row at its staff record; True if that failed."""
    found = ctx.staff_of(values["provider_id"]).get(values["staff_code"])
    if found is None:
        add_error(
            rownum,
            "staff_id",
            f"No staff record '{values['staff_code']}' at this provider: import the staff "
            "file first",
        )
        return True
    pk, first, last = found
    values["staff_id"] = pk
    month = values["month"]
    if month < first:
        add_error(rownum, "month", f"{month:%Y-%m} is before this person's start_date")
        return True
    if last is not None and month > last:
        add_error(rownum, "month", f"{month:%Y-%m} is after this person's end_date")
        return True
    return False


def _field_name(model, attname: str) -> str:
    return model._meta.get_field(attname).name


def _flush(spec: Dataset, pending: list[dict], outcome: Outcome, *, write: bool) -> None:
    """Classify a chunk against the stored rows (one query) and, if writing, write it."""
    model = spec.model
    db_key, value_fields = spec.db_key, spec.value_fields
    width = len(db_key)
    lookup = {f"{f}__in": {v[f] for v in pending} for f in db_key}
    existing = {
        row[1 : 1 + width]: (row[0], row[1 + width :])
        for row in model.objects.filter(**lookup).values_list("pk", *db_key, *value_fields)
    }
    new, changed = [], []
    start_index = value_fields.index("start_date") if spec is STAFF else None
    by_provider = outcome.by_provider
    for values in pending:
        current = existing.get(tuple([values[f] for f in db_key]))
        counts = by_provider.get(values["provider_id"])
        if counts is None:
            counts = by_provider[values["provider_id"]] = [0, 0, 0]
        if current is None:
            outcome.added += 1
            counts[0] += 1
            new.append(values)
            _touch(spec, outcome, values, None, start_index)
        elif current[1] != tuple([values[f] for f in value_fields]):
            outcome.updated += 1
            counts[1] += 1
            changed.append((current[0], values))
            _touch(spec, outcome, values, current[1], start_index, pk=current[0])
        else:
            outcome.unchanged += 1
            counts[2] += 1
    if not write:
        return
    stored = ("provider_id", *db_key, *value_fields)
    stored = tuple(dict.fromkeys(stored))
    if new:
        model.objects.bulk_create(
            [model(**{f: v[f] for f in stored}) for v in new], batch_size=1000
        )
    if changed:
        model.objects.bulk_update(
            [model(pk=pk, **{f: v[f] for f in value_fields}) for pk, v in changed],
            [_field_name(model, f) for f in value_fields],
            batch_size=500,
        )


def _record_provider_counts(run: ImportRun, outcome: Outcome) -> None:
    """Each provider's share of a committed run: one insert of one row per provider."""
    ImportRunProvider.objects.bulk_create(
        [
            ImportRunProvider(
                run=run,
                provider_id=provider_id,
                rows_added=added,
                rows_updated=updated,
                rows_unchanged=unchanged,
            )
            for provider_id, (added, updated, unchanged) in sorted(outcome.by_provider.items())
        ],
        batch_size=1000,
    )


# A staff record counts in figures from its start month to 11 months after its end month: in
# post until it ends, then in the 12-month turnover window (dashboard.compute, STAFF). Its
# staff-month records count in their own months (STAFF_MONTH joins them to the person).
TURNOVER_WINDOW_MONTHS = 12
# Staff fields that no figure reads: a change to them alone touches nothing.
STAFF_UNUSED = frozenset({"leaving_reason"})
_STAFF_USED = [i for i, name in enumerate(STAFF.value_fields) if name not in STAFF_UNUSED]
_CONTRACT = STAFF.value_fields.index("contract")
_END = STAFF.value_fields.index("end_date")


def _touch(spec, outcome: Outcome, values: dict, old, start_index, pk=None) -> None:
    provider_id = values["provider_id"]
    if spec.month_field:
        outcome.months[provider_id].add(values["month"])
    elif spec is STAFF:
        new = tuple(values[f] for f in STAFF.value_fields)
        if old is not None and all(old[i] == new[i] for i in _STAFF_USED):
            return
        if pk is not None:  # their staff-month records count wherever they are
            outcome.staff_changed[provider_id].append(pk)
        for version in (new, old):
            # bank staff count only through their staff-month records
            if version is not None and version[_CONTRACT] != "bank":
                end = version[_END]
                outcome.staff_spans[provider_id].append(
                    (
                        month_start(version[start_index]),
                        add_months(month_start(end), TURNOVER_WINDOW_MONTHS - 1) if end else None,
                    )
                )
    else:
        outcome.years[provider_id].add(values["year"])


def _touched(spec: Dataset, ctx: Context, outcome: Outcome) -> dict:
    """Which providers and months the commit changed: ``{provider_id: [months]}`` as JSON.

    Exactly the months whose figures can change: a monthly dataset's rows' months; a survey
    year's months; for a staff change, every month in which any version of the person (before
    and after) counts, from the start month to 11 months after the end month (the turnover
    window), and the months of their staff-month records. Staff and survey months are bounded
    by the store's month range (``dashboard.compute.months_with_data``, which those datasets do
    not move), the range every recompute writes."""
    by_provider: dict[int, list[dt.date]] = {}
    for provider_id, months in outcome.months.items():
        by_provider[provider_id] = sorted(months)
    if outcome.years or outcome.staff_spans or outcome.staff_changed:
        in_range = compute.months_with_data()
        for provider_id, years in outcome.years.items():
            by_provider[provider_id] = [m for m in in_range if m.year in years]
        touched: dict[int, set[dt.date]] = defaultdict(set)
        for provider_id, spans in outcome.staff_spans.items():
            for first, last in set(spans):
                touched[provider_id].update(
                    m for m in in_range if m >= first and (last is None or m <= last)
                )
        changed = [pk for pks in outcome.staff_changed.values() for pk in pks]
        wanted = set(in_range)
        for i in range(0, len(changed), CHUNK_ROWS):
            for provider_id, month in (
                StaffMonth.objects.filter(staff_id__in=changed[i : i + CHUNK_ROWS])
                .values_list("provider_id", "month")
                .distinct()
            ):
                if month in wanted:
                    touched[provider_id].add(month)
        for provider_id, months in touched.items():
            by_provider[provider_id] = sorted(months)
    by_provider = {pk: months for pk, months in by_provider.items() if months}
    codes = {pk: code for code, pk in ctx.providers.items()}
    months = sorted({m for ms in by_provider.values() for m in ms})
    return {
        "provider_ids": sorted(by_provider),
        "provider_codes": sorted(codes.get(pk, str(pk)) for pk in by_provider),
        "months": [m.isoformat() for m in months],
        "by_provider": {
            str(pk): [m.isoformat() for m in ms] for pk, ms in sorted(by_provider.items())
        },
    }


def _request_recompute(touched: dict, user):
    """Ask the dashboard to recompute what changed: one run for the whole file (a national file
    is one run), carrying each provider's own months (``touched["by_provider"]``)."""
    if not touched.get("provider_ids") or not touched.get("months"):
        return None
    return request_recompute(
        provider_ids=[int(pk) for pk, months in touched["by_provider"].items() if months],
        months=[dt.date.fromisoformat(m) for m in touched["months"]],
        provider_months={
            int(pk): [dt.date.fromisoformat(m) for m in months]
            for pk, months in touched["by_provider"].items()
            if months
        },
        requested_by=user if user is not None and user.is_authenticated else None,
    )
