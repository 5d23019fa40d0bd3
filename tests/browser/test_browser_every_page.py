"""Every page of every journey, as each demo user, at 1,280 px and at 320 px (WCAG 1.4.10 reflow):
no horizontal scroll of the page and no axe-core violations (WCAG 2.2 A and AA).

A crawler signs in as one demo user of each role and follows the portal's links (GET only; no
downloads, no sign-out, nothing that writes), starting from the home page and the API reference.
One browser, one context per user, so it stays bounded on a small machine:

- a page is *checked* (both widths, axe at each) once per kind of page (one template, whatever
  the organisation, id or metric in its address: :func:`_kind`) and role: a second chair does
  not re-check the pages the first chair saw, but every role sees its own home, navigation and
  buttons checked (account, sign-in and status pages, and the API reference, once in all);
- pages of a kind not yet checked go first; a page of a kind already checked is still *opened*
  (at most PAGES_PER_USER pages a user) to follow its links, so that pages only one role
  reaches (a respondent's toolkit) are found.
The page is loaded once at 1,280 px, checked, narrowed to 320 px (a reflow, as a zoomed or
narrow browser does) and checked again.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from councils.demo import DEMO_PASSWORD, DEMO_SUPERUSER, DEMO_USERS, current_totp_code
from tests.browser.conftest import assert_accessible

PAGES_PER_USER = 24  # pages opened (to follow their links) per user
# Of which checked at both widths (a kind of page is checked once a role): a kind nobody has had
# checked is always checked, beyond this; with 12, 57 of 105 checks re-checked a kind another
# role had had checked (half the test's two minutes), and 6 still checks each role's own
# home, organisation and dashboard pages.
CHECKS_PER_USER = 6
WIDTHS = (1280, 320)
# One demo user of each role in the README's table (the first listed), the superuser included:
# pages are checked once a kind and role, so a second user of a role would only re-open pages.
USERS = [
    (email, role)
    for n, (email, _, role, _) in enumerate(DEMO_USERS)
    if role not in {earlier[2] for earlier in DEMO_USERS[:n]}
] + [(DEMO_SUPERUSER[0], "superuser")]
# Not pages: files, writes behind GET-looking links, the Django admin, JSON/HTML of the raw API.
SKIP = re.compile(
    r"(logout|\.csv|\.xlsx|\.pdf|/export|/admin/|format=pdf|/templates/|healthz|/revoke|/leave"
    r"|/seed/|/static/|/api/v1/(?!reference)|/recompute/|\.ics$|/papers/\d+/$)"
)
REFERENCE = "/api/v1/reference/"
# Reached only by a few roles' links, so the crawl says if it stops reaching them: England's
# changes of structure (its organisation admins and the superuser).
MUST_CHECK = ("/org/X/structure/",)
METRIC = re.compile(r"^/org/[^/]+/dashboard/(?!diversity/|supply/|board-report/)[a-z0-9_]+/$")


def _kind(path):
    """Pages from one template, whatever the organisation, id or metric in the address."""
    path = path.split("?")[0]
    if METRIC.match(path):
        return "metric"
    return re.sub(r"/org/[^/]+/", "/org/X/", re.sub(r"\d+", "N", path))


# Pages that are the same for every role but for the navigation: checked once, not once a role.
SAME_FOR_EVERYONE = re.compile(r"^/(api/vN/reference|accounts?|status)/")


def _key(role, path):
    kind = _kind(path)
    return ("everyone" if SAME_FOR_EVERYONE.match(kind) else role, kind)


OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
# Two animation frames: the page has laid itself out again at the new width.
REFLOWED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


@pytest.fixture
def demo(transactional_db, settings):
    settings.DEBUG = True  # load_demo refuses to make demo users under production settings
    call_command("load_demo", verbosity=0)
    settings.DEBUG = False


def _sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
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


def _open(page, path, problems):
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    response = page.goto(path)
    if response is None or response.status >= 400:
        problems.append(f"{path}: HTTP {response.status if response else '-'}")
        return False
    return True


def _check(page, path, problems):
    """The open page at each width: no sideways scroll of the page, no axe violations."""
    for width in WIDTHS:
        if width != WIDTHS[0]:
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(REFLOWED)
        overflow = page.evaluate(OVERFLOW)
        if overflow > 0:
            problems.append(f"{path} at {width} px: the page scrolls sideways by {overflow} px")
        try:
            assert_accessible(page)
        except AssertionError as error:
            problems.append(f"{path} at {width} px: {str(error)[:1500]}")


def test_every_page_reflows_and_passes_axe_for_every_demo_user(chromium, live_server, demo):
    host = urlsplit(live_server.url).netloc
    problems, opened, checked = [], 0, set()  # checked: (role, kind)
    for email, role in USERS:
        context = chromium.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        page = context.new_page()
        _sign_in(page, email)
        assert "/accounts/login/" not in page.url, f"{email} could not sign in"
        queue, seen, checks = ["/", REFERENCE], set(), 0
        while queue and len(seen) < PAGES_PER_USER:
            # a kind of page nobody has had checked yet first (always checked, so every kind is
            # covered however many pages the portal links); then one this role has not had
            # checked; else the next page, for its links
            kinds = {kind for _, kind in checked}
            path = next((p for p in queue if _kind(p) not in kinds), None) or next(
                (p for p in queue if _key(role, p) not in checked), queue[0]
            )
            queue.remove(path)
            key = _key(role, path)
            new_kind = _kind(path) not in kinds
            seen.add(path)
            if not _open(page, path, problems):
                continue
            if key not in checked and (new_kind or checks < CHECKS_PER_USER):
                checked.add(key)
                checks += 1
                _check(page, path, problems)
            queue.extend(p for p in _links(page, host) if p not in seen and p not in queue)
        opened += len(seen)
        context.close()
    kinds = {kind for _, kind in checked}
    print(f"{len(checked)} pages checked at both widths, {opened} opened: {sorted(checked)}")
    assert not problems, f"{len(problems)} problems on {len(checked)} pages checked:\n" + "\n".join(
        problems
    )
    assert {_kind(REFERENCE), "metric", *MUST_CHECK} <= kinds, sorted(kinds)
    assert len(checked) >= len({role for _, role in USERS}) * 5, len(checked)
