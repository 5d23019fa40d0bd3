#!/usr/bin/env bash
# CI: the production mode, end to end. On PostgreSQL (a database of its own) and Redis: `make
# serve` with DJANGO_DEBUG=0 (gunicorn, whitenoise's hashed static files) in the background, a
# real Celery worker and Celery beat, the demo loaded; then the browser journeys marked `production` run against
# that server (sign-in with TOTP, scorecard, an import confirmed, a readiness draft saved, the API
# with a token, an error page) and a crawl of every page a signed-in demo user can reach (200 and
# a Content-Security-Policy on each). Everything started here is stopped on exit.
#
#   PRODUCTION_PORT (8110)   PRODUCTION_REDIS_URL (redis://127.0.0.1:6379/10)
#   PRODUCTION_PG (postgres://postgres@127.0.0.1:5432, the server; the database is created here)
set -euo pipefail
cd "$(dirname "$0")/.."
export CI=true
started=$(date +%s)

port="${PRODUCTION_PORT:-8110}"
redis_url="${PRODUCTION_REDIS_URL:-redis://127.0.0.1:6379/10}"
pg="${PRODUCTION_PG:-postgres://postgres@127.0.0.1:5432}"
db="ahp_prodj_$$"
work="$(mktemp -d)"
base_url="http://127.0.0.1:$port"

server_pid=""
demo_pid=""
worker_pid=""
beat_pid=""
cleanup() {
  status=$?
  [ -n "$demo_pid" ] && kill "$demo_pid" 2>/dev/null || true
  # Each was started with setsid: stop its whole process group (make, gunicorn and its workers;
  # celery and its pool), politely first.
  for pid in $server_pid $worker_pid $beat_pid; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  for _ in $(seq 1 30); do
    alive=""
    for pid in $server_pid $worker_pid $beat_pid; do kill -0 -- "-$pid" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && break
    sleep 1
  done
  for pid in $server_pid $worker_pid $beat_pid; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  if [ "$status" -ne 0 ]; then
    echo "--- server log (last 60 lines)"; tail -n 60 "$work/serve.log" 2>/dev/null || true
    echo "--- worker log (last 40 lines)"; tail -n 40 "$work/worker.log" 2>/dev/null || true
    echo "--- beat log (last 20 lines)"; tail -n 20 "$work/beat.log" 2>/dev/null || true
  fi
  psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
  .venv/bin/python - "$redis_url" <<'PY' 2>/dev/null || true
import sys, redis
redis.Redis.from_url(sys.argv[1]).flushdb()
PY
  rm -rf "$work"
  echo "--- production journeys: exit $status after $(( $(date +%s) - started )) s"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

make install

export DJANGO_DEBUG=0
DJANGO_SECRET_KEY="ci-$(head -c 48 /dev/urandom | base64 | tr -d '/+=')"
export DJANGO_SECRET_KEY
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
# Plain http on loopback: no HTTPS redirect, cookies without the Secure flag (both documented
# for `make serve`); everything else is the production configuration.
export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0
export DATABASE_URL="$pg/$db"
export CELERY_BROKER_URL="$redis_url" CACHE_URL="$redis_url"
export DJANGO_MEDIA_ROOT="$work/media"  # shared by the web server and the worker
export EMAIL_URL=consolemail:// GUNICORN_WORKERS=2 DJANGO_LOG_FORMAT=json

echo "--- PostgreSQL database $db, Redis $redis_url"
psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db" >/dev/null
psql "$pg/postgres" -qc "CREATE DATABASE $db" >/dev/null
.venv/bin/python - "$redis_url" <<'PY'
import sys, redis
redis.Redis.from_url(sys.argv[1]).flushdb()
PY

# Migrate first, so that the demo loads while `make serve` starts (its own migrate finds nothing
# to do): the two overlap instead of queueing, about 15 s.
echo "--- migrate"
.venv/bin/python manage.py migrate --noinput >"$work/migrate.log" 2>&1 || { tail -n 40 "$work/migrate.log"; exit 1; }

echo "--- make serve on $base_url (DJANGO_DEBUG=0), and load the demo meanwhile"
setsid make serve PORT="$port" >"$work/serve.log" 2>&1 &
server_pid=$!
# load_demo refuses DEBUG=0 (it makes users with a known password): run it alone with DEBUG on,
# on the same database; its recomputes run in-process.
DJANGO_DEBUG=1 CELERY_BROKER_URL= .venv/bin/python manage.py load_demo >"$work/demo.log" 2>&1 &
demo_pid=$!

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds=$1 what=$2; shift 2
  for _ in $(seq 1 "$seconds"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || { echo "make serve stopped"; return 1; }
    sleep 1
  done
  echo "timed out after $seconds s waiting for $what"; return 1
}
wait_for 300 "the server" curl -sf -o /dev/null "$base_url/accounts/login/"

echo "--- a Celery worker and Celery beat (after make serve's migrations)"
setsid .venv/bin/celery -A ahpportal worker --pool=solo --loglevel=INFO --hostname="ci-$$@%h" \
  >"$work/worker.log" 2>&1 &
worker_pid=$!
setsid .venv/bin/celery -A ahpportal beat --loglevel=INFO --schedule="$work/celerybeat-schedule" \
  >"$work/beat.log" 2>&1 &
beat_pid=$!

echo "--- the demo loaded"
if ! wait "$demo_pid"; then
  tail -n 60 "$work/demo.log"; exit 1
fi
tail -n 3 "$work/demo.log"
# The nightly full recompute, through the worker, as beat would queue it; wait for it to finish
# (the worker runs one task at a time: a journey's import queued behind it would wait minutes).
echo "--- the nightly full recompute on the worker"
.venv/bin/python manage.py shell -c '
import sys, time
from dashboard.models import RecomputeRun
from dashboard.tasks import recompute_all
full = RecomputeRun.objects.filter(kind=RecomputeRun.Kind.FULL)
before = max(full.values_list("pk", flat=True), default=0)
recompute_all.delay()
started = time.monotonic()
while time.monotonic() - started < 900:
    run = full.filter(pk__gt=before).order_by("pk").first()
    if run and run.status in (RecomputeRun.Status.SUCCEEDED, RecomputeRun.Status.FAILED):
        print(f"run {run.pk} {run.status} after {time.monotonic() - started:.0f} s")
        sys.exit(run.status != RecomputeRun.Status.SUCCEEDED)
    time.sleep(2)
sys.exit("timed out after 900 s waiting for the full recompute on the worker")
'

echo "--- wait for /healthz to report every check ok"
healthy() { curl -sf "$base_url/healthz" | grep -q '"status": "ok"'; }
if ! wait_for 600 "/healthz" healthy; then curl -s "$base_url/healthz"; exit 1; fi
curl -s "$base_url/healthz"; echo

echo "--- browser journeys and crawl against $base_url"
# Two pytest-xdist processes, each with its own browser: the server, the worker and the browsers
# share the two cores instead of waiting on one another in turn.
PRODUCTION_BASE_URL="$base_url" .venv/bin/python -m pytest -m production -p no:cacheprovider \
  -n 2 tests/browser/test_production_journeys.py
