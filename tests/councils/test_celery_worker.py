"""A task really runs through a Celery worker on Redis (not eagerly in-process)."""

import pytest
from django.core import mail

from councils import services
from tests.conftest import redis_url_for


def test_each_xdist_worker_has_its_own_redis_database():
    base = "redis://127.0.0.1:6379/14"
    assert redis_url_for("master", base) == "redis://127.0.0.1:6379/14"
    assert redis_url_for("gw0", base) == "redis://127.0.0.1:6379/14"
    assert redis_url_for("gw1", base) == "redis://127.0.0.1:6379/15"
    with pytest.raises(ValueError, match="gw2 would use Redis database 16"):
        redis_url_for("gw2", base)


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
