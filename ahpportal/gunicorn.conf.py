"""gunicorn settings for `make serve` and the Docker image, read from the environment.

GUNICORN_BIND (default 127.0.0.1:$PORT, PORT defaulting to 8000), GUNICORN_WORKERS (default two
per CPU plus one), GUNICORN_THREADS (1), GUNICORN_TIMEOUT (120 seconds: a worker silent this long
is killed and restarted; uploads of 50 MB are checked inside the request), GUNICORN_GRACEFUL_TIMEOUT
(30 seconds to finish requests in flight on a restart or stop), GUNICORN_MAX_REQUESTS (1000, then a
worker is replaced, with jitter, so no slow leak can grow), GUNICORN_FORWARDED_ALLOW_IPS (proxies
whose X-Forwarded-* headers are trusted; default 127.0.0.1).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Requests are logged on stdout, errors on stderr; each access line carries the request id
# (ahpportal.request_id), so it can be matched with the application's log lines.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s "%(a)s"'
# Heartbeat files in memory, not on a (possibly slow, possibly read-only) container disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# The application is loaded once in the master, so a bad setting stops start-up at once.
preload_app = True
# gunicorn's control socket (`gunicornc`) is not used; without this every server on the machine
# would share ~/.gunicorn/gunicorn.ctl.
control_socket_disable = True
