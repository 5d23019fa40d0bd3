"""`make bench`: load the England workload, run every bench/bench_*.py module's ``main()``, then
print every figure against its target, side by side, in one table.

The workload (:mod:`bench.england`: 24 months of England-scale synthetic data) is generated and
loaded before any module runs, so each module measures the same data whatever order they run in
(``python -m bench bench_api`` runs one). Benchmarks measure speed and memory; they are not
tests. The machine's load is printed with the figures: on a shared machine they are noisy. Point
DATABASE_URL at an empty PostgreSQL database for the figures the issues ask for.
"""

import importlib
import os
import pkgutil
import sys
import time
from pathlib import Path

import django


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ahpportal.settings")
    django.setup()
    from bench import england

    only = sys.argv[1:]
    started = time.perf_counter()
    workload = england.ensure()
    print(workload, flush=True)
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]))
    figures = []
    for name in names:
        if not name.startswith("bench_") or (only and name not in only):
            continue
        print(f"=== {name} (load average {os.getloadavg()[0]:.1f})", flush=True)
        for row in importlib.import_module(f"bench.{name}").main() or []:
            figures.append((name.removeprefix("bench_"), *row))
    print(f"\n{workload}")
    print(
        f"Load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on "
        f"{os.cpu_count()} cores; {time.perf_counter() - started:.0f} s in all"
    )
    width = max((len(f[1]) for f in figures), default=10)
    print(f"{'':<9} {'figure':<{width}} {'target':<18} {'measured':<24} met")
    for bench, label, target, measured, ok in figures:
        verdict = "-" if ok is None else ("yes" if ok else "NO")
        print(f"{bench:<9} {label:<{width}} {target:<18} {measured:<24} {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
