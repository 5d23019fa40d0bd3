"""Celery tasks of the Quality Dashboard: thin wrappers that take ids and call services.

``recompute_all`` is the nightly full recompute named in ``CELERY_BEAT_SCHEDULE``. When a worker
starts (for example after a broker outage) it queues ``run_pending`` for runs recorded while the
broker was down.
"""

from celery import shared_task
from celery.signals import worker_ready

from . import services
from .models import RecomputeRun


@shared_task(acks_late=True)
def recompute_run(run_id: int) -> str | None:
    """Do one recorded recompute run (a run no longer pending is left alone)."""
    run = RecomputeRun.objects.filter(pk=run_id).first()
    if run is None:
        return None
    return services.recompute(run=run).status


@shared_task
def recompute_all() -> int:
    """Nightly: recompute every provider and every month; returns the rows written."""
    return services.recompute_all().rows


@shared_task
def run_pending() -> int:
    """Run every pending recompute (recorded while the broker was down); returns how many."""
    return len(services.run_pending())


@worker_ready.connect
def _run_pending_on_start(sender=None, **kwargs):
    services.enqueue_pending()


@shared_task(acks_late=True)
def render_board_report(report_id: int, user_id: int) -> str | None:
    """Render and keep one board report PDF (see :mod:`dashboard.board_reports`)."""
    from councils.models import User

    from . import board_reports
    from .models import BoardReportFile

    report = BoardReportFile.objects.select_related("organisation").filter(pk=report_id).first()
    if report is None or report.status == BoardReportFile.Status.READY:
        return None
    user = User.objects.get(pk=user_id)
    return board_reports.board_report_render(report=report, user=user).status
