"""The portal under load (issue 16): the production server driven by signed-in users.

What runs:

* **the server** as ``make serve`` runs it: ``collectstatic`` (hashed, compressed names) into a
  temporary ``DJANGO_STATIC_ROOT`` (removed at the end: no ``staticfiles/`` is left in the
  checkout), then gunicorn with ``ahpportal/gunicorn.conf.py`` and 2 workers, ``DJANGO_DEBUG=0``,
  a secret key generated for the run, ``DJANGO_ALLOWED_HOSTS=127.0.0.1``, plain http
  (``DJANGO_SECURE_SSL_REDIRECT=0``, ``DJANGO_SECURE_COOKIES=0``), the bench's own
  ``DATABASE_URL`` and cache settings, on a free port of 127.0.0.1. Its access log goes to a
  temporary file. It is stopped (SIGTERM, then SIGKILL after 30 s) whatever happens.
* **the users**: ``BENCH_LOAD_USERS`` (default 50) bench users, ``bench.load.NN@example.test``,
  each an analyst at a region and a viewer at one of its ICSs (the ICSs taken in turn, so the
  50 users spread over England's 42). They are created once, with a password, and reused: a
  run adds nothing to the database but their sessions. Each signs in through the portal's own
  login form (allauth: GET the form, POST the email, password and CSRF token; analysts and
  viewers need no second factor), so every request carries a real session cookie.
* **the load**: a closed loop, no think time: each user is a thread that requests its four pages
  one after the other, as fast as the server answers, for ``BENCH_LOAD_SECONDS`` (default 20)
  at each level (10 users, then 50), after one untimed round per user (templates, connections
  and caches warm, as on a server that has been up for a while):

    1. its ICS's scorecard (``/org/<ICS>/dashboard/``),
    2. its ICS's metric page (sickness absence rate),
    3. its region's scorecard,
    4. an API page: 1,000 metric values of its ICS's subtree, every profession and band group
       (``/api/v1/metric-values/?organisation=<ICS>&subtree=true&...&page_size=1000``).

  Only 127.0.0.1 is ever requested; every request has a 30 s timeout and a level stops by
  itself at its deadline (each user finishes the request it is in), so a run is bounded.

Figures per level: requests per second (requests finished / seconds from the first request to
the last answer), p50 and p95 latency (ms, from sending the request to the last byte of the
answer) over all pages, and errors: any answer other than 200, or no answer. Targets at 50
users: p95 <= 300 ms and >= 150 requests/s, with no error. Each page's p50 and p95 are printed
too, beside its time in the worker (gunicorn's access log: the request's cost to the server,
without the wait for a free worker; the warm-up round's requests included).

The load generator is the standard library's ``http.client`` in threads. A load tool made for
the job was considered: locust brings gevent, Flask, pyzmq and a web UI; wrk and oha are
separate binaries the project would have to install on every machine; ``requests`` is only a
transitive development dependency here. ``http.client`` adds nothing to install and costs the
least CPU per request, which matters on a 2-core machine where the generator shares the cores
with the server it measures (gunicorn's sync workers close each connection, so every request
opens a new one, as a browser's would through a proxy that does not keep connections alive).
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
LEVELS = (10, USERS)
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "20"))
WORKERS = 2
HOST = "127.0.0.1"
TIMEOUT = 30
PASSWORD = "bench-load-Password-1"  # bench users only, in the bench's own data
METRIC = "sickness_absence_rate"
P95_TARGET_MS = 300
RATE_TARGET = 150


# ------------------------------------------------------------------------------------ users
@dataclass
class BenchUser:
    email: str
    ics: str
    region: str
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def urls(self) -> list[tuple[str, str]]:
        api = urlencode(
            {
                "organisation": self.ics,
                "subtree": "true",
                "profession": "*",
                "band_group": "*",
                "page_size": 1000,
            }
        )
        return [
            ("scorecard", f"/org/{self.ics}/dashboard/"),
            ("metric page", f"/org/{self.ics}/dashboard/{METRIC}/"),
            ("region page", f"/org/{self.region}/dashboard/"),
            ("API page", f"/api/v1/metric-values/?{api}"),
        ]


def bench_users(count: int) -> list[BenchUser]:
    """``count`` bench users, each an analyst at a region and a viewer at one of its ICSs;
    created once and reused (idempotent)."""
    from councils.models import Membership, Organisation, User

    icss = list(Organisation.objects.filter(level="ics").order_by("code"))
    users = []
    for i in range(count):
        ics = icss[i % len(icss)]
        region = next(a for a in ics.ancestors() if a.level == "region")
        user, created = User.objects.get_or_create(email=f"bench.load.{i:02d}@example.test")
        if created or not user.has_usable_password():
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.get_or_create(user=user, organisation=region, role="analyst")
        Membership.objects.get_or_create(user=user, organisation=ics, role="viewer")
        users.append(BenchUser(email=user.email, ics=ics.code, region=region.code))
    return users


# ----------------------------------------------------------------------------------- server
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _server_environment(static_root: str, port: int) -> dict[str, str]:
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_STATIC_ROOT=static_root,
        PORT=str(port),
        GUNICORN_BIND=f"{HOST}:{port}",
        GUNICORN_WORKERS=str(WORKERS),
        PYTHONUNBUFFERED="1",
    )
    if "DATABASE_URL" not in env:  # the bench's default SQLite file, named for the server
        env["DATABASE_URL"] = f"sqlite:///{settings.DATABASES['default']['NAME']}"
    return env


def _wait_until_up(port: int, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} before answering")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/accounts/login/")
            status = connection.getresponse().status
            connection.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError("gunicorn did not answer within 60 s")


@contextmanager
def production_server():
    """``make serve``'s server on a free loopback port; yields the port and its log (the access
    log says how long each request took in the worker). Always stopped, and
    its temporary static files removed, however the block ends."""
    python = sys.executable
    workdir = tempfile.mkdtemp(prefix="ahp-bench-load-")
    static_root = os.path.join(workdir, "staticfiles")
    port = _free_port()
    env = _server_environment(static_root, port)
    log = open(os.path.join(workdir, "gunicorn.log"), "wb")  # noqa: SIM115 (closed below)
    process = None
    try:
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        process = subprocess.Popen(
            [
                str(Path(python).with_name("gunicorn")),
                "--config",
                "ahpportal/gunicorn.conf.py",
                "ahpportal.wsgi",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers stop with it
        )
        _wait_until_up(port, process, time.monotonic() + 60)
        print(f"gunicorn ({WORKERS} workers, DEBUG off) on {HOST}:{port}, pid {process.pid}")
        yield port, Path(workdir, "gunicorn.log")
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
        errors = [
            line
            for line in Path(workdir, "gunicorn.log").read_text(errors="replace").splitlines()
            if "Traceback" in line or " ERROR " in line
        ]
        if errors:
            print(f"The server logged {len(errors)} error lines, the first: {errors[0]}")
        shutil.rmtree(workdir, ignore_errors=True)


# ------------------------------------------------------------------------------------- HTTP
def _request(port: int, user: BenchUser, method: str, path: str, body: str | None = None):
    """One request with the user's cookies; stores the cookies the answer sets. Returns
    (status, body, headers)."""
    connection = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    try:
        headers = {"Host": HOST}
        if user.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in user.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                user.cookies[name] = morsel.value
        return response.status, data, response.headers
    finally:
        connection.close()


CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(port: int, user: BenchUser) -> None:
    """Through the login form, as a browser does; raises unless the session is signed in."""
    status, page, _ = _request(port, user, "GET", "/accounts/login/")
    match = CSRF_INPUT.search(page)
    if status != 200 or match is None:
        raise RuntimeError(f"login form for {user.email}: {status}")
    form = urlencode(
        {"csrfmiddlewaretoken": match.group(1).decode(), "login": user.email, "password": PASSWORD}
    )
    status, _, headers = _request(port, user, "POST", "/accounts/login/", form)
    if status != 302 or "sessionid" not in user.cookies:
        raise RuntimeError(f"sign-in of {user.email} answered {status}, no session")


# ------------------------------------------------------------------------------------- load
@dataclass
class Level:
    users: int
    seconds: float
    latencies: dict[str, list[float]]
    errors: list[str]

    @property
    def all_latencies(self) -> list[float]:
        return sorted(t for times in self.latencies.values() for t in times)

    @property
    def requests(self) -> int:
        return len(self.all_latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of sorted ``values`` (0 when there are none)."""
    if not values:
        return 0.0
    return values[min(len(values) - 1, max(0, round(share * len(values)) - 1))]


