"""Every response carries a request id (the caller's X-Request-ID when sensible, else a new
one), every log record made while handling it names it, and DJANGO_LOG_FORMAT=json writes JSON."""

import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

from django.http import HttpResponse
from django.test import RequestFactory

from ahpportal.request_id import RequestIdFilter, RequestIdMiddleware

ROOT = Path(__file__).resolve().parents[2]


def test_a_request_id_is_generated_and_echoed(client, db):
    response = client.get("/accounts/login/")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert client.get("/accounts/login/")["X-Request-ID"] != response["X-Request-ID"]


def test_the_callers_request_id_is_kept(client, db):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
    assert response["X-Request-ID"] == "lb-7f3a.42"


def test_an_unsafe_request_id_is_replaced(client, db):
    for bad in ("has spaces", "x" * 129, "a\u00e9", "inject\rSet-Cookie"):
        response = client.get("/healthz", headers={"X-Request-ID": bad})
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"]), bad


def test_api_and_error_responses_carry_it_too(client, db):
    assert client.get("/api/v1/organisations/")["X-Request-ID"]
    assert client.get("/no-such-page/")["X-Request-ID"]


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        self.records.append(record)


def test_log_records_made_during_the_request_name_it():
    handler = _Collect()
    logger = logging.getLogger("tests.request_id")
    # the records must reach the handler whatever an earlier test in this process did to the
    # logging configuration (a Celery worker's set-up, a dictConfig that disabled loggers)
    logger.setLevel(logging.DEBUG)
    logger.disabled = False
    logger.addHandler(handler)
    try:

        def view(request):
            logger.warning("inside")
            return HttpResponse("ok")

        request = RequestFactory().get("/", headers={"X-Request-ID": "abc-123"})
        RequestIdMiddleware(view)(request)
        logger.warning("outside")
    finally:
        logger.removeHandler(handler)
    assert [(r.getMessage(), r.request_id) for r in handler.records] == [
        ("inside", "abc-123"),
        ("outside", "-"),
    ]


def _log_one_line(log_format: str) -> subprocess.CompletedProcess:
    script = (
        "import django, logging; django.setup()\n"
        "from django.test import RequestFactory\n"
        "from django.http import HttpResponse\n"
        "from ahpportal.request_id import RequestIdMiddleware\n"
        "def view(request):\n"
        "    logging.getLogger('ahp.test').warning('import %s confirmed', 7)\n"
        "    return HttpResponse()\n"
        "RequestIdMiddleware(view)(RequestFactory().get('/', headers={'X-Request-ID': 'r-1'}))\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ahpportal.settings",
        "DJANGO_LOG_FORMAT": log_format,
    }
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_json_logs_on_request():
    done = _log_one_line("json")
    assert done.returncode == 0, done.stderr
    record = json.loads(done.stderr.strip().splitlines()[-1])
    assert record["message"] == "import 7 confirmed"
    assert record["request_id"] == "r-1"
    assert record["level"] == "WARNING" and record["logger"] == "ahp.test"
    assert "time" in record


def test_text_logs_by_default_and_a_bad_format_stops_start_up():
    done = _log_one_line("text")
    assert done.returncode == 0, done.stderr
    assert "WARNING ahp.test request_id=r-1 import 7 confirmed" in done.stderr
    bad = _log_one_line("yaml")
    assert bad.returncode != 0
    assert "DJANGO_LOG_FORMAT must be 'text' or 'json'" in bad.stderr
