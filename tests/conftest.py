"""Shared fixtures: a small organisation tree and people placed in it.

Like healthchecks' alice/bob/charlie, every test can ask "and the sibling?":

    England (ENG)
    ├── North East and Yorkshire (Y63)
    │   ├── South Yorkshire and Bassetlaw (QF7)
    │   │   ├── Doncaster (QF7-DON): RP5, RXE
    │   │   └── Sheffield (QF7-SHE): RHQ
    │   └── West Yorkshire (QWO)
    │       └── Leeds (QWO-LEE): RR8
    └── London (Y56)
        └── North Central London (QMJ)
            └── Camden (QMJ-CAM): RAL
"""

import contextlib
import importlib
import os
import socket
from urllib.parse import urlsplit, urlunsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.core.management import call_command

from councils.demo import DEMO_TOTP_SECRET
from councils.models import Level, Membership, Organisation, User
from councils.scoping import forget_scope
from councils.tree import organisation_ensure

TREE = [
    # code, name, level, parent code
    ("ENG", "NHS England", Level.ENGLAND, None),
    ("Y63", "North East and Yorkshire", Level.REGION, "ENG"),
    ("Y56", "London", Level.REGION, "ENG"),
    ("QF7", "South Yorkshire and Bassetlaw Integrated Care System", Level.ICS, "Y63"),
    ("QWO", "West Yorkshire Integrated Care System", Level.ICS, "Y63"),
    ("QMJ", "North Central London Integrated Care System", Level.ICS, "Y56"),
    ("QF7-DON", "Doncaster", Level.PLACE, "QF7"),
    ("QF7-SHE", "Sheffield", Level.PLACE, "QF7"),
    ("QWO-LEE", "Leeds", Level.PLACE, "QWO"),
    ("QMJ-CAM", "Camden", Level.PLACE, "QMJ"),
    (
        "RP5",
        "Doncaster and Bassetlaw Teaching Hospitals NHS Foundation Trust",
        Level.PROVIDER,
        "QF7-DON",
    ),
    ("RXE", "Rotherham Doncaster and South Humber NHS Foundation Trust", Level.PROVIDER, "QF7-DON"),
    ("RHQ", "Sheffield Teaching Hospitals NHS Foundation Trust", Level.PROVIDER, "QF7-SHE"),
    ("RR8", "Leeds Teaching Hospitals NHS Trust", Level.PROVIDER, "QWO-LEE"),
    ("RAL", "Royal Free London NHS Foundation Trust", Level.PROVIDER, "QMJ-CAM"),
]


def _reload_reference_data():
    """Rows that data migrations load (the 15 professions, the readiness templates)."""
    from django.apps import apps

    from readiness.loading import load_templates
    from readiness.models import Question, Section, Template

    importlib.import_module("workforce.migrations.0002_professions").add_professions(apps, None)
    load_templates(Template, Section, Question)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create hundreds of users: hash their passwords quickly (never in production)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request, django_db_blocker):
    """A transactional test (browser, real worker, PostgreSQL concurrency) ends by flushing the
    database, which drops the rows data migrations load. Put them back before it (an earlier
    one flushed them) and again after its flush, for the tests that follow in the same process:
    pytest-django runs transactional tests after the others, but pytest-xdist's work stealing
    can hand a process more ordinary tests after it has run some transactional ones."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        if marker or "db" in request.fixturenames:  # after a flush in this process: reload
            request.getfixturevalue("db")
            from workforce.models import Profession

            if not Profession.objects.exists():
                _reload_reference_data()
        yield
        return
    request.getfixturevalue("transactional_db")  # torn down (flushed) before this fixture
    _reload_reference_data()
    yield
    with django_db_blocker.unblock():
        _reload_reference_data()


class Tree(dict):
    """Organisations of the test tree by code: ``tree["RP5"]``."""

    def refresh(self):
        for org in self.values():
            org.refresh_from_db()


@pytest.fixture
def tree(db):
    orgs = Tree()
    for code, name, level, parent in TREE:
        parent_org = orgs[parent] if parent else None
        orgs[code] = organisation_ensure(parent=parent_org, code=code, name=name, level=level)
    orgs.refresh()
    return orgs


@pytest.fixture
def make_user(db):
    """``make_user("viewer", org)`` makes a user holding that role there (roles may be a list)."""
    counter = {"n": 0}

    def make(roles=(), org=None, *, email=None, password="correct horse battery", **extra):
        counter["n"] += 1
        email = email or f"user{counter['n']}@example.test"
        user = User.objects.create_user(email, password, **extra)
        if isinstance(roles, str):
            roles = [roles]
        for role in roles:
            Membership.objects.create(user=user, organisation=org, role=role)
        if "org_admin" in roles or extra.get("is_superuser"):
            TOTP.activate(user, DEMO_TOTP_SECRET)  # MFA is required for admins
        forget_scope(user)
        return user

    return make


@pytest.fixture
def client_for(client, make_user):
    """``client_for("chair", org)``: a test client signed in as a new user with that role."""
    from django.test import Client

    def make(roles=(), org=None, **kwargs):
        user = make_user(roles, org, **kwargs)
        c = Client()
        c.force_login(user)
        c.user = user
        return c

    return make


@pytest.fixture
def england_tree(db):
    """The real tree from councils/seed_data/england.json."""
    call_command("load_tree", verbosity=0)
    return {org.code: org for org in Organisation.objects.all()}


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path_factory):
    """Stored uploads and error reports go to a temporary MEDIA_ROOT, never the checkout's
    ``media/`` (two xdist workers could otherwise write the same ``imports/<run id>/`` path)."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.MEETING_PAPERS_ROOT = tmp_path_factory.mktemp("papers")