def run_level(port: int, users: list[BenchUser], seconds: float) -> Level:
    """Every user a thread, requesting its pages in turn until the deadline; one untimed round
    first. Returns the timings and errors."""
    latencies: dict[str, list[float]] = {label: [] for label, _ in users[0].urls}
    errors: list[str] = []
    lock = threading.Lock()
    start_line = threading.Barrier(len(users) + 1)
    window = {"end": 0.0}

    def visit(user: BenchUser, offset: int) -> None:
        urls = user.urls
        for label, url in urls:  # the untimed round: its failures are errors too
            try:
                status = _request(port, user, "GET", url)[0]
            except OSError as error:
                status = type(error).__name__
            if status != 200:
                with lock:
                    errors.append(f"{label} (untimed round): {status}")
        start_line.wait()
        deadline = time.perf_counter() + seconds
        i = offset
        while time.perf_counter() < deadline:
            label, url = urls[i % len(urls)]
            i += 1
            begun = time.perf_counter()
            try:
                status, _, _ = _request(port, user, "GET", url)
            except OSError as error:
                status, problem = None, f"{label}: {type(error).__name__}"
            else:
                problem = None if status == 200 else f"{label}: HTTP {status}"
            took = (time.perf_counter() - begun) * 1000
            with lock:
                latencies[label].append(took)
                window["end"] = max(window["end"], time.perf_counter())
                if problem:
                    errors.append(problem)

    threads = [
        threading.Thread(target=visit, args=(user, i), daemon=True) for i, user in enumerate(users)
    ]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(seconds + TIMEOUT + 5)
    return Level(len(users), max(window["end"] - began, 1e-9), latencies, errors)


