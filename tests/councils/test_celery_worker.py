"""A task really runs through a Celery worker on Redis (not eagerly in-process)."""

import os
import socket

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from ahpportal.celery import app
from councils import services

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    host, port = "127.0.0.1", 6379
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_worker():
    if not _redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "result_backend")}
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, result_backend=REDIS_URL)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=60):
            yield app
    finally:
        app.conf.update(saved)


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_invitation_email_is_sent_by_a_real_worker(redis_worker, tree, make_user, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = make_user("org_admin", tree["QF7"])
    mail.outbox = []
    services.invitation_create(
        inviter=admin,
        email="worker.test@example.test",
        organisation=tree["RP5"],
        role="viewer",
        build_url=lambda path: f"http://testserver{path}",
    )
    # The task went to Redis; wait for the worker thread to deliver it.
    from councils.tasks import send_email

    result = send_email.delay(subject="ping", message="ping", recipients=["ping@example.test"])
    assert result.get(timeout=20) == 1
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == ["You are invited to AHP Portal as Viewer", "ping"]
    assert mail.outbox[0].to in (["worker.test@example.test"], ["ping@example.test"])
