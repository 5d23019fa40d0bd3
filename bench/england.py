"""The England workload of ``make bench``, the same whatever order the benchmarks run in.

The workforce generator's England files (``workforce.synthetic``, seed 1: about 145,000 staff,
2.5 million staff-month rows over 24 months, establishment, activity, spend, the staff survey
and placements for the synthetic providers), generated once into ``bench-data/england-seed1/``
and reused while the generator is unchanged. :func:`ensure` loads them into an empty database
(PostgreSQL ``COPY``, or batched inserts on SQLite) before any benchmark runs; the importer's own
speed is measured separately by bench_import, in a database of its own.
"""

from __future__ import annotations

import csv
import hashlib
import json
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 1
DATA_DIR = ROOT / "bench-data" / f"england-seed{SEED}"
STAFF_ROWS = 150_000  # the generator's England staff target
ENGLAND_STAFF = 100_000  # fewer staff rows than this: England data is not loaded


def ensure_files() -> dict:
    """The England files, generated once per parameters and reused."""
    from workforce import synthetic

    marker = DATA_DIR / "params.json"
    params = {
        "seed": SEED,
        "staff": STAFF_ROWS,
        "end_month": synthetic.DEFAULT_END_MONTH.isoformat(),
        "generator": hashlib.sha256(
            b"".join(
                p.read_bytes()
                for p in sorted(Path(synthetic.__file__).parent.glob("synthetic*.py"))
            )
        ).hexdigest(),
    }
    if marker.exists() and json.loads(marker.read_text()).get("params") == params:
        return json.loads(marker.read_text())["counts"]
    start = time.perf_counter()
    counts = synthetic.generate(out_dir=DATA_DIR, scale="england", seed=SEED, staff=STAFF_ROWS)
    print(f"Generated England files in {time.perf_counter() - start:.1f} s: {counts}", flush=True)
    marker.write_text(json.dumps({"params": params, "counts": counts}))
    return counts


def _flag(text: str) -> bool:
    return text.strip().upper() == "Y"


def load(connection) -> None:
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

    def as_month(text):  # "2024-10" (a quarter's first month) or "2024-10-01"
        return f"{text}-01" if len(text) == 7 else text

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
        "month": as_month,
        "quarter": as_month,
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
        for code in DATASETS:
            if code != "staff":
                load(DATASETS[code], staff_pk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"Loaded the England files in {time.perf_counter() - start:.1f} s", flush=True)


def ensure() -> str:
    """Generate and load the England workload into an empty database; say what is loaded.
    Refuses a database holding other workforce data (the figures would not be England's)."""
    from django.db import connection

    from dashboard import compute_months
    from workforce.models import Staff, StaffMonth

    counts = ensure_files()
    if Staff.objects.count() < ENGLAND_STAFF:
        if Staff.objects.exists():
            raise SystemExit(
                "The database has some workforce data but not England's: point DATABASE_URL at "
                "an empty database (make bench loads England itself)."
            )
        load(connection)
    from dashboard import services
    from dashboard.models import MetricValue

    if not MetricValue.objects.exists():  # the pages and the API read the engine's figures
        start = time.perf_counter()
        run = services.recompute_all()
        print(
            f"Filled the store (full recompute, untimed here): {run.rows:,} figures in "
            f"{time.perf_counter() - start:.0f} s",
            flush=True,
        )
    months = compute_months.months_with_data()
    return (
        f"England workload on {connection.vendor}: {Staff.objects.count():,} staff, "
        f"{StaffMonth.objects.count():,} staff months, {len(months)} months "
        f"({months[0]:%Y-%m} to {months[-1]:%Y-%m}); files: "
        + ", ".join(f"{name} {n:,}" for name, n in counts.items())
    )
