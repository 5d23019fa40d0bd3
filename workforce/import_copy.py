"""A committed import on PostgreSQL: staged with COPY, written with set-based statements.

The one validation pass (``workforce.import_rows._pass``) hands each valid row to a
:class:`Stage`, which COPYs them (``STAGE_ROWS`` at a time, so that the pass's own queries and
progress updates can run in between) into a TEMP table of the live table's own column types.
Nothing is staged once a row is bad, and a file with any bad row writes nothing. Then, in the
commit's one transaction, :meth:`Stage.write`:

1. (staff) reads, joining the staging table with the stored rows, the spans of months that the
   changed people count in, before and after, and the ids of the changed people already stored
   (for their staff-month records): what ``import_rows._touch`` gathers row by row;
2. writes the corrections trail (``workforce.corrections``): one ``INSERT ... SELECT`` of every
   staged row whose stored version differs, with the old and new value of each changed field,
   in file order;
3. upserts every staged row: ``INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE`` the values
   differ, so an unchanged row is not rewritten, returning per provider (and month or year) how
   many rows were added and updated; the unchanged are the rest of the provider's staged rows.

The outcome is the same as the Python path's (``import_rows._flush``, the path on SQLite): the
same rows, counts, touched months and corrections (tests/workforce/test_import_copy.py).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict

from django.db import connection

from .datasets import STAFF, STAFF_SURVEY, Dataset
from .import_rows import _STAFF_USED, TURNOVER_WINDOW_MONTHS, Outcome
from .models import ImportCorrection, ImportRun

STAGE_ROWS = 20_000
WORK_MEM = "256MB"  # rows per COPY statement
TABLE = "workforce_import_stage"


USE_COPY = True  # tests turn it off to compare this path with the Python one


def available() -> bool:
    """Whether commits take this path: on PostgreSQL."""
    return USE_COPY and connection.vendor == "postgresql"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


class Stage:
    """The valid rows of one file in a TEMP table, with ``rownum`` keeping the file's order."""

    def __init__(self, spec: Dataset):
        self.spec = spec
        model = spec.model
        self.live = _q(model._meta.db_table)
        self.fields = list(dict.fromkeys(("provider_id", *spec.db_key, *spec.value_fields)))
        self.column = {f: _q(model._meta.get_field(f).column) for f in self.fields}
        self.row_of = operator.itemgetter(*self.fields)
        self.kinds = {f: model._meta.get_field(f).get_internal_type() for f in self.fields}
        self.buffer: list[tuple] = []
        self.rows = 0
        self.by_provider: dict[int, int] = defaultdict(int)

    # --- staging ---------------------------------------------------------------------------

    def __enter__(self) -> Stage:
        columns = ", ".join(self.column[f] for f in self.fields)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{TABLE}")
            cursor.execute(
                f"CREATE TEMP TABLE {TABLE} AS SELECT 0::integer AS rownum, {columns} "
                f"FROM {self.live} WITH NO DATA"
            )
        return self

    def __exit__(self, *exc) -> None:
        self.buffer = []
        if connection.needs_rollback or connection.connection is None:
            return  # the table goes with the transaction (or the session)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{TABLE}")

    def add(self, values: dict) -> None:
        self.rows += 1
        self.by_provider[values["provider_id"]] += 1
        self.buffer.append((self.rows, *self.row_of(values)))
        if len(self.buffer) >= STAGE_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        columns = ", ".join(["rownum", *(self.column[f] for f in self.fields)])
        statement = f"COPY {TABLE} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
            write = copy.write_row
            for row in self.buffer:
                write(row)
        self.buffer = []

    # --- the set-based write --------------------------------------------------------------

    def _join(self, live="l") -> str:
        return " AND ".join(
            f"{live}.{self.column[f]} = s.{self.column[f]}" for f in self.spec.db_key
        )

    def _differ(self, fields, left="s", right="l") -> str:
        a = ", ".join(f"{left}.{self.column[f]}" for f in fields)
        b = ", ".join(f"{right}.{self.column[f]}" for f in fields)
        return f"ROW({a}) IS DISTINCT FROM ROW({b})"

    def _json(self, alias: str, field: str) -> str:
        """A column as the Python path records it (``corrections._json``): dates and decimals as
        text, the rest as JSON numbers, booleans, strings or null."""
        column = f"{alias}.{self.column[field]}"
        kind = self.kinds[field]
        if kind == "DateField":
            return f"to_char({column}, 'YYYY-MM-DD')"
        if kind == "DecimalField":
            return f"{column}::text"
        return column

    def write(self, run: ImportRun, outcome: Outcome) -> None:
        """Write the staged rows (in the caller's transaction) and fill ``outcome`` as the
        Python path would: counts per provider, touched months, years or staff spans."""
        self.flush()
        with connection.cursor() as cursor:
            # The statements' joins and the upsert's returned rows stay in memory; no JIT for
            # one-off statements (as the dashboard's recompute, dashboard.compute.tune_session).
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            cursor.execute(f"ANALYZE {TABLE}")
            if self.spec is STAFF:
                self._staff_changes(cursor, outcome)
            self._corrections(cursor, run)
            self._upsert(cursor, outcome)

    def _staff_changes(self, cursor, outcome: Outcome) -> None:
        used = [STAFF.value_fields[i] for i in _STAFF_USED]
        c = self.column
        cursor.execute(
            "WITH changed AS MATERIALIZED ("
            f"SELECT s.rownum, s.{c['provider_id']} AS provider_id, l.id, "
            f"s.{c['contract']} AS s_contract, s.{c['start_date']} AS s_start, "
            f"s.{c['end_date']} AS s_end, l.{c['contract']} AS l_contract, "
            f"l.{c['start_date']} AS l_start, l.{c['end_date']} AS l_end "
            f"FROM {TABLE} s LEFT JOIN {self.live} l ON {self._join()} "
            f"WHERE l.id IS NULL OR {self._differ(used)}), "
            "versions AS (SELECT provider_id, s_contract AS contract, s_start AS start_date, "
            "s_end AS end_date FROM changed UNION ALL SELECT provider_id, l_contract, l_start, "
            "l_end FROM changed WHERE id IS NOT NULL) "
            "SELECT * FROM (SELECT DISTINCT provider_id, date_trunc('month', start_date)::date, "
            "(date_trunc('month', end_date) + make_interval(months => %s))::date, NULL::bigint, "
            "0 AS rownum FROM versions WHERE contract <> 'bank') spans "
            "UNION ALL SELECT provider_id, NULL, NULL, id, rownum FROM changed "
            "WHERE id IS NOT NULL ORDER BY 5",
            [TURNOVER_WINDOW_MONTHS - 1],
        )
        for provider_id, first, last, pk, _ in cursor.fetchall():
            if pk is None:
                outcome.staff_spans[provider_id].add((first, last))
            else:
                outcome.staff_changed[provider_id].append(pk)

    def _corrections(self, cursor, run: ImportRun) -> None:
        spec = self.spec
        key = ", ".join(f"'{f}', {self._json('s', f)}" for f in spec.db_key if f != "provider_id")

        def changed_fields(alias: str) -> str:
            return " || ".join(
                f"CASE WHEN s.{self.column[f]} IS DISTINCT FROM l.{self.column[f]} "
                f"THEN jsonb_build_object('{f}', {self._json(alias, f)}) ELSE '{{}}'::jsonb END"
                for f in spec.value_fields
            )

        trail = _q(ImportCorrection._meta.db_table)
        cursor.execute(
            f"INSERT INTO {trail} (run_id, provider_id, row_key, old, new) "
            f"SELECT %s, s.{self.column['provider_id']}, jsonb_build_object({key}), "
            f"{changed_fields('l')}, {changed_fields('s')} "
            f"FROM {TABLE} s JOIN {self.live} l ON {self._join()} "
            f"WHERE {self._differ(spec.value_fields)} ORDER BY s.rownum",
            [run.pk],
        )

    def _upsert(self, cursor, outcome: Outcome) -> None:
        spec = self.spec
        c = self.column
        columns = ", ".join(c[f] for f in self.fields)
        key = ", ".join(c[f] for f in spec.db_key)
        updates = ", ".join(f"{c[f]} = EXCLUDED.{c[f]}" for f in spec.value_fields)
        group = spec.month_field or ("year" if spec is STAFF_SURVEY else None)
        returned = f"l.{c['provider_id']}" + (f", l.{c[group]}" if group else "")
        grouped = "provider_id" + (f", {c[group]}" if group else "")
        # New and changed rows only (a hash join, not an index probe per unchanged row), in the
        # staging table's order without sorting millions of rows; the ON CONFLICT ... WHERE
        # still leaves alone a row another import wrote the same values to meanwhile.
        cursor.execute(
            f"WITH written AS (INSERT INTO {self.live} AS l ({columns}) "
            f"SELECT {', '.join(f's.{c[f]}' for f in self.fields)} FROM {TABLE} s "
            f"LEFT JOIN {self.live} x ON {self._join('x')} "
            f"WHERE x.id IS NULL OR {self._differ(spec.value_fields, 's', 'x')} "
            f"ON CONFLICT ({key}) DO UPDATE SET {updates} "
            f"WHERE {self._differ(spec.value_fields, 'l', 'EXCLUDED')} "
            f"RETURNING {returned}, (l.xmax = 0) AS added) "
            f"SELECT {grouped}, count(*) FILTER (WHERE added), count(*) FILTER (WHERE NOT added) "
            f"FROM written GROUP BY {grouped}"
        )
        written: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for row in cursor.fetchall():
            provider_id, added, updated = row[0], row[-2], row[-1]
            written[provider_id][0] += added
            written[provider_id][1] += updated
            if group == "year":
                outcome.years[provider_id].add(row[1])
            elif group:
                month = row[1]
                outcome.months[provider_id].add(
                    month.date() if isinstance(month, dt.datetime) else month
                )
        for provider_id, staged in self.by_provider.items():
            added, updated = written.get(provider_id, (0, 0))
            outcome.by_provider[provider_id] = [added, updated, staged - added - updated]
            outcome.added += added
            outcome.updated += updated
            outcome.unchanged += staged - added - updated
