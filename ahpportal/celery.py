"""The Celery app.

With ``CELERY_BROKER_URL`` set (Redis), tasks go to the broker and ``make worker`` runs them.
Without it, settings turn on ``task_always_eager``: tasks run in the web process, after the
transaction that queued them commits, so the embedded default needs no Redis.

A worker records a heartbeat (``councils.Heartbeat`` "worker") every ``WORKER_HEARTBEAT_SECONDS``
while it can reach the broker, from a thread of its own: the run page says "no worker is running"
when none is recent. PostgreSQL connections are named after the process (``PROCESS_ROLE`` in
settings: web, worker, beat).
"""

import logging
import os
import threading

from celery import Celery
from celery.signals import worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ahpportal.settings")

app = Celery("ahpportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)
_stop_heartbeat = threading.Event()


def record_worker_heartbeat() -> bool:
    """One heartbeat, if the broker answers; False when it does not."""
    from django.db import DatabaseError, connection

    from councils.health import check_broker, heartbeat_record

    if not check_broker().ok:
        return False
    try:
        heartbeat_record("worker")
    except DatabaseError as error:
        logger.warning("Worker heartbeat not recorded: %s", error)
        connection.close()
        return False
    return True


def _beat_while_running():
    from django.conf import settings
    from django.db import connection

    try:
        while not _stop_heartbeat.wait(settings.WORKER_HEARTBEAT_SECONDS):
            record_worker_heartbeat()
    finally:
        connection.close()


@worker_ready.connect
def _start_worker_heartbeat(sender=None, **kwargs):
    _stop_heartbeat.clear()
    threading.Thread(target=_beat_while_running, name="worker-heartbeat", daemon=True).start()


@worker_shutdown.connect
def _stop_worker_heartbeat(sender=None, **kwargs):
    _stop_heartbeat.set()
