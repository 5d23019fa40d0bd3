"""`make bench`: run every bench/bench_*.py module's ``main()`` and print its figures.

Benchmarks measure speed and memory at England scale; they are not tests and assert nothing
about time. Point DATABASE_URL at PostgreSQL for the figures the issues ask for.
"""

import importlib
import os
import pkgutil
import sys
from pathlib import Path

import django


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ahpportal.settings")
    django.setup()
    only = sys.argv[1:]
    names = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]))
    for name in names:
        if not name.startswith("bench_") or (only and name not in only):
            continue
        print(f"=== {name}", flush=True)
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
