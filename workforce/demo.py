"""Demo workforce data for ``manage.py load_demo`` (and so ``make run``).

Generates the demo scale (the SYB ICS's providers, seed 1) into a temporary directory and loads
it through the real import path, exactly as a provider's uploads would go in. Re-running it is
harmless: a re-import of the same files leaves every row unchanged. Each import's recompute is
left pending (not run file by file): ``dashboard.demo``, the next step of ``load_demo``, runs the
full recompute, which covers them.
"""

import tempfile
from pathlib import Path

from councils.models import Organisation
from councils.tree import load_england_tree
from dashboard.services import recomputes_deferred
from workforce import synthetic

DEMO_SEED = 1
DEMO_ICS = "QF7"


def load(*, stdout) -> None:
    if not Organisation.objects.filter(code=DEMO_ICS).exists():
        load_england_tree()
    ics = Organisation.objects.get(code=DEMO_ICS)
    with tempfile.TemporaryDirectory(prefix="ahp-demo-") as directory:
        counts = synthetic.generate(out_dir=Path(directory), scale="demo", seed=DEMO_SEED)
        stdout.write(
            f"Workforce demo data (synthetic, seed {DEMO_SEED}) for {ics.display_name}: "
            + ", ".join(f"{count:,} {dataset}" for dataset, count in counts.items())
        )
        with recomputes_deferred():
            runs = synthetic.import_directory(
                directory=Path(directory), organisation=ics, stdout=stdout
            )
    added = sum(run.rows_added for run in runs)
    updated = sum(run.rows_updated for run in runs)
    unchanged = sum(run.rows_unchanged for run in runs)
    stdout.write(
        f"Workforce demo data imported: {added:,} rows added, {updated:,} updated, "
        f"{unchanged:,} unchanged."
    )
