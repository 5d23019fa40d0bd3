"""A strict Content-Security-Policy on every response, and no inline script or style left for it
to block (tests/browser fails any journey whose pages report a violation)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

STRICT = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'self'",
)


def assert_strict(response):
    policy = response.headers.get("Content-Security-Policy", "")
    for directive in STRICT:
        assert directive in policy, (response.request["PATH_INFO"], policy)
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/healthz",
        "/no-such-page/",
        "/api/v1/",
        "/api/v1/organisations/",
        "/api/v1/docs/",
        "/api/v1/docs/?script",
        "/api/v1/schema/",
        "/static/css/portal.css",
    ],
)
def test_signed_out_responses_carry_the_policy(client, db, url):
    assert_strict(client.get(url))


@pytest.mark.parametrize(
    "url",
    ["/", "/org/QF7/", "/org/QF7/dashboard/", "/metrics/", "/readiness/", "/imports/", "/org/QWO/"],
)
def test_signed_in_pages_carry_the_policy(client_for, tree, url):
    response = client_for("chair", tree["QF7"]).get(url)
    assert response.status_code in (200, 404)
    assert_strict(response)


def test_a_token_api_response_carries_the_policy(token_for, tree):
    response = token_for("analyst", tree["QF7"]).get("/api/v1/organisations/")
    assert response.status_code == 200
    assert_strict(response)


INLINE = [
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"),
        "inline <script>",
    ),
    (re.compile(r"<style\b"), "<style> element"),
    (re.compile(r"\sstyle="), "style= attribute"),
    (re.compile(r"\son(click|load|change|submit|input)="), "inline event handler"),
    (re.compile(r"javascript:"), "javascript: URL"),
]


def _template_files():
    base = Path(settings.BASE_DIR)
    yield from (base / "templates").rglob("*.html")
    for app in ("councils", "workforce", "dashboard", "readiness", "delivery"):
        yield from (base / app / "templates").rglob("*.html")


def test_no_template_has_inline_script_or_style():
    found = []
    for path in _template_files():
        text = path.read_text()
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text[: match.start()].count("\n") + 1
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_charts_draw_without_a_style_attribute():
    from dashboard import charts

    svg = charts._svg_open(640, 200, "c", "Title", "Description")
    assert "style=" not in svg and 'width="640"' in svg
