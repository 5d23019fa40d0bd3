"""Celery tasks of the Quality Dashboard: thin wrappers that take ids and call services.

``recompute_all`` is the nightly full recompute named in ``CELERY_BEAT_SCHEDULE``;
``recover_runs`` (beat, every 30 seconds, and each worker as it starts) queues runs that no
message would bring to a worker: those lost with a killed worker, and those recorded while the
broker was down. Time limits per task: ``CELERY_TASK_ANNOTATIONS`` in settings.
"""

import math

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.db import DatabaseError

from . import services
from .models import RecomputeRun


def _lease_waits() -> int:
    """How many times a message may wait for another worker's lease: long enough for the
    longest run (its hard time limit)."""
    return math.ceil(settings.RECOMPUTE_TIME_LIMIT / settings.RECOMPUTE_LEASE_SECONDS) + 3


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(DatabaseError,),  # the database was unreachable: try again shortly
    retry_backoff=5,
    max_retries=10,
)
def recompute_run(self, run_id: int) -> str | None:
    """Do one recorded recompute run. A run another worker holds is waited for: the message
    comes back when that worker's lease would lapse (a redelivered message of a killed worker
    takes its run over then); a finished run is left alone."""
    run = RecomputeRun.objects.filter(pk=run_id).first()
    if run is None:
        return None
    wait = services.wait_before_claim(run)
    if wait is None:
        return run.status
    if wait > 0 and not self.request.is_eager:
        if self.request.retries >= _lease_waits():
            return run.status  # beat's recover_runs queues it again once its lease lapses
        raise self.retry(countdown=wait + 1, max_retries=None)
    return services.recompute(run=run).status


@shared_task(acks_late=False)
def recompute_all() -> int:
    """Nightly: recompute every provider and every month; returns the rows written. Acked on
    receipt: its run is recorded first, so if the worker is lost the run's lapsed lease brings it
    back (a redelivered message would start a second full run)."""
    return services.recompute_all().rows


@shared_task
def run_pending() -> int:
    """Do every claimable recompute in this task (pending ones, and those lost with a worker);
    returns how many."""
    return len(services.run_pending())


@shared_task(ignore_result=True)
def recover_runs() -> int:
    """Queue the runs no message will bring to a worker; returns how many."""
    return len(services.recover_runs())


@shared_task
def prune_snapshots() -> int:
    """Nightly: delete figure versions older than SNAPSHOT_RETENTION_DAYS; returns how many."""
    from . import snapshots

    return snapshots.prune()


@worker_ready.connect
def _recover_on_start(sender=None, **kwargs):
    services.enqueue_recovery()


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
