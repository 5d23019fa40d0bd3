"""load_demo computes the dashboard figures after the workforce demo import."""

import io

from dashboard import demo
from dashboard.models import MetricValue, RecomputeRun


def test_the_demo_load_computes_every_figure(workforce, tree):
    out = io.StringIO()
    demo.load(stdout=out)
    run = RecomputeRun.objects.get()
    assert run.kind == RecomputeRun.Kind.FULL and run.status == RecomputeRun.Status.SUCCEEDED
    assert f"{run.rows} figures computed" in out.getvalue()
    assert MetricValue.objects.count() == run.rows
    assert MetricValue.objects.filter(organisation=tree["ENG"]).exists()
