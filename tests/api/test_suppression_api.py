"""The API applies PRODUCT.md 3.4 exactly: an ICS analyst's pull (JSON and CSV) holds no figure
resting on fewer than 5 people, or hidden by secondary suppression, outside the organisation
where the analyst holds the role; the provider's own analyst gets the figures."""

import csv
import io

import pytest

from dashboard import snapshots
from dashboard.models import MetricValueVersion
from tests.dashboard.conftest import Data
from tests.dashboard.test_suppression_rule import small_provider_world

URL = "/api/v1/metric-values/"


@pytest.fixture
def small(tree, db):
    small_provider_world(tree, Data())
    snapshots.capture()  # the API reads the figures of the latest snapshot


def _all_json(client, **params):
    out, url, query = [], URL, {"page_size": 1000, **params}
    while url:
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        body = response.json()
        out += body["results"]
        url, query = body.get("next"), None
    return out


def test_an_ics_analysts_pull_has_no_unsuppressed_small_figure(token_for, tree, small):
    stored = {v.pk: v for v in MetricValueVersion.objects.select_related("organisation")}
    client = token_for("analyst", tree["QF7"])
    rows = _all_json(client)
    assert rows
    for row in rows:
        figure = stored[row["id"]]
        if figure.suppressed and figure.organisation.code != "QF7":
            assert row["suppressed"] is True
            assert (row["value"], row["numerator"], row["denominator"]) == (None, None, None)
        if row["value"] is not None and figure.organisation.code != "QF7":
            assert figure.people is None or figure.people >= 5
    hidden = [r for r in rows if r["suppressed"]]
    assert {r["organisation"] for r in hidden} >= {"RXE", "RP5"}  # RP5: secondary


def test_the_csv_pull_suppresses_the_same_figures(token_for, tree, small):
    client = token_for("analyst", tree["QF7"])
    response = client.get(URL, {"format": "csv"})
    assert response.status_code == 200
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    table = list(csv.DictReader(io.StringIO(body)))
    band = [r for r in table if r["organisation"] == "RXE" and r["metric"] == "job_plan_coverage"]
    assert band and all(r["suppressed"] == "Y" and r["value"] == "" for r in band)
    stored = {v.pk: v for v in MetricValueVersion.objects.select_related("organisation")}
    for r in table:
        figure = stored[int(r["id"])]
        if figure.suppressed and figure.organisation.code != "QF7":
            hidden = (r["suppressed"], r["value"], r["numerator"], r["denominator"])
            assert hidden == ("Y", "", "", "")


def test_the_providers_own_analyst_sees_its_figures(token_for, tree, small):
    client = token_for("analyst", tree["RXE"])
    rows = _all_json(client, organisation="RXE", metric="job_plan_coverage")
    assert rows and all(r["suppressed"] is False and r["value"] is not None for r in rows)
