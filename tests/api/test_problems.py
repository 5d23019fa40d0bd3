"""Every error is an RFC 9457 problem (application/problem+json with type/title/status/detail)."""

import pytest
from rest_framework.test import APIClient


def assert_problem(response, status):
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    return body


def test_unauthenticated_is_401(db):
    body = assert_problem(APIClient().get("/api/v1/metric-values/"), 401)
    assert "credentials" in body["detail"].lower()


def test_not_found_and_unknown_endpoints_are_404(token_for, tree):
    client = token_for("analyst", tree["QF7"])
    assert_problem(client.get("/api/v1/organisations/ZZZ/"), 404)
    assert_problem(client.get("/api/v1/no-such-thing/"), 404)
    assert_problem(client.get("/api/v1/metric-values/999999/"), 404)


def test_a_bad_filter_is_400_with_each_field(token_for, tree):
    client = token_for("analyst", tree["QF7"])
    body = assert_problem(
        client.get("/api/v1/metric-values/", {"metric": "nope", "level": "moon"}), 400
    )
    assert {e["field"] for e in body["errors"]} >= {"level"}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_to_read_only_resources_are_405(token_for, tree, method):
    client = token_for("analyst", tree["QF7"])
    assert_problem(getattr(client, method)("/api/v1/organisations/"), 405)


def test_an_unacceptable_format_is_400_or_406_problem(token_for, tree):
    client = token_for("analyst", tree["QF7"])
    response = client.get("/api/v1/organisations/", HTTP_ACCEPT="application/xml")
    assert_problem(response, 406)
    assert_problem(client.get("/api/v1/organisations/", {"format": "xml"}), 400)


@pytest.mark.parametrize(
    "url", ["/api/v1/organisations/", "/api/v1/organisations/QF7/", "/api/v1/metric-values/"]
)
def test_an_unknown_format_is_a_400_naming_the_formats_offered(token_for, tree, url):
    client = token_for("analyst", tree["QF7"])
    body = assert_problem(client.get(url, {"format": "xml"}), 400)
    assert body["errors"] == [
        {"field": "format", "detail": "Unknown format 'xml'; use one of: json, csv."}
    ]
    assert client.get(url, {"format": "json"}).status_code == 200
    assert client.get(url, {"format": "csv"}).status_code == 200


def test_an_unknown_format_is_a_400_before_authentication(db):
    """Content negotiation comes first in DRF: the format is refused whoever asks."""
    body = assert_problem(APIClient().get("/api/v1/metric-values/", {"format": "pdf"}), 400)
    assert "json, csv" in body["detail"]


def test_the_schema_names_its_own_formats(db):
    body = assert_problem(APIClient().get("/api/v1/schema/", {"format": "xml"}), 400)
    assert "json" in body["detail"] and "yaml" in body["detail"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"subtree": "maybe"}, "subtree"),
        ({"month_from": "2025-3"}, "month_from"),
        ({"month_to": "2025-03-01"}, "month_to"),
        ({"organisation": "Q F7"}, "organisation"),
        ({"organisation": "Q" * 21}, "organisation"),
        ({"metric": "appraisal_rate, vacancy_rate"}, "metric"),
        ({"band_group": "band_1"}, "band_group"),
    ],
)
def test_what_the_schema_forbids_is_a_400_naming_the_field(token_for, tree, params, field):
    client = token_for("analyst", tree["QF7"])
    body = assert_problem(client.get("/api/v1/metric-values/", params), 400)
    assert [e["field"] for e in body["errors"]] == [field]


def test_an_empty_filter_is_no_filter_as_the_schema_says(token_for, tree):
    client = token_for("analyst", tree["QF7"])
    params = {"organisation": "", "subtree": "", "month_from": "", "format": ""}
    assert client.get("/api/v1/metric-values/", params).status_code == 200
