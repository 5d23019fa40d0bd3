"""Every page of every journey, as each demo user, at 1,280 px and at 320 px (WCAG 1.4.10 reflow):
no horizontal scroll of the page and no axe-core violations (WCAG 2.2 A and AA).

A crawler signs in as each demo user and follows the portal's links (GET only; no downloads, no
sign-out, nothing that writes), starting from the home page, the API reference included. One
browser, one context per user, so it stays bounded: at most PAGES_PER_USER pages each.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from councils.demo import DEMO_PASSWORD, DEMO_SUPERUSER, DEMO_USERS, current_totp_code
from tests.browser.conftest import assert_accessible

PAGES_PER_USER = 20
SAME_KIND = 2  # pages of one kind (one template: /org/<code>/dashboard/<metric>/) checked per user
WIDTHS = (1280, 320)
# every demo user in the README's table, the superuser included
USERS = [email for email, *_ in DEMO_USERS] + [DEMO_SUPERUSER[0]]
# Not pages: files, writes behind GET-looking links, the Django admin, JSON/HTML of the raw API.
SKIP = re.compile(
    r"(logout|\.csv|\.xlsx|\.pdf|/export|/admin/|format=pdf|/templates/|healthz|/revoke|/leave"
    r"|/seed/|/static/|/api/v1/(?!reference)|/recompute/)"
)
METRIC = re.compile(r"^/org/[^/]+/dashboard/(?!diversity/|supply/|board-report/)[a-z0-9_]+/$")


def _kind(path):
    """Pages from one template, whatever the organisation, id or metric in the address."""
    path = path.split("?")[0]
    if METRIC.match(path):
        return "metric"
    return re.sub(r"/org/[^/]+/", "/org/X/", re.sub(r"\d+", "N", path))


OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True  # load_demo refuses to make demo users under production settings
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False


def _sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    if page.locator("input[name=code]").count():  # two-factor (organisation admins)
        page.locator("input[name=code]").fill(current_totp_code())
        page.get_by_role("button", name="Sign in", exact=True).click()  # not Cancel (signs out)
        page.wait_for_load_state()


def _links(page, host):
    found = []
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
        parts = urlsplit(href)
        if parts.netloc != host or SKIP.search(href):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def _check(page, path, problems):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(path)
        page.wait_for_load_state()
        if response is None or response.status >= 400:
            problems.append(f"{path}: HTTP {response.status if response else '-'}")
            return
        overflow = page.evaluate(OVERFLOW)
        if overflow > 0:
            problems.append(f"{path} at {width} px: the page scrolls sideways by {overflow} px")
        try:
            assert_accessible(page)
        except AssertionError as error:
            problems.append(f"{path} at {width} px: {str(error)[:600]}")


def test_every_page_reflows_and_passes_axe_for_every_demo_user(chromium, live_server, demo):
    host = urlsplit(live_server.url).netloc
    problems, visited = [], 0
    for email in USERS:
        context = chromium.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        page = context.new_page()
        _sign_in(page, email)
        assert "/accounts/login/" not in page.url, f"{email} could not sign in"
        queue, seen, kinds = ["/"], set(), {}
        while queue and len(seen) < PAGES_PER_USER:
            path = queue.pop(0)
            kind = _kind(path)
            if path in seen or kinds.get(kind, 0) >= SAME_KIND:
                continue
            seen.add(path)
            kinds[kind] = kinds.get(kind, 0) + 1
            _check(page, path, problems)
            queue.extend(p for p in _links(page, host) if p not in seen and p not in queue)
        visited += len(seen)
        context.close()
    assert visited >= len(USERS) * 5, visited
    assert not problems, f"{len(problems)} problems on {visited} pages:\n" + "\n".join(problems)
