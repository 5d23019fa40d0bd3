"""AHP Portal settings, read from the environment (django-environ).

Development defaults need nothing set: SQLite in ``db.sqlite3``, tasks run in-process, emails on the
console. With ``DJANGO_DEBUG=0`` the secure defaults apply and a secret key and allowed hosts must
be given; a bad value stops start-up with an ``ImproperlyConfigured`` error.
"""

import sys
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env")  # optional; real environment variables win

DEBUG = env.bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list(
        "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"]
    )
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a random string of 50+ characters.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "csp",
    "auditlog",
    "councils",
    "workforce",
    "dashboard",
    "readiness",
    "delivery",
]

MIDDLEWARE = [
    "ahpportal.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before whitenoise, so the static files it answers carry the policy too.
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "ahpportal.body_limits.JsonBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "auditlog.middleware.AuditlogMiddleware",  # the signed-in user is the audit log's actor
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "councils.middleware.RequireMFAMiddleware",
]

ROOT_URLCONF = "ahpportal.urls"
WSGI_APPLICATION = "ahpportal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "councils.context_processors.my_organisations",
            ],
        },
    },
]


def _process_role(argv: list[str]) -> str:
    """ "worker" or "beat" for `celery ... worker` / `celery ... beat`, else "web"."""
    program = Path(argv[0]) if argv else Path()
    if "celery" in (program.name, program.parent.name):
        return next((arg for arg in argv[1:] if arg in ("worker", "beat")), "web")
    return "web"


# What this process is: PostgreSQL sessions carry it as their application_name, so an operator
# (or pg_stat_activity) tells the worker's connections from the web's and beat's.
PROCESS_ROLE = env("AHP_PROCESS_ROLE", default=_process_role(sys.argv))

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and IMMEDIATE transactions let the web process and in-process jobs share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = PROCESS_ROLE
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# How long the dashboard pages' computed figures are kept (dashboard/page_cache.py): a recompute
# makes them unreachable at once (the key holds the store's version); this only frees memory.
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=24 * 3600)

AUTH_USER_MODEL = "councils.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: email login, no open sign-up (users join by invitation), TOTP MFA.
ACCOUNT_ADAPTER = "councils.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
# Failed logins: at most 10 a minute per IP and 5 per 5 minutes per email address.
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "AHP Portal"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
# Sentence case for django-allauth's Title Case headings, buttons and labels (locale/en_GB)
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
# collectstatic writes here and whitenoise serves from here (DJANGO_STATIC_ROOT: e.g. a temporary
# directory for the load bench's server, so the checkout gets no staticfiles/).
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "ahpportal.staticfiles.AppDirectoriesFinder",  # Django's, less a bundle no page serves
]
# Source maps are for a developer's browser tools: served as they are, not compressed at every
# production start (whitenoise compresses everything else with gzip and Brotli).
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# Meeting papers (delivery.Paper): a private directory with no URL, served only by the paper's
# download view after its scope check; and the largest paper accepted, in bytes.
MEETING_PAPERS_ROOT = env.path("MEETING_PAPERS_ROOT", default=BASE_DIR / "private" / "papers")
MEETING_PAPER_MAX_BYTES = env.int("MEETING_PAPER_MAX_BYTES", default=10 * 1024 * 1024)
# Uploaded workforce files are kept only until the import is confirmed; unconfirmed previews
# are deleted this many days after the upload (workforce.tasks.purge_stored_files, nightly).
IMPORT_PREVIEW_RETENTION_DAYS = env.int("IMPORT_PREVIEW_RETENTION_DAYS", default=7)

# How long the figures of past snapshots are kept for `as_at` pulls of the API (days); the
# nightly prune deletes figure versions that were replaced before then.
SNAPSHOT_RETENTION_DAYS = env.int("SNAPSHOT_RETENTION_DAYS", default=400)

# Statistical process control (dashboard/spc.py): consecutive rises (or falls) that make a
# trend. NHSRplotthedots uses 7; the Making Data Count Excel tool allows 6.
SPC_TREND_LENGTH = env.int("SPC_TREND_LENGTH", default=7)

