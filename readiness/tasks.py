"""Celery tasks of the readiness app: thin wrappers over services."""

from celery import shared_task

from . import services


@shared_task
def send_due_reminders() -> int:
    """Daily (beat): reminders a week before each cycle's due date and on it, once each."""
    return services.reminders_send()
