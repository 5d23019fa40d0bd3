"""The pages keep to the Content-Security-Policy: the page fixture fails any browser test whose
pages report a violation; here, that the watch works and the API reference runs under the policy
from local assets."""

from playwright.sync_api import expect

from tests.browser.conftest import watch_for_csp_violations


def test_an_inline_script_is_refused_and_reported(chromium, live_server, transactional_db):
    context = chromium.new_context(base_url=live_server.url)
    pg = context.new_page()
    violations = watch_for_csp_violations(pg)
    pg.goto("/accounts/login/")
    pg.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.ran = 1'; document.body.appendChild(s);"
        " document.body.setAttribute('style', 'color: red'); }"
    )
    pg.wait_for_timeout(200)
    ran = pg.evaluate("() => window.ran")
    context.close()
    assert ran is None
    assert any("script-src" in v for v in violations), violations
    assert any("style-src" in v for v in violations), violations


def _only_local_requests(page, base_url):
    elsewhere = []
    page.on("request", lambda r: None if r.url.startswith(base_url) else elsewhere.append(r.url))
    return elsewhere


def test_swagger_ui_runs_from_local_assets(page, live_server, tree, make_user, login):
    make_user("analyst", tree["QF7"], email="analyst@syb.test")
    login("analyst@syb.test")
    elsewhere = _only_local_requests(page, live_server.url)
    page.goto("/api/v1/docs/")
    expect(page.get_by_role("heading", name="AHP Portal API")).to_be_visible()
    expect(page.get_by_text("/api/v1/metric-values/").first).to_be_visible()
    assert not elsewhere


def test_redoc_leads_to_swagger_ui(client, db):
    response = client.get("/api/v1/redoc/")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/docs/"
