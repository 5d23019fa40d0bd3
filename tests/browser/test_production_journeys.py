"""Journeys against a real production-mode server: `make serve` with DJANGO_DEBUG=0 (gunicorn,
whitenoise's hashed static files), PostgreSQL, a Celery worker on Redis and the demo data, as
.ci/production-journeys.sh starts them. PRODUCTION_BASE_URL names the server; without it these
tests are skipped. Every page must keep to the Content-Security-Policy (no violation reported).
"""

import csv
import datetime as dt
import io
import os
import re
from collections import Counter, deque
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
import requests
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from councils.demo import DEMO_PASSWORD, current_totp_code
from tests.browser.conftest import fill_date, watch_for_csp_violations

BASE_URL = os.environ.get("PRODUCTION_BASE_URL", "").rstrip("/")

pytestmark = [
    pytest.mark.production,
    pytest.mark.skipif(not BASE_URL, reason="PRODUCTION_BASE_URL is not set (no server to test)"),
]


@pytest.fixture
def page(chromium):
    context = chromium.new_context(base_url=BASE_URL, accept_downloads=True)
    context.set_default_timeout(30_000)
    pg = context.new_page()
    violations = watch_for_csp_violations(pg)
    yield pg
    context.close()
    assert not violations, "\n".join(violations)


def sign_in(page, email, *, totp=False):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    if totp:
        page.get_by_label("Code", exact=True).fill(current_totp_code())
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your organisations")).to_be_visible()


def assert_production_headers(response):
    headers = response.headers
    policy = headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy, response.url
    assert headers.get("x-request-id"), response.url
    assert headers.get("x-content-type-options") == "nosniff", response.url


def test_the_server_runs_with_debug_off_and_hashed_static_files(page):
    response = page.goto("/accounts/login/")
    assert response.status == 200
    assert response.headers["server"].startswith("gunicorn")
    assert_production_headers(response)
    stylesheet = page.locator("link[rel=stylesheet]").first.get_attribute("href")
    assert re.fullmatch(
        r"/static/nhsuk-frontend-10\.6\.1/nhsuk-frontend\.min\.[0-9a-f]{12}\.css", stylesheet
    ), stylesheet
    css = page.request.get(stylesheet)
    assert css.status == 200 and "immutable" in css.headers.get("cache-control", "")
    # DEBUG off: an unknown page is the NHS-styled 404, not Django's debug page.
    missing = page.goto("/no-such-page/")
    assert missing.status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    assert "Django" not in page.content()
    assert_production_headers(missing)


