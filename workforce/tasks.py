"""Celery tasks of workforce imports."""

from celery import shared_task

from . import services


@shared_task
def purge_stored_files() -> int:
    """Nightly: delete kept copies of uploads that are no longer needed; returns how many."""
    return services.purge_stored_files()
