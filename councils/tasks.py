from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.core.mail import send_mail


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(*, subject: str, message: str, recipients: list[str]) -> int:
    """Send one plain-text email (queued with transaction.on_commit by services)."""
    return send_mail(
        subject=subject,
        message=message,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=recipients,
    )


@shared_task(ignore_result=True, expires=55)
def worker_heartbeat() -> None:
    """Queued by beat every minute: a worker running it shows /healthz a worker is consuming."""
    from .health import heartbeat_record

    heartbeat_record("worker")


@worker_ready.connect
def _heartbeat_on_start(sender=None, **kwargs):
    from .health import heartbeat_record

    heartbeat_record("worker")
