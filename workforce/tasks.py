"""Celery tasks of workforce imports."""

from celery import shared_task

from . import services


@shared_task
def purge_stored_files() -> int:
    """Nightly: delete kept copies of uploads that are no longer needed; returns how many."""
    return services.purge_stored_files()


@shared_task(acks_late=True)
def commit_import(run_id: int, user_id: int | None) -> str:
    """Confirm a queued import (see :func:`workforce.services.commit_queue`); returns its status.

    Re-fetches the run and the person who confirmed it; the service checks their scope again."""
    from councils.models import User

    from .models import ImportRun

    run = ImportRun.objects.select_related("organisation").get(pk=run_id)
    user = User.objects.get(pk=user_id) if user_id is not None else None
    try:
        return services.commit_run(run=run, user=user).status
    except (ValueError, services.ImportNotAllowed) as problem:
        if run.status in services.CONFIRMABLE:
            services._fail(run, str(problem))
        return ImportRun.objects.get(pk=run_id).status
