"""GET /api/v1/peer-benchmarks/: a provider's place among its type in England, scoped like
every list (a sibling gets 404 for another's organisation: tests/api/test_isolation.py walks
this list too), computed by the recompute and read from the store."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from councils.models import Organisation
from dashboard import peers
from dashboard.models import MetricValue

URL = "/api/v1/peer-benchmarks/"
ACUTE = {"RP5": 20.0, "RXE": 4.0, "RHQ": 8.0, "RR8": 15.0, "RAL": 7.0}


@pytest.fixture
def acute(tree):
    for code, value in ACUTE.items():
        Organisation.objects.filter(pk=tree[code].pk).update(provider_type="acute")
        MetricValue.objects.create(
            organisation=tree[code], month=dt.date(2025, 3, 1), metric="turnover_rate",
            numerator=value, denominator=100, value=value, people=40,
            computed_at=timezone.now(),
        )  # fmt: skip
    peers.refresh(None, timezone.now())
    return tree


def test_the_route_is_the_registered_list():
    assert reverse("api-peer-benchmark-list") == URL


def test_an_analyst_gets_their_providers_place_and_the_england_distribution(acute, token_for):
    client = token_for("analyst", acute["QF7"])
    response = client.get(URL, {"organisation": "RHQ", "metric": "turnover_rate",
                                "month": "2025-03"})  # fmt: skip
    assert response.status_code == 200, response.content
    (row,) = response.json()["results"]
    # sorted 4, 7, 8, 15, 20 (n = 5): h = 4p + 1: q1 = x2 = 7, median = x3 = 8, q3 = x4 = 15
    assert row["organisation"] == "RHQ" and row["provider_type"] == "acute"
    assert (row["peers"], row["minimum"], row["maximum"]) == (5, 4.0, 20.0)
    assert (row["lower_quartile"], row["median"], row["upper_quartile"]) == (7.0, 8.0, 15.0)
    assert (row["rank"], row["quarter"]) == (3, 2)
    assert "value" not in row  # no provider's own figure here
    listed = client.get(URL, {"organisation": "QF7", "subtree": "true"}).json()["results"]
    assert {r["organisation"] for r in listed} == {"RP5", "RXE", "RHQ"}  # not RR8 or RAL


def test_a_sibling_analyst_gets_404_for_another_ics_provider(acute, token_for):
    sibling = token_for("analyst", acute["QWO"])
    response = sibling.get(URL, {"organisation": "RHQ"})
    assert response.status_code == 404
    own = sibling.get(URL).json()["results"]
    assert {r["organisation"] for r in own} == {"RR8"}


def test_a_bad_month_is_a_400_naming_it(acute, token_for):
    response = token_for("analyst", acute["QF7"]).get(URL, {"month": "March"})
    assert response.status_code == 400
    assert "month" in response.content.decode()
