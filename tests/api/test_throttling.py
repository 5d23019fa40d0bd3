"""Per-token throttling: a clear 429 problem with Retry-After; tokens have separate buckets."""

import pytest
from django.conf import settings


@pytest.fixture
def three_per_minute(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/min", "session": "3/min"},
    }


def test_the_fourth_request_in_a_minute_is_429_with_retry_after(token_for, tree, three_per_minute):
    client = token_for("analyst", tree["QF7"])
    for _ in range(3):
        assert client.get("/api/v1/organisations/").status_code == 200
    response = client.get("/api/v1/organisations/")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    wait = int(response["Retry-After"])
    assert 1 <= wait <= 60
    body = response.json()
    assert body["retry_after"] == wait and f"{wait} seconds" in body["detail"]


def test_each_token_has_its_own_bucket(token_for, tree, three_per_minute):
    first = token_for("analyst", tree["QF7"])
    second = token_for("analyst", tree["QF7"])
    for _ in range(4):
        first.get("/api/v1/organisations/")
    assert first.get("/api/v1/organisations/").status_code == 429
    assert second.get("/api/v1/organisations/").status_code == 200


def test_the_default_rates_are_set(db):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    assert rates["token"] and rates["session"]