# Uploads larger than this many bytes spill to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# The upload's own size, and what a gzip-compressed CSV may expand to (England's 24-month
# staff_month file is 109 MB as CSV, 12 MB compressed). Uploads are streamed to disk and read
# row by row; what grows with a file is the importer's record of the keys it has read (for
# duplicates), so the limit is where the worst file stays under 300 MB of memory: 128 MB of
# staff rows (1.1 million people) peaks at 254 MB (bench_import, tests of issue 16).
WORKFORCE_MAX_UPLOAD_BYTES = env.int("WORKFORCE_MAX_UPLOAD_BYTES", default=128 * 1024 * 1024)
# What the parts of an XLSX workbook may expand to in all (zip bombs; as before the limit rose).
WORKFORCE_MAX_UNCOMPRESSED_BYTES = env.int(
    "WORKFORCE_MAX_UNCOMPRESSED_BYTES", default=1000 * 1024 * 1024
)

if DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="AHP Portal <no-reply@ahp-portal.invalid>")

# Celery. No broker configured: tasks run eagerly in-process (after the queuing transaction
# commits, because every task is queued with transaction.on_commit).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Recompute runs (dashboard/leases.py). A worker holds a run on a lease it renews every
# RECOMPUTE_HEARTBEAT_SECONDS; a run whose lease lapsed (worker killed, database connection lost)
# is taken over by the next worker within a minute and redone from the start. A failed attempt
# is tried again after RECOMPUTE_RETRY_BACKOFF_SECONDS, then four times that, and shown as
# failed after RECOMPUTE_MAX_ATTEMPTS. RECOMPUTE_SOFT_TIME_LIMIT / RECOMPUTE_TIME_LIMIT: a
# recompute taking longer is stopped (soft: rolled back and retried; hard: the process is killed
# and the lease lapses), so a hung run cannot hold the store's lock for ever.
RECOMPUTE_LEASE_SECONDS = env.int("RECOMPUTE_LEASE_SECONDS", default=60)
RECOMPUTE_HEARTBEAT_SECONDS = env.float("RECOMPUTE_HEARTBEAT_SECONDS", default=10)
RECOMPUTE_MAX_ATTEMPTS = env.int("RECOMPUTE_MAX_ATTEMPTS", default=3)
RECOMPUTE_RETRY_BACKOFF_SECONDS = env.int("RECOMPUTE_RETRY_BACKOFF_SECONDS", default=30)
RECOMPUTE_SOFT_TIME_LIMIT = env.int("RECOMPUTE_SOFT_TIME_LIMIT", default=15 * 60)
RECOMPUTE_TIME_LIMIT = env.int("RECOMPUTE_TIME_LIMIT", default=20 * 60)
# Fault-injection tests only (tests/dashboard/test_worker_faults.py): each attempt waits this
# many seconds after writing its figures, before it commits, so a test can kill it mid-run.
RECOMPUTE_TEST_PAUSE_SECONDS = env.float("RECOMPUTE_TEST_PAUSE_SECONDS", default=0)
# Workers record a heartbeat this often while they can reach the broker; the run page says "no
# worker is running" when none is newer than three of these.
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", default=30)
# Redis hands an unacknowledged message to another worker after this many seconds: it must be
# longer than the longest task, or a long recompute would be started twice.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 3600)
if RECOMPUTE_LEASE_SECONDS < 3 * RECOMPUTE_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "RECOMPUTE_LEASE_SECONDS must be at least three times RECOMPUTE_HEARTBEAT_SECONDS."
    )
