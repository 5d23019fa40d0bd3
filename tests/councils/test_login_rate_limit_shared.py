"""Failed-login rate limits hold across processes when CACHE_URL is set: allauth counts attempts
in Django's default cache, and CACHE_URL makes that cache the shared one (Redis)."""

import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import redis_url_for

ROOT = Path(__file__).resolve().parents[2]
# This xdist worker's own Redis database: the worker-fault tests empty theirs (FLUSHDB) while
# they run, so a shared one could lose this test's failed-login count mid-test.
REDIS_URL = redis_url_for(os.environ.get("PYTEST_XDIST_WORKER", "master"))


def _django(code: str, **env) -> str:
    """Run ``code`` in a fresh Python process with Django set up; its stdout."""
    script = "import django; django.setup()\n" + code
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "DJANGO_DEBUG")},
        "DJANGO_SETTINGS_MODULE": "ahpportal.settings",
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_cache_url_makes_the_shared_cache_the_default_one():
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    assert _django(code) == "django.core.cache.backends.locmem.LocMemCache"  # one process only
    shared = _django(code, CACHE_URL=REDIS_URL)
    assert shared == "django.core.cache.backends.redis.RedisCache"


def test_allauth_counts_failed_logins_in_the_default_cache():
    from allauth.core.internal import ratelimit
    from django.core import cache

    assert ratelimit.cache is cache.cache  # the proxy to caches["default"]


@pytest.fixture
def redis_cache(settings):
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        if os.environ.get("CI"):
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield prefix
    # Only this test's keys: clear() would empty the Redis database other tests may be using.
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)


def test_another_process_sees_the_failed_logins_and_refuses(client, make_user, redis_cache):
    email = "p@example.test"
    make_user(email=email)
    for _ in range(5):
        client.post("/accounts/login/", {"login": email, "password": "wrong"})
    # A second process (another gunicorn worker, another container) on the same CACHE_URL reads
    # the same count: allauth's check before authenticating refuses this address there too.
    seen = _django(
        "from django.core.cache import cache\n"
        "from django.core.exceptions import ValidationError\n"
        "from django.test import RequestFactory\n"
        "from allauth.account.adapter import get_adapter\n"
        f"cache.key_prefix = {redis_cache!r}\n"
        "request = RequestFactory().post('/accounts/login/')\n"
        "try:\n"
        f"    get_adapter(request).pre_authenticate(request, email={email!r})\n"
        "    print('allowed')\n"
        "except ValidationError as error:\n"
        "    print('refused:', error.messages[0])",
        CACHE_URL=REDIS_URL,
    )
    assert seen.startswith("refused: Too many failed login attempts"), seen


def test_without_the_shared_cache_another_process_would_not_know(client, make_user, settings):
    # The reason CACHE_URL matters: with the default per-process cache, a fresh process has
    # no count and lets the address try again.
    make_user(email="p@example.test")
    for _ in range(5):
        client.post("/accounts/login/", {"login": "p@example.test", "password": "wrong"})
    seen = _django(
        "from django.test import RequestFactory\n"
        "from allauth.account.adapter import get_adapter\n"
        "request = RequestFactory().post('/accounts/login/')\n"
        "get_adapter(request).pre_authenticate(request, email='p@example.test')\n"
        "print('allowed')"
    )
    assert seen == "allowed"
