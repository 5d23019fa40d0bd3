"""Metrics engine speed at England scale (issue 5).

Data: the workforce generator's England files (``workforce.synthetic``, seed 1, about 150,000
staff and 2.5 million staff-month rows over 24 months, in ``bench-data/england-seed1/``, made
once and reused). If the database has no England data yet, the files are loaded straight into
the workforce tables (PostgreSQL ``COPY``; the importer's own speed is bench_import's business),
so this benchmark measures the engine and nothing else.

Figures:

    full          services.recompute_all(): every provider, every metric, 24 months, all
                  professions and band groups, rolled up to England, in one transaction,
                  replacing a full store (on PostgreSQL: a new table built, indexed and
                  swapped in, see dashboard.compute._rebuild_and_swap)
    floor         the same figures (every level, profession and band group) computed by one
                  hand-written SQL statement per dataset, written to an unindexed temporary
                  table instead of the live store; and, for reference, the aggregation alone
                  (each dataset's GROUP BY over the month range)
    incremental   one provider's one-month activity import: the recompute it queues (that
                  provider's rows for the month and its ancestors')

Targets: full within 2x of the floor and under 3 minutes; incremental under 2 seconds. The
figures that count are PostgreSQL's (DATABASE_URL=postgres://...).
"""

from __future__ import annotations

import csv
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
SEED = 1
DATA_DIR = ROOT / "bench-data" / f"england-seed{SEED}"
ENGLAND_STAFF = 100_000  # fewer staff rows than this: England data is not loaded


def _ensure_files() -> None:
    from workforce import synthetic

    if all((DATA_DIR / f"{name}.csv").exists() for name in synthetic.DATASETS):
        return
    start = time.perf_counter()
    counts = synthetic.generate(out_dir=DATA_DIR, scale="england", seed=SEED)
    print(f"Generated England files in {time.perf_counter() - start:.1f} s: {counts}", flush=True)


def _flag(text: str) -> bool:
    return text.strip().upper() == "Y"


