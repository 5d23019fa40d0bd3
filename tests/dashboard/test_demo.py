"""load_demo computes the dashboard figures after the workforce demo import."""

import io

from dashboard import demo, services
from dashboard.models import MetricValue, RecomputeRun


def test_the_demo_load_computes_every_figure(workforce, tree):
    out = io.StringIO()
    demo.load(stdout=out)
    run = RecomputeRun.objects.get()
    assert run.kind == RecomputeRun.Kind.FULL and run.status == RecomputeRun.Status.SUCCEEDED
    assert f"{run.rows} figures computed" in out.getvalue()
    assert MetricValue.objects.count() == run.rows
    assert MetricValue.objects.filter(organisation=tree["ENG"]).exists()


def test_deferred_recomputes_are_recorded_not_queued_and_the_full_run_covers_them(
    workforce, tree, django_capture_on_commit_callbacks
):
    """The demo's imports run inside ``recomputes_deferred``: each file's run is recorded but
    not queued, and the demo's full recompute marks it covered."""
    with django_capture_on_commit_callbacks() as queued, services.recomputes_deferred():
        held = services.request_recompute(provider_ids=[tree["RP5"].pk], months=None)
    assert queued == [] and held.status == RecomputeRun.Status.PENDING
    with django_capture_on_commit_callbacks() as queued:
        services.request_recompute(provider_ids=[tree["RP5"].pk], months=None)
    assert len(queued) == 1  # outside it, a request is queued as ever

    full = services.recompute_all()
    held.refresh_from_db()
    assert full.status == RecomputeRun.Status.SUCCEEDED
    assert held.status == RecomputeRun.Status.SUCCEEDED
    assert held.note == f"Covered by full run {full.pk}"