@pytest.fixture(autouse=True)
def no_collected_static_files(settings):
    """Tests see no ``staticfiles/`` (as in a fresh clone), also after a ``make serve``
    collected it: WhiteNoise indexes STATIC_ROOT each time a test client builds the middleware,
    which made every test that makes clients three times slower (47 s of the isolation
    matrix's 80 s)."""
    settings.STATIC_ROOT = settings.BASE_DIR / "tests" / "no-staticfiles"


# The real Celery worker's Redis: TEST_REDIS_URL names the database of the first pytest-xdist
# worker (gw0); gwN uses that number + N, so parallel workers never share a queue or results.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def redis_url_for(worker_id: str, base_url: str = TEST_REDIS_URL) -> str:
    """``redis_url_for("gw1")`` -> ``redis://127.0.0.1:6379/15``; "master" (no xdist) -> base."""
    parts = urlsplit(base_url)
    base_db = int(parts.path.lstrip("/") or 0)
    index = int(worker_id.removeprefix("gw")) if worker_id.startswith("gw") else 0
    db = base_db + index
    if db > 15:
        raise ValueError(
            f"pytest-xdist worker {worker_id} would use Redis database {db} (base {base_db}); "
            "Redis has 0-15: run fewer workers or set TEST_REDIS_URL to a lower database"
        )
    return urlunsplit(parts._replace(path=f"/{db}"))


def _redis_up(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _forget_connections(app) -> None:
    """Drop the app's cached broker pools and result backend (made for the previous settings)."""
    app._after_fork()
    app._backend_cache = None
    app._local.backend = None


@contextlib.contextmanager
def celery_on_redis(app, url: str, *, result_backend: bool = False):
    """Point the Celery app at Redis ``url`` (tasks no longer run eagerly), then back. The Django
    settings' names: with the CELERY namespace, ``conf.update(broker_url=...)`` would not override
    CELERY_BROKER_URL; and the pools cached by eager tasks before are dropped."""
    keys = {"CELERY_BROKER_URL": url, "CELERY_TASK_ALWAYS_EAGER": False}
    if result_backend:
        keys["CELERY_RESULT_BACKEND"] = url
    saved = {k: app.conf.get(k) for k in keys}
    app.conf.update(keys)
    _forget_connections(app)
    assert app.conf.broker_url == url and not app.conf.task_always_eager
    try:
        yield app
    finally:
        app.conf.update(saved)
        _forget_connections(app)


@pytest.fixture
def redis_worker():
    """A real Celery worker (a thread with the solo pool) consuming from this xdist worker's own
    Redis database. Where Redis is down the test skips, except under CI, where it fails. The
    worker gets a minute to stop: its event loop can take a while to notice it should stop after
    a task that used the database."""
    from celery.contrib.testing.worker import start_worker

    from ahpportal.celery import app

    url = redis_url_for(os.environ.get("PYTEST_XDIST_WORKER", "master"))
    if not _redis_up(url):
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not running at {url}")
        pytest.skip(f"Redis is not running at {url}")
    with (
        celery_on_redis(app, url, result_backend=True),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=60),
    ):
        yield app


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache: failed-login and API rate limits counted by one test
    (in the same xdist process) must not refuse another test's sign-in."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    # Only the in-process cache: the production journeys point CACHE_URL at the Redis database
    # their server and worker share, which a test must not empty.
    cache = caches["default"]
    local = isinstance(cache, LocMemCache)
    if local:
        cache.clear()
    yield
    if local:
        cache.clear()


# ------------------------------------------------------------------ PostgreSQL between tests
# A test's rows are rolled back, but on PostgreSQL they stay in the tables as dead rows until a
# VACUUM, and this machine's server runs with autovacuum off: over a run the figure tables grew
# to 450 MB of dead rows (1.7 million), and every later scan of them read it all. After a
# database test, a table with DEAD_ROWS more dead rows than its last VACUUM left is vacuumed
# (one catalogue query a test; a VACUUM every few dozen tests). Dead rows a VACUUM cannot
# remove yet (another connection's snapshot still sees them) do not make every test vacuum.
DEAD_ROWS = 100_000
DB_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}
_left_dead: dict[str, int] = {}  # table: dead rows its last VACUUM left


def pytest_addoption(parser):
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="Run only the tests that use the database (CI's second database run: a test "
        "that never touches the database runs the same on SQLite and PostgreSQL).",
    )


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--database-tests-only"):
        return
    keep, drop = [], []
    for item in items:
        # pytest-django's database fixtures all go through _django_db_helper
        uses = "_django_db_helper" in getattr(item, "fixturenames", ()) or (
            item.get_closest_marker("django_db") is not None
        )
        (keep if uses else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if not DB_FIXTURES & set(getattr(item, "fixturenames", ())):
        return
    from django.db import connection
    from pytest_django.plugin import blocking_manager_key

    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    if not connection.settings_dict["NAME"].startswith("test_"):
        return  # skipped before the test database was set up
    dead_rows = (
        "SELECT quote_ident(schemaname) || '.' || quote_ident(relname), n_dead_tup "
        "FROM pg_stat_user_tables WHERE n_dead_tup > %s"
    )
    with item.config.stash[blocking_manager_key].unblock(), connection.cursor() as cursor:
        cursor.execute(dead_rows, [DEAD_ROWS])
        bloated = [
            name for name, dead in cursor.fetchall() if dead > _left_dead.get(name, 0) + DEAD_ROWS
        ]
        if bloated:
            cursor.execute(f"VACUUM {', '.join(bloated)}")
            cursor.execute(dead_rows, [-1])
            _left_dead.update((name, dead) for name, dead in cursor.fetchall() if name in bloated)
