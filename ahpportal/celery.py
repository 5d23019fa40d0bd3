"""The Celery app.

With ``CELERY_BROKER_URL`` set (Redis), tasks go to the broker and ``make worker`` runs them.
Without it, settings turn on ``task_always_eager``: tasks run in the web process, after the
transaction that queued them commits, so the embedded default needs no Redis.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ahpportal.settings")

app = Celery("ahpportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
