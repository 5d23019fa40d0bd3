"""One beat at a time: a second beat process stands by while the first holds the lock in Redis,
and takes over when the first stops."""

import os
import time
import uuid
from unittest import mock

import pytest

from ahpportal.beat import STANDBY_INTERVAL, BeatLock, LockedScheduler
from tests.conftest import _redis_up, redis_url_for


@pytest.fixture
def redis_url():
    url = redis_url_for(os.environ.get("PYTEST_XDIST_WORKER", "master"))
    if not _redis_up(url):
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not running at {url}")
        pytest.skip(f"Redis is not running at {url}")
    return url


def test_a_second_beat_stands_by_until_the_first_lets_go(redis_url):
    key = f"test-beat-lock-{uuid.uuid4().hex}"
    first = BeatLock(redis_url, seconds=5, key=key)
    second = BeatLock(redis_url, seconds=5, key=key)
    try:
        assert first.hold() and first.hold()  # taken, then renewed
        assert not second.hold()
        first.release()
        assert second.hold()
        assert not first.hold()
    finally:
        second.release()
        first.release()


def test_the_lock_expires_if_its_holder_dies(redis_url):
    key = f"test-beat-lock-{uuid.uuid4().hex}"
    dead = BeatLock(redis_url, seconds=0.2, key=key)
    assert dead.hold()
    alive = BeatLock(redis_url, seconds=5, key=key)
    dead.client.pexpire(key, 1)  # as if its holder stopped renewing
    time.sleep(0.05)
    try:
        assert alive.hold()
    finally:
        alive.release()


def test_the_scheduler_sends_nothing_without_the_lock(tmp_path):
    from ahpportal.celery import app

    scheduler = LockedScheduler(app=app, schedule_filename=str(tmp_path / "schedule"), lazy=True)
    scheduler.lock = mock.Mock(hold=mock.Mock(return_value=False))
    with mock.patch("celery.beat.PersistentScheduler.tick") as tick:
        assert scheduler.tick() == STANDBY_INTERVAL
    tick.assert_not_called()
    scheduler.lock.hold.return_value = True
    with mock.patch("celery.beat.PersistentScheduler.tick", return_value=1.0) as tick:
        assert scheduler.tick() == 1.0
    tick.assert_called_once()