if not RECOMPUTE_SOFT_TIME_LIMIT < RECOMPUTE_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "Time limits: RECOMPUTE_SOFT_TIME_LIMIT < RECOMPUTE_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "socket_timeout": 2,
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
}
# Every task is stopped after these (seconds); the recompute tasks have their own, above.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=5 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=6 * 60)
CELERY_TASK_ANNOTATIONS = {
    name: {"soft_time_limit": RECOMPUTE_SOFT_TIME_LIMIT, "time_limit": RECOMPUTE_TIME_LIMIT}
    for name in (
        "dashboard.tasks.recompute_run",
        "dashboard.tasks.recompute_all",
        "dashboard.tasks.run_pending",
    )
}
# One beat: the scheduler sends only while it holds a lock in Redis (ahpportal/beat.py); a second
# beat process stands by and takes over within BEAT_LOCK_SECONDS of the first stopping.
CELERY_BEAT_SCHEDULER = "ahpportal.beat:LockedScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 10
BEAT_LOCK_SECONDS = env.int("BEAT_LOCK_SECONDS", default=60)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    # A worker running this shows /healthz that tasks are being consumed (councils/health.py).
    "worker-heartbeat": {"task": "councils.tasks.worker_heartbeat", "schedule": 60.0},
    "nightly-full-recompute": {
        "task": "dashboard.tasks.recompute_all",
        "schedule": crontab(hour=2, minute=30),
    },
    # Runs whose lease lapsed, and runs left pending while the broker was down, are queued
    # again (dashboard.services.recover_runs).
    "recompute-recover": {
        "task": "dashboard.tasks.recover_runs",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # Figure versions closed before the retention period (SNAPSHOT_RETENTION_DAYS) go.
    "prune-snapshots": {
        "task": "dashboard.tasks.prune_snapshots",
        "schedule": crontab(hour=3, minute=0),
    },
    "purge-import-files": {
        "task": "workforce.tasks.purge_stored_files",
        "schedule": crontab(hour=3, minute=15),
    },
    # Idempotent: each submission gets each reminder once, so a second run sends nothing.
    "readiness-due-reminders": {
        "task": "readiness.tasks.send_due_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
}

# The analyst REST API (ahpportal/api/). Throttle rates come from the environment:
# API_THROTTLE_TOKEN (per API token) and API_THROTTLE_SESSION (per signed-in browser user),
# e.g. "1200/hour".
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "ahpportal.api.schema.ProblemAutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ahpportal.api.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "ahpportal.api.renderers.CSVRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "ahpportal.api.negotiation.ProblemContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "ahpportal.api.pagination.CursorPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "ahpportal.api.exceptions.problem_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "ahpportal.api.throttling.TokenRateThrottle",
        "ahpportal.api.throttling.SessionRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env("API_THROTTLE_TOKEN", default="1200/hour"),
        "session": env("API_THROTTLE_SESSION", default="1200/hour"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "URL_FORMAT_OVERRIDE": "format",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "AHP Portal API",
    "DESCRIPTION": (
        "Read the AHP Quality Dashboard, readiness toolkits and delivery plans.\n\n"
        "**Authentication**: create a personal token on your account page (API tokens) and send "
        "it as `Authorization: Bearer <token>`. Tokens are for people holding the analyst or the "
        "data manager role: every read is limited to the organisations where you hold the "
        "analyst role (and everything below them), and a workforce import to those where you "
        "hold the data manager role. Anything outside that scope answers 404, exactly as if it "
        "did not exist.\n\n"
        "**Formats**: JSON by default; add `?format=csv` (or send `Accept: text/csv`) to any "
        "list to stream every matching row as CSV, without pagination.\n\n"
        "**Pagination**: lists are cursor-paginated; follow `next` until it is null. "
        "`page_size` takes up to 1000.\n\n"
        "**Caching**: responses, streamed CSV included, carry an `ETag`; send it back as "
        "`If-None-Match` to get `304 Not Modified` when nothing changed, which lists answer "
        "without reading their rows. `Last-Modified` is sent where one time covers every "
        "change (metric values: when the latest recompute finished).\n\n"
        "**Errors** are RFC 9457 problem details (`application/problem+json`).\n\n"
        "**Small numbers**: values resting on fewer than 5 people are returned as null with "
        "`suppressed: true` for organisations other than your own."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # one name for a choice set that several fields use (a body's kind on bodies and meetings)
    "ENUM_NAME_OVERRIDES": {"BodyKindEnum": "councils.models.Body.Kind"},
    "DISABLE_ERRORS_AND_WARNINGS": False,
    # Swagger UI and Redoc served from drf-spectacular-sidecar: no CDN, works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Logs go to stderr, one line a record, each with the request id (ahpportal/request_id.py).
# DJANGO_LOG_FORMAT=json writes JSON objects instead (python-json-logger), for log collectors.
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT must be 'text' or 'json'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ahpportal.request_id.RequestIdFilter"}},
    "formatters": {
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # Cookies go only over HTTPS. DJANGO_SECURE_COOKIES=0 (with DJANGO_SECURE_SSL_REDIRECT=0) is
    # for serving over plain http on this machine only, e.g. `make serve` without a TLS proxy.
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp) on every response, DEBUG on or off: only this origin's
# files, no inline script or style anywhere. Pages put JavaScript in files under static/ and CSS
# in the stylesheets (tests/browser fail on any violation Chromium reports).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # NHS.UK frontend's icons and allauth's TOTP QR code are data: URIs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

FORM_RENDERER = "councils.forms_renderer.NHSUKFormRenderer"
