"""An analyst creates an API token on their account page, pulls the SYB ICS's metric values with
it (the README's request, over HTTP), cannot reach another ICS, and revokes the token."""

import csv
import datetime as dt
import io

import requests
from playwright.sync_api import expect

from dashboard.models import MetricValue
from tests.api.conftest import add_values
from tests.browser.conftest import fill_date


def test_analyst_creates_uses_and_revokes_a_token(page, login, axe, tree, make_user, live_server):
    for org in (tree["QF7"], tree["RP5"], tree["QWO"]):
        add_values(org, "sickness_absence_rate")
    make_user("analyst", tree["QF7"], email="analyst@syb.test")

    login("analyst@syb.test")
    page.goto("/account/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    axe(page)

    page.get_by_label("Name").fill("Power BI")
    expiry = dt.date.today() + dt.timedelta(days=30)
    fill_date(page, "Expiry date", expiry)
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_role("textbox", name="Your new token").input_value()
    assert secret.startswith("ahp_")
    expect(page.get_by_text("This is the only time")).to_be_visible()
    axe(page)

    api = f"{live_server.url}/api/v1/metric-values/"
    headers = {"Authorization": f"Bearer {secret}"}
    response = requests.get(
        api, headers=headers, params={"organisation": "QF7", "subtree": "true", "format": "csv"}
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    stored = MetricValue.objects.filter(organisation__code__in=["QF7", "RP5"], profession="all")
    assert {(r["organisation"], r["month"], float(r["value"])) for r in rows} == {
        (v.organisation.code, v.month.strftime("%Y-%m"), v.value) for v in stored
    }
    other = requests.get(api, headers=headers, params={"organisation": "QWO"})
    assert other.status_code == 404
    assert other.headers["Content-Type"] == "application/problem+json"

    page.reload()
    assert secret not in page.content()
    page.get_by_role("button", name="Revoke Power BI").click()
    expect(page.get_by_text("Revoked", exact=True)).to_be_visible()
    axe(page)
    assert requests.get(api, headers=headers).status_code == 401