ACCESS_LINE = re.compile(r'"GET (\S+) HTTP/1\.[01]" \d+ \S+ (\d+)ms')


def server_times(log: Path, offset: int, users: list[BenchUser]) -> dict[str, list[float]]:
    """Each page's time in the worker (ms, from gunicorn's access log written since ``offset``):
    what a request costs the server, without the wait for a free worker."""
    label_of = {url: label for user in users for label, url in user.urls}
    with open(log, "rb") as file:
        file.seek(offset)
        text = file.read().decode(errors="replace")
    times: dict[str, list[float]] = {}
    for path, ms in ACCESS_LINE.findall(text):
        if path in label_of:
            times.setdefault(label_of[path], []).append(float(ms))
    return times


def report(level: Level, in_worker: dict[str, list[float]]) -> None:
    total = level.all_latencies
    print(
        f"{level.users} users, {level.seconds:.1f} s: {level.requests:,} requests, "
        f"{level.rate:.1f} requests/s, p50 {statistics.median(total) if total else 0:.0f} ms, "
        f"p95 {percentile(total, 0.95):.0f} ms, {len(level.errors)} errors"
    )
    for label, times in level.latencies.items():
        times = sorted(times)
        served = sorted(in_worker.get(label, []))
        print(
            f"    {label:<12} {len(times):>6} requests  p50 "
            f"{statistics.median(times) if times else 0:6.0f} ms  p95 "
            f"{percentile(times, 0.95):6.0f} ms   in the worker: p50 "
            f"{statistics.median(served) if served else 0:5.0f} ms  p95 "
            f"{percentile(served, 0.95):5.0f} ms"
        )
    if level.errors:
        kinds: dict[str, int] = {}
        for problem in level.errors:
            kinds[problem] = kinds.get(problem, 0) + 1
        print("    errors: " + ", ".join(f"{k} x{n}" for k, n in sorted(kinds.items())))


def main() -> list[tuple]:
    from django.db import connection

    from bench.bench_pages import _ensure_tree, _fill_store

    _ensure_tree()
    _fill_store()
    users = bench_users(max(LEVELS))
    connection.close()  # the server's workers use the database; this process is done with it
    print(
        f"Database: {connection.vendor}; {len(users)} bench users over "
        f"{len({u.ics for u in users})} ICSs; {SECONDS:.0f} s per level; load average "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    rows = []
    with production_server() as (port, log):
        signing_in = [threading.Thread(target=sign_in, args=(port, u)) for u in users]
        started = time.perf_counter()
        for thread in signing_in:
            thread.start()
        for thread in signing_in:
            thread.join()
        missing = [u.email for u in users if "sessionid" not in u.cookies]
        if missing:
            raise RuntimeError(f"{len(missing)} bench users could not sign in: {missing[:3]}")
        print(f"{len(users)} users signed in in {time.perf_counter() - started:.1f} s")
        for count in LEVELS:
            offset = log.stat().st_size
            level = run_level(port, users[:count], SECONDS)
            time.sleep(0.5)  # the last access lines
            report(level, server_times(log, offset, users[:count]))
            p95 = percentile(level.all_latencies, 0.95)
            target = count == max(LEVELS)
            rows.append(
                (
                    f"load, {count} users: requests/s, p95, errors",
                    f"{'>= 150/s, <= 300 ms, 0' if target else '(information)'}",
                    f"{level.rate:.0f}/s, {p95:.0f} ms, {len(level.errors)}",
                    (level.rate >= RATE_TARGET and p95 <= P95_TARGET_MS and not level.errors)
                    if target
                    else (False if level.errors else None),
                )
            )
    return rows
