"""One pass over an import file: the header, each row's cells parsed and checked, and each chunk
of rows classified against the stored rows (added, updated, unchanged) and, if writing, written."""

from __future__ import annotations

import datetime as dt
import re
from array import array
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from ahpportal.months import add_months, month_start
from councils.models import Level, Organisation

from . import readers
from .datasets import STAFF, STAFF_MONTH, CellError, Dataset, make_parser
from .import_errors import ErrorLog
from .models import Profession, Staff

CHUNK_ROWS = 2000
# C0 controls but tab, DEL and the C1 controls: never part of a value, and PostgreSQL refuses NUL.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


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


@dataclass
class Outcome:
    rows_total: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    months: dict[int, set] = field(default_factory=lambda: defaultdict(set))
    # staff: provider id -> (first month, last month or None) of every version of a changed
    # person that counts in staff figures; and the ids of changed people already stored
    # (a set: a national staff file has a million rows but a few thousand distinct spans)
    staff_spans: dict[int, set[tuple[dt.date, dt.date | None]]] = field(
        default_factory=lambda: defaultdict(set)
    )
    staff_changed: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    years: dict[int, set] = field(default_factory=lambda: defaultdict(set))
    # provider id -> [added, updated, unchanged]
    by_provider: dict[int, list[int]] = field(default_factory=dict)
    # the commit's trail of corrections (workforce.corrections.Trail), when writing
    trail: object | None = None


# A cell's value is parsed once per distinct text (a column's few hundred bands, dates, flags and
# numbers), up to CACHED_VALUES texts a column; ids are not worth keeping. Values are immutable.
UNCACHED_KINDS = frozenset({"staff_id", "text"})
CACHED_VALUES = 20_000
_MISSING = object()


class _Seen:
    """The key of every row read so far and the row it was first read in, kept small enough for
    millions of rows: keys are grouped by all but their last part, and where the last part is
    the month (the monthly datasets: a person's, a provider's or a profession's months), the
    months and row numbers are two arrays of 4-byte integers per group, not a dict entry, a
    tuple and a date object per row (2.5 million staff-month keys: about 50 MB, not 350)."""

    def __init__(self, spec: Dataset):
        self.monthly = spec.month_field is not None and spec.file_key[-1] == spec.month_field
        self.groups: dict = {}

    def first(self, key: tuple, rownum: int) -> int:
        """The row in which ``key`` was first read (``rownum`` if this is the first time)."""
        prefix, last = key[:-1], key[-1]
        group = self.groups.get(prefix)
        if not self.monthly:
            if group is None:
                group = self.groups[prefix] = {}
            return group.setdefault(last, rownum)
        month = last.year * 12 + last.month
        if group is None:
            self.groups[prefix] = (array("I", (month,)), array("I", (rownum,)))
            return rownum
        months, rownums = group
        if month in months:
            return rownums[months.index(month)]
        months.append(month)
        rownums.append(rownum)
        return rownum


def _pass(
    spec: Dataset,
    ctx: Context,
    spooled,
    errors: ErrorLog,
    *,
    write: bool | None,
    progress=None,
    trail=None,
    stage=None,
) -> Outcome:
    """Read the file once. ``write=None``: validate and classify (preview); ``False``: validate
    only, and hand each valid row to ``stage.add(values)`` if given (until a row is bad: a file
    with a bad row is not written); ``True``: validate, classify and write. ``progress(rows)`` is
    called every ``CHUNK_ROWS`` rows."""
    outcome = Outcome(trail=trail)
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
        (
            names.index(c.name),
            c.name,
            c.attname,
            c.blank_ok,
            make_parser(c, ctx),
            None if c.kind in UNCACHED_KINDS else {},
        )
        for c in spec.columns
        if c.name in names
    ]
    defaults = {
        c.attname: c.default if c.default is not None else ("" if c.kind == "text" else None)
        for c in spec.columns
    }
    width = len(header)
    key_fields = spec.file_key
    key_words = ", ".join(spec.key_columns)
    key_column = spec.key_columns[-1]
    checks = spec.checks
    is_staff_month = spec is STAFF_MONTH
    classify = write is not False
    control_search = CONTROL_CHARACTERS.search
    first_read = _Seen(spec).first
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
        ncells = len(cells)
        for index, name, attname, blank_ok, parse, cache in parsers:
            text = cells[index] if index < ncells else ""
            if not text:
                if not blank_ok:
                    add_error(rownum, name, f"{name} is blank")
                    bad = True
                continue
            if cache is not None:
                value = cache.get(text, _MISSING)
                if value is not _MISSING:
                    values[attname] = value
                    continue
            try:
                value = values[attname] = parse(text)
            except CellError as problem:
                add_error(rownum, name, str(problem))
                bad = True
                continue
            if cache is not None and len(cache) < CACHED_VALUES:
                cache[text] = value
        if bad:
            continue
        key = tuple([values[f] for f in key_fields])
        earlier = first_read(key, rownum)
        if earlier != rownum:
            add_error(rownum, key_column, f"Duplicates row {earlier} (same {key_words})")
            continue
        for name, reason in checks(values):
            add_error(rownum, name, reason)
            bad = True
        if is_staff_month:
            bad = _resolve_staff(values, ctx, rownum, add_error) or bad
        if bad or errors.count:
            continue
        if not classify:
            if stage is not None:
                stage.add(values)
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
    if outcome.trail is not None:  # the rows about to change, with their stored values
        outcome.trail.record(
            spec, [(v, existing[tuple([v[f] for f in db_key])][1]) for _, v in changed]
        )
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


# A staff record counts in figures from its start month to 11 months after its end month: in
# post until it ends, then in the 12-month turnover window (dashboard.compute_datasets, STAFF). Its
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
                outcome.staff_spans[provider_id].add(
                    (
                        month_start(version[start_index]),
                        add_months(month_start(end), TURNOVER_WINDOW_MONTHS - 1) if end else None,
                    )
                )
    else:
        outcome.years[provider_id].add(values["year"])
