"""Import speed and memory at England scale (issue 4): staff and staff_month files.

Generates (or reuses, from ``bench-data/``) the England-scale synthetic files: a staff file of
about 150,000 rows and staff_month rows for the staff in post each month. Each measurement runs
in a fresh child process so that its peak memory (``ru_maxrss``) is the import's alone (plus the
interpreter and Django, shown as the baseline):

    validate    import_file(commit=False): the full validation pass, nothing written
    end to end  import_file(commit=True): validation, then writes in one transaction

Targets: at least 10,000 rows/s validating, 5,000 rows/s end to end, peak memory under 500 MB.
Figures on PostgreSQL are the ones that count (DATABASE_URL=postgres://...).

staff_month at England scale is millions of rows (24 months x ~105,000 in post); the benchmark
measures the first ``BENCH_STAFF_MONTH_MONTHS`` months (default 6; ``all`` for all 24) and says
so. A file over the upload limit is imported in parts, as a provider would upload it. The
recompute each commit queues is recorded but not run here (it is the dashboard's job, measured
on its own); set ``BENCH_RESET=1`` to delete the England synthetic providers' staff rows first so
"end to end" measures inserts rather than an unchanged re-import.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 1
DATA_DIR = ROOT / "bench-data" / f"england-seed{SEED}"
STAFF_ROWS = int(os.environ.get("BENCH_STAFF_ROWS", "150000"))


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def _ensure_files() -> dict:
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


def _run_child(dataset: str, path: Path, mode: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.bench_import", "--measure", dataset, str(path), mode],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT ") :])
    raise RuntimeError(f"The {mode} import of {path.name} failed:\n{completed.stderr[-3000:]}")


def main() -> None:
    from django.conf import settings
    from django.db import connection

    from workforce import synthetic_tree
    from workforce.models import Staff, StaffMonth

    db = settings.DATABASES["default"]
    print(f"Database: {connection.vendor} ({db['ENGINE']}, {db.get('NAME')})", flush=True)
    providers = synthetic_tree.ensure_england_providers()
    counts = _ensure_files()
    months_env = os.environ.get("BENCH_STAFF_MONTH_MONTHS", "6")
    months = None if months_env == "all" else int(months_env)
    month_path, month_rows, month_count = _staff_month_subset(months)

    codes = [p.code for p in synthetic_tree.england_plan()[1]]
    existing = Staff.objects.filter(provider__code__in=codes).exists()
    if existing and os.environ.get("BENCH_RESET") == "1":
        StaffMonth.objects.filter(provider__code__in=codes).delete()
        Staff.objects.filter(provider__code__in=codes).delete()
        existing = False
    print(
        f"England scale: {providers} providers, {counts['staff']:,} staff rows; staff_month: "
        f"{month_rows:,} rows = first {month_count} of 24 months "
        f"(all 24 months: {counts['staff_month']:,} rows)"
        + (" -- rows already present, commit figures are for a re-import" if existing else ""),
        flush=True,
    )
    steps = [
        ("staff", DATA_DIR / "staff.csv", "validate"),
        ("staff", DATA_DIR / "staff.csv", "commit"),
        ("staff_month", month_path, "validate"),
        ("staff_month", month_path, "commit"),
    ]
    results = []
    for dataset, path, mode in steps:
        result = _run_child(dataset, path, mode)
        results.append((dataset, mode, result))
        print(
            f"  {dataset} {mode}: {result['rows']:,} rows in {result['seconds']:.1f} s",
            flush=True,
        )

    header = (
        f"{'file':<12} {'step':<11} {'rows':>10} {'seconds':>8} {'rows/s':>9} "
        f"{'peak MB':>8} {'base MB':>8}  outcome"
    )
    print(f"\nImport at England scale on {connection.vendor}")
    print(header)
    print("-" * len(header))
    for dataset, mode, r in results:
        rate = r["rows"] / r["seconds"] if r["seconds"] else 0
        outcome = (
            f"{r['added']:,} added, {r['updated']:,} updated, {r['unchanged']:,} unchanged, "
            f"{r['errors']} errors, {r['parts']} file(s): {', '.join(sorted(set(r['status'])))}"
        )
        step = "validate" if mode == "validate" else "end to end"
        print(
            f"{dataset:<12} {step:<11} {r['rows']:>10,} {r['seconds']:>8.1f} {rate:>9,.0f} "
            f"{r['peak_mb']:>8.0f} {r['baseline_mb']:>8.0f}  {outcome}"
        )
    print(
        "Targets: validate >= 10,000 rows/s; end to end >= 5,000 rows/s; peak < 500 MB. "
        "Peak = child process max RSS (base = after Django start-up)."
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        measure(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        import django

        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ahpportal.settings")
        django.setup()
        main()
