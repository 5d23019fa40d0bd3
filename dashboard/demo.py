"""Demo data for the Quality Dashboard: compute every figure from the demo workforce data.

``load_demo`` runs this after ``workforce.demo.load``; the recompute runs synchronously here.
"""

from . import services


def load(*, stdout) -> None:
    run = services.recompute_all()
    if run.status != run.Status.SUCCEEDED:
        raise RuntimeError(f"The demo recompute failed: {run.error}")
    stdout.write(f"Quality Dashboard: {run.rows} figures computed (run {run.pk}).\n")
