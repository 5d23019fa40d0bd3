"""One Celery beat at a time: the scheduler sends tasks only while it holds a lock in Redis.

``CELERY_BEAT_SCHEDULER`` names :class:`LockedScheduler`. Each tick takes or renews the lock
(``BEAT_LOCK_SECONDS``); a second beat process (a second host, a scaled compose service, a beat
left running by a deploy) finds it held and stands by, sending nothing, and takes over within
``BEAT_LOCK_SECONDS`` when the first stops. With a broker that is not Redis, no lock is taken.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import uuid

from celery.beat import PersistentScheduler

logger = logging.getLogger(__name__)

LOCK_KEY = "ahp-portal:beat-lock"
STANDBY_INTERVAL = 5.0

# Take the lock if free, or renew it if ours: one atomic step.
_TAKE_OR_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class BeatLock:
    """A lock in Redis that expires unless renewed: ``hold()`` takes or renews it."""

    def __init__(self, url: str, *, seconds: float, key: str = LOCK_KEY):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.key = key
        self.ttl_ms = int(seconds * 1000)
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"

    def hold(self) -> bool:
        from redis.exceptions import RedisError

        try:
            return bool(self.client.eval(_TAKE_OR_RENEW, 1, self.key, self.token, self.ttl_ms))
        except RedisError as error:
            logger.warning("beat: the lock in Redis cannot be checked: %s", error)
            return False

    def release(self) -> None:
        from redis.exceptions import RedisError

        with contextlib.suppress(RedisError):
            self.client.eval(_RELEASE, 1, self.key, self.token)


class LockedScheduler(PersistentScheduler):
    """The default scheduler (schedule kept in a file), ticking only while it holds the lock."""

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        url = self.app.conf.broker_url or ""
        self.lock = (
            BeatLock(url, seconds=settings.BEAT_LOCK_SECONDS)
            if url.startswith(("redis://", "rediss://"))
            else None
        )
        self.holding = None

    def tick(self, *args, **kwargs):
        if self.lock is not None:
            held = self.lock.hold()
            if held != self.holding:
                logger.warning(
                    "beat: %s",
                    "holding the lock: sending the schedule"
                    if held
                    else "another beat holds the lock: standing by",
                )
                self.holding = held
            if not held:
                return STANDBY_INTERVAL
        return min(super().tick(*args, **kwargs), STANDBY_INTERVAL * 2)

    def close(self):
        super().close()
        if self.lock is not None and self.holding:
            self.lock.release()