def _load(connection) -> None:
    """Load the England files into the workforce tables (COPY on PostgreSQL)."""
    from councils.models import Organisation
    from workforce import synthetic_tree
    from workforce.datasets import DATASETS
    from workforce.models import Profession, Staff

    start = time.perf_counter()
    synthetic_tree.ensure_england_providers()
    orgs = dict(Organisation.objects.filter(level="provider").values_list("code", "pk"))
    professions = dict(Profession.objects.values_list("code", "pk"))

    def rows(name):
        with open(DATA_DIR / f"{name}.csv", newline="") as handle:
            yield from csv.DictReader(handle)

    def none_if_blank(text):
        return text if text != "" else None

    def copy(model, columns, records):
        table = model._meta.db_table
        count = 0
        if connection.vendor == "postgresql":
            raw = connection.connection
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(statement) as pipe:
                for record in records:
                    pipe.write_row(record)
                    count += 1
        else:
            batch = []
            marks = ", ".join(["%s"] * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            with connection.cursor() as cursor:
                for record in records:
                    batch.append(record)
                    if len(batch) == 5000:
                        cursor.executemany(sql, batch)
                        count, batch = count + len(batch), []
                if batch:
                    cursor.executemany(sql, batch)
                    count += len(batch)
        return count

    def as_number(text):
        return Decimal(text) if text != "" else None

    # The importer's own column specs say which field each file column fills and what kind it
    # is; the bench converts by kind without the importer's checks (the synthetic files are
    # valid), so it loads England in minutes and cannot drift from the upload format.
    by_kind = {
        "provider": orgs.__getitem__,
        "profession": professions.__getitem__,
        "decimal": as_number,
        "int": int,
        "year": int,
        "date": none_if_blank,
        "flag": _flag,
    }

    def load(spec, staff_pk=None):
        readers = [(c.name, by_kind.get(c.kind, str)) for c in spec.columns]
        fields = [c.attname for c in spec.columns]
        records = (tuple(read(r[name]) for name, read in readers) for r in rows(spec.code))
        if "staff_code" in fields:  # staff_month rows point at their staff record
            at = fields.index("staff_code")
            fields[at] = "staff_id"
            records = ((*rec[:at], staff_pk[(rec[0], rec[at])], *rec[at + 1 :]) for rec in records)
        n = copy(spec.model, fields, records)
        print(f"  {spec.code}: {n:,} rows", flush=True)

    from django.db import transaction

    with transaction.atomic():
        load(DATASETS["staff"])
        staff_pk = {
            (provider, staff_id): pk
            for pk, provider, staff_id in Staff.objects.values_list("pk", "provider_id", "staff_id")
        }
        for code in ("staff_month", "establishment", "activity", "spend", "staff_survey"):
            load(DATASETS[code], staff_pk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"Loaded the England files in {time.perf_counter() - start:.1f} s", flush=True)


def _floors(months) -> tuple[float, float]:
    """Two floors, one hand-written SQL statement per dataset each, inside a transaction that is
    rolled back; returns seconds:

    * aggregate: each dataset's GROUP BY over the month range (provider x month x profession x
      band group), materialised into a temporary table;
    * figures: the same statements as the engine's, producing every figure of every level, but
      written to an unindexed temporary table instead of the store.
    """
    from django.db import connection, transaction
    from django.utils import timezone

    from dashboard import compute, compute_months

    months_cte, month_params = compute_months._months_cte(months)
    computed_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")
        start = time.perf_counter()
        for dataset in compute.DATASETS:
            cursor.execute(
                f"CREATE TEMPORARY TABLE floor_{dataset.name} AS "
                f"WITH {months_cte} SELECT * FROM ({dataset.base}) AS b",
                month_params,
            )
        aggregate = time.perf_counter() - start
        start = time.perf_counter()
        for dataset in compute.DATASETS:
            sql, params = compute.figures_sql(dataset, months, None, computed_at)
            head, _, tail = sql.partition(f"INSERT INTO {compute.T['value']}")
            tail = tail.split("\n", 1)[1]  # drop the column list
            cursor.execute(
                f"CREATE TEMPORARY TABLE figures_{dataset.name} AS {head} {tail}", params
            )
        figures = time.perf_counter() - start
        transaction.set_rollback(True)
    return aggregate, figures


def main() -> None:
    from django.db import connection

    from dashboard import compute_months, services
    from dashboard.models import MetricValue, RecomputeRun
    from workforce.models import Activity, Staff, StaffMonth

    print(f"Database: {connection.vendor}", flush=True)
    if Staff.objects.count() < ENGLAND_STAFF:
        if Staff.objects.exists():
            print(
                "The database has some workforce data but not England's; use an empty database "
                "(or one loaded by generate_synthetic --scale england --import)."
            )
            return
        _ensure_files()
        _load(connection)
    months = compute_months.months_with_data()
    print(
        f"Data: {Staff.objects.count():,} staff, {StaffMonth.objects.count():,} staff months, "
        f"{len(months)} months ({months[0]:%Y-%m} to {months[-1]:%Y-%m})",
        flush=True,
    )

    if not MetricValue.objects.exists():
        # the nightly run replaces a full store: fill it first, untimed
        print("Filling the empty store first (untimed)", flush=True)
        services.recompute_all()
    floors = [_floors(months)]
    start = time.perf_counter()
    run = services.recompute_all()
    full = time.perf_counter() - start
    if run.status != RecomputeRun.Status.SUCCEEDED:
        print(f"The full recompute failed: {run.error}")
        return
    floors.append(_floors(months))  # once before and once after: take the faster of each
    aggregate = min(f[0] for f in floors)
    floor = min(f[1] for f in floors)

    # One provider's one-month activity import, then the recompute it queues.
    last = months[-1]
    row = Activity.objects.filter(month=last).order_by("provider_id", "profession_id").first()
    Activity.objects.filter(pk=row.pk).update(contacts=row.contacts + 1)
    incremental_times = []
    for _ in range(3):
        # queued as the import would queue it, but run here synchronously to be timed
        with mock.patch.object(services, "enqueue"):
            pending = services.request_recompute(provider_ids=[row.provider_id], months=[last])
        start = time.perf_counter()
        done = services.recompute(run=pending)
        incremental_times.append(time.perf_counter() - start)
        assert done.status == RecomputeRun.Status.SUCCEEDED, done.error
    Activity.objects.filter(pk=row.pk).update(contacts=row.contacts)
    incremental = sorted(incremental_times)[1]

    print(f"Store: {MetricValue.objects.count():,} figures ({run.rows:,} written by the full run)")
    print(f"{'measure':<58} {'seconds':>9}")
    print(f"{'full recompute, 24 months (services.recompute_all)':<58} {full:>9.2f}")
    print(f"{'floor: the same figures, one statement per dataset':<58} {floor:>9.2f}")
    print(f"{'ratio full / floor (target <= 2.0)':<58} {full / floor:>9.2f}")
    print(f"{'  (aggregation alone: one GROUP BY per dataset)':<58} {aggregate:>9.2f}")
    print(f"{'incremental: one provider, one month (median of 3)':<58} {incremental:>9.2f}")
    verdict = [
        "full under 3 minutes: " + ("yes" if full < 180 else "NO"),
        "full within 2x floor: " + ("yes" if full <= 2 * floor else "NO"),
        "incremental under 2 s: " + ("yes" if incremental < 2 else "NO"),
    ]
    print("; ".join(verdict), flush=True)
    print(
        "The gap between the floor and the full run is building the store's unique key, indexes "
        "and foreign key and swapping the new table in (PostgreSQL), or writing into the live "
        "table (SQLite).",
        flush=True,
    )


if __name__ == "__main__":  # pragma: no cover
    import os
    import sys

    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ahpportal.settings")
    django.setup()
    main()