def test_an_admin_signs_in_with_two_factor(page):
    sign_in(page, "admin@syb.example", totp=True)
    page.goto("/org/QF7/people/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("People")


def test_the_chair_reads_the_scorecard(page):
    sign_in(page, "chair@syb.example")
    page.goto("/org/QF7/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("South Yorkshire and Bassetlaw")
    expect(page.locator("table").first).to_be_visible()
    # the four domains' metrics, figures computed by the worker's recomputes
    assert page.locator("table tbody tr").count() > 10
    expect(page.get_by_text("Figures computed").first).to_be_visible()
    out_of_scope = page.goto("/org/QWO/dashboard/")
    assert out_of_scope.status == 404


def test_a_data_manager_imports_a_file_through_the_worker(page):
    sign_in(page, "data@syb.example")
    page.goto("/imports/")
    page.get_by_role("link", name=re.compile(r"^Upload a file for South Yorkshire")).first.click()
    # A corrected quarter inside the demo's months (to September 2026): a month before the
    # data's first would widen the month range, and the recompute with it, for every
    # organisation (PRODUCT.md: figures for every month from the first to the last).
    rows = [
        {
            "provider_code": "RP5",
            "month": f"2026-0{m}",
            "pay_bill": str(1_800_000 + m),
            "bank_spend": "61250",
            "agency_spend": "48900.5",
        }
        for m in (7, 8, 9)
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    page.get_by_label("Spend").check(force=True)
    page.get_by_label("File").set_input_files(
        {"name": "production-spend.csv", "mimeType": "text/csv", "buffer": out.getvalue().encode()}
    )
    page.get_by_role("button", name="Check file").click()
    expect(page.get_by_role("heading", name="Check before importing")).to_be_visible()
    page.get_by_role("button", name="Confirm import").click()
    # The confirmed import runs on the worker; the run page follows its progress: wait for it.
    expect(page.get_by_role("heading", name="Import of production-spend.csv")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Rows written: 3 \(0 added, 3 updated"))).to_be_visible(
        timeout=120_000
    )
    expect(page.get_by_text(re.compile(r"Dashboard recompute: succeeded"))).to_be_visible(
        timeout=120_000
    )
    page.goto("/org/QF7/imports/")
    expect(page.get_by_text("production-spend.csv").first).to_be_visible()


def test_a_respondent_saves_a_readiness_draft(page):
    sign_in(page, "chief.ahp@dbth.example")
    page.goto("/readiness/")
    # (the slash escaped: Playwright hands the pattern to JavaScript as /.../)
    page.get_by_role("link", name=re.compile(r"^2026\/27: ")).first.click()
    field = page.get_by_label("Response to question 1", exact=True)
    text = f"Saved in production mode at {dt.datetime.now():%H:%M:%S}"
    field.fill(text)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    page.reload()
    assert page.get_by_label("Response to question 1", exact=True).input_value() == text


def test_an_analyst_uses_the_api_with_a_token(page):
    sign_in(page, "analyst@syb.example")
    page.goto("/account/")
    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Name").fill(f"CI {dt.datetime.now():%H%M%S}")
    fill_date(page, "Expiry date", dt.date.today() + dt.timedelta(days=7))
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_role("textbox", name="Your new token").input_value()
    headers = {"Authorization": f"Bearer {secret}"}
    response = requests.get(
        f"{BASE_URL}/api/v1/metric-values/",
        headers=headers,
        params={"organisation": "QF7", "page_size": 5},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert response.json()["results"], "the demo has metric values for SYB"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    sibling = requests.get(
        f"{BASE_URL}/api/v1/metric-values/",
        headers=headers,
        params={"organisation": "QWO"},
        timeout=30,
    )
    assert sibling.status_code == 404
    assert sibling.headers["Content-Type"] == "application/problem+json"
    page.goto("/api/v1/docs/")
    expect(page.get_by_role("heading", name="AHP Portal API")).to_be_visible()


def test_the_status_page_and_healthz(page):
    response = page.goto("/status/")
    assert response.status == 200
    expect(page.get_by_text("AHP Portal is working normally.")).to_be_visible()
    health = page.request.get("/healthz").json()
    assert health["status"] == "ok", health
    assert health["worker"]["status"] == "ok" and health["broker"] == "ok"


# Links the crawl does not follow: signing out, and the PDF download (rendered per request; the
# board report page it comes from is crawled).
SKIP = re.compile(r"^/accounts/logout/|/board-report/pdf|\.pdf$")


# Visits per kind of page: the production crawl checks what DEBUG off changes (hashed static
# files, the policy, error handling), which is the same for every page of one kind; the crawl
# in tests/browser/test_browser_every_page.py renders every page of every demo user.
VISITS_PER_KIND = 2


def _crawl_key(url: str) -> str:
    """A page's kind: its URL pattern (not its path: one organisation's metric page stands for
    every organisation's) and the names of its query parameters (each filter's shape)."""
    parts = urlsplit(url)
    try:
        route = resolve(parts.path).route
    except Resolver404:
        route = parts.path  # answered 404: the crawl reports it
    names = sorted({name for name, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return route + ("?" + "&".join(names) if names else "")


@pytest.mark.parametrize("email", ["chair@syb.example", "data@syb.example"])
def test_every_page_a_signed_in_user_can_reach_answers_200_with_the_policy(page, email):
    sign_in(page, email)
    queue = deque(["/"])
    seen = {"/"}
    kinds = Counter([_crawl_key("/")])
    problems = []
    visited = 0
    while queue:
        url = queue.popleft()
        response = page.request.get(url, max_redirects=5)
        visited += 1
        if response.status != 200:
            problems.append(f"{url}: {response.status}")
            continue
        policy = response.headers.get("content-security-policy", "")
        if "default-src 'self'" not in policy:
            problems.append(f"{url}: no Content-Security-Policy")
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for href in re.findall(r'href="([^"#]+)', response.text()):
            target = urljoin(BASE_URL + url, href.replace("&amp;", "&"))
            parts = urlsplit(target)
            if parts.netloc != urlsplit(BASE_URL).netloc or parts.path.startswith("/static/"):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if SKIP.search(parts.path) or path in seen:
                continue
            seen.add(path)
            kind = _crawl_key(path)
            if kinds[kind] >= VISITS_PER_KIND:
                continue
            kinds[kind] += 1
            queue.append(path)
    print(f"{email}: crawled {visited} pages of {len(kinds)} kinds")
    assert len(kinds) > 30
    assert not problems, "\n".join(problems)
