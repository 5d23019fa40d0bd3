"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, with axe-core.

Every test here is marked ``browser``. Where Chromium is missing the tests skip, except under CI
(``CI=true``), where a missing browser is a failure.
"""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in-thread

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_axe = Axe()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; .ci/run installs Debian's chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def watch_for_csp_violations(pg) -> list[str]:
    """Every Content-Security-Policy violation the page reports, as Chromium words it."""
    violations = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{pg.url}: {message.text}")

    pg.on("console", on_console)
    # Chromium reports some violations (e.g. a style attribute) only as this DOM event.
    pg.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI"
        " + ' at ' + e.sourceFile + ':' + e.lineNumber));"
    )
    return violations


@pytest.fixture
def page(chromium, live_server, transactional_db):
    context = chromium.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    violations = watch_for_csp_violations(pg)
    yield pg
    context.close()
    # Every browser journey doubles as a check that its pages keep to the policy.
    assert not violations, "\n".join(violations)


def assert_accessible(page):
    """axe-core on the current page: no WCAG 2.2 A/AA violations.

    A journey should first wait for something on the page it navigated to (``expect(...)``);
    waiting for the load state here also covers a page that is still loading.
    """
    page.wait_for_load_state()
    # resultTypes: axe reports every violation in full, and passes, incomplete and inapplicable
    # rules with one node each (not every node of every rule that passed, serialised back)
    results = _axe.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_22_AA},
            "resultTypes": ["violations"],
        },
    )
    violations = results.response["violations"]
    assert not violations, f"axe violations on {page.url}:\n{results.generate_report()}"


@pytest.fixture
def axe():
    return assert_accessible


@pytest.fixture
def login(page):
    def do_login(email, password="correct horse battery"):
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return do_login


def fill_date(page, legend: str, day) -> None:
    """Type a date into NHS.UK's day, month and year boxes of the fieldset called ``legend``."""
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
