"""Import speed and memory at England scale (issues 4 and 16): the staff and staff_month files.

The England files of :mod:`bench.england` (about 145,000 staff rows; 2.5 million staff-month rows
over 24 months) are imported through the portal's importer in a database of their own (the
benchmark database's name + ``_import``, created empty and migrated, dropped at the end; a
temporary file on SQLite), so the figures are inserts into empty tables whatever ran before,
and the benchmark database keeps the workload the other benchmarks measure. Each measurement
runs in a fresh child process so that its peak memory (``ru_maxrss``) is the import's alone (plus
the interpreter and Django, shown as the baseline):

    validate    import_path(commit=False): the full validation pass, nothing written
    end to end  import_path(commit=True): validation, writes in one transaction, the recompute
                queued (recorded, not run: it is bench_metrics' business)

A file over the upload limit (WORKFORCE_MAX_UPLOAD_BYTES) is imported in parts, as a provider
would have to upload it, and the England file is then reported as not accepted.
The staff_month file is imported gzip-compressed (``.csv.gz``), as a provider would send a file
of that size, then validated uncompressed (the same rows: the plain file is accepted too).
``BENCH_STAFF_MONTH_MONTHS`` (default all 24) measures the first N months only.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.england import DATA_DIR, ROOT, ensure_files


def _maxrss_mb() -> float:
    """This process's peak resident memory (MB). VmHWM, not ru_maxrss: a child's ru_maxrss
    starts from its parent's size at fork, so it would count the bench's own memory."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _staff_month_subset(months: int | None) -> tuple[Path, int, int]:
    """staff_month rows of the first ``months`` months (None: all); returns path, rows, months."""
    from workforce import synthetic

    source = DATA_DIR / "staff_month.csv"
    window = synthetic.window_months()
    if months is None or months >= len(window):
        with source.open(encoding="utf-8") as f:
            rows = sum(1 for _ in f) - 1
        return source, rows, len(window)
    keep = {m.isoformat() for m in window[:months]}
    target = DATA_DIR / f"staff_month_first{months}.csv"
    rows = 0
    with (
        source.open(encoding="utf-8", newline="") as f,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.reader(f)
        writer = csv.writer(out, lineterminator="\n")
        header = next(reader)
        month_at = header.index("month")
        writer.writerow(header)
        for row in reader:
            if row[month_at] in keep:
                writer.writerow(row)
                rows += 1
    return target, rows, months


def measure(dataset: str, path: str, mode: str) -> None:
    """Child process: import ``path`` (in parts if over the limit) and print a JSON result."""
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ahpportal.settings")
    django.setup()
    from django.conf import settings

    from councils.models import Organisation
    from dashboard import services as dashboard_services
    from workforce import services, synthetic

    dashboard_services.enqueue = lambda run_id: False  # record the run, do not time it
    from workforce import synthetic_tree

    synthetic_tree.ensure_england_providers()
    england = Organisation.objects.get(code="ENG")
    baseline = _maxrss_mb()
    parts = synthetic._parts(Path(path), settings.WORKFORCE_MAX_UPLOAD_BYTES)
    totals = {"rows": 0, "added": 0, "updated": 0, "unchanged": 0, "errors": 0, "status": []}
    start = time.perf_counter()
    for part in parts:
        run = services.import_path(
            dataset=dataset, path=str(part), organisation=england, commit=(mode == "commit")
        )
        totals["rows"] += run.rows_total
        totals["added"] += run.rows_added
        totals["updated"] += run.rows_updated
        totals["unchanged"] += run.rows_unchanged
        totals["errors"] += run.error_count
        totals["status"].append(run.status)
    seconds = time.perf_counter() - start
    result = dict(totals, seconds=seconds, parts=len(parts), baseline_mb=baseline)
    result["peak_mb"] = _maxrss_mb()
    print("RESULT " + json.dumps(result), flush=True)


def _run_child(dataset: str, path: Path, mode: str, env: dict) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.bench_import", "--measure", dataset, str(path), mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(f"The {mode} import of {path.name} failed:\n{completed.stderr[-3000:]}")


def _gzipped(path: Path) -> Path:
    """``path`` gzip-compressed next to it (made once per version of the file)."""
    import gzip
    import shutil

    target = path.with_name(path.name + ".gz")
    if not target.exists() or target.stat().st_mtime < path.stat().st_mtime:
        with path.open("rb") as source, gzip.open(target, "wb", compresslevel=6) as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
    return target


def _import_database() -> tuple[dict, object]:
    """An empty, migrated database for the imports: (child environment, drop function)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    env = dict(os.environ)
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        name = f"{db['NAME']}_import"
        params = {"host": db.get("HOST") or None, "port": db.get("PORT") or None}
        params = {k: v for k, v in params.items() if v}
        user = db.get("USER") or "postgres"

        def admin(sql):
            with psycopg.connect(dbname="postgres", user=user, autocommit=True, **params) as c:
                c.execute(sql)

        admin(f'DROP DATABASE IF EXISTS "{name}"')
        admin(f'CREATE DATABASE "{name}"')
        host = f"{params.get('host', '127.0.0.1')}:{params.get('port', 5432)}"
        env["DATABASE_URL"] = f"postgres://{user}@{host}/{name}"

        def drop():
            admin(f'DROP DATABASE IF EXISTS "{name}"')
    else:
        path = Path(tempfile.mkdtemp()) / "bench_import.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{path}"

        def drop():
            path.unlink(missing_ok=True)

    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return env, drop


def main() -> list[tuple[str, str, str, bool | None]]:
    from django.conf import settings
    from django.db import connection

    counts = ensure_files()
    months_env = os.environ.get("BENCH_STAFF_MONTH_MONTHS", "all")
    months = None if months_env == "all" else int(months_env)
    month_path, month_rows, month_count = _staff_month_subset(months)
    plain_path = month_path
    month_path = _gzipped(month_path)  # as a provider would upload a file this size
    print(
        f"  staff: {counts['staff']:,} rows ({(DATA_DIR / 'staff.csv').stat().st_size / 2**20:.0f}"
        f" MB); staff_month: {month_rows:,} rows = {month_count} months "
        f"({plain_path.stat().st_size / 2**20:.0f} MB, {month_path.stat().st_size / 2**20:.0f} MB "
        "gzip-compressed); upload limit "
        f"{settings.WORKFORCE_MAX_UPLOAD_BYTES / 2**20:.0f} MB; into an empty database",
        flush=True,
    )
    env, drop = _import_database()
    steps = [
        ("staff", DATA_DIR / "staff.csv", "validate"),
        ("staff", DATA_DIR / "staff.csv", "commit"),
        ("staff_month", month_path, "validate"),
        ("staff_month", month_path, "commit"),
        ("staff_month", plain_path, "validate"),  # the same file uncompressed: accepted too
    ]
    results = []
    try:
        for dataset, path, mode in steps:
            r = _run_child(dataset, path, mode, env)
            results.append((dataset, mode, r))
            rate = r["rows"] / r["seconds"] if r["seconds"] else 0
            print(
                f"  {dataset} ({path.name}) {'validate' if mode == 'validate' else 'end to end'}: "
                f"{r['rows']:,} rows in {r['seconds']:.1f} s = {rate:,.0f} rows/s, peak "
                f"{r['peak_mb']:.0f} MB (base {r['baseline_mb']:.0f}), {r['parts']} file(s), "
                f"{r['added']:,} added, {r['errors']} errors: "
                + ", ".join(sorted(set(r["status"]))),
                flush=True,
            )
    finally:
        drop()
    figures = []
    peak = max(r["peak_mb"] for _, _, r in results)
    for dataset, mode, r in results:
        if mode != "commit":
            continue
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0
        figures.append(
            (
                f"import end to end: {dataset} on {connection.vendor}",
                ">= 20,000 rows/s",
                f"{rate:,.0f} rows/s",
                rate >= 20_000,
            )
        )
    figures.append(("import peak memory (max RSS)", "<= 300 MB", f"{peak:.0f} MB", peak <= 300))
    for (_, _, r), kind in ((results[3], "gzip"), (results[4], "plain CSV")):
        parts = r["parts"]
        accepted = parts == 1 and r["errors"] == 0
        figures.append(
            (
                f"England {month_count}-month staff_month file, {kind}",
                "accepted as one file",
                "accepted" if accepted else f"refused: over the limit, {parts} parts",
                accepted,
            )
        )
    return figures


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        measure(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        import django

        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ahpportal.settings")
        django.setup()
        main()
