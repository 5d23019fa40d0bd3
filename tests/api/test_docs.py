"""The OpenAPI schema validates with no warnings and documents every endpoint with its filters;
the interactive docs and the API root answer."""

import pytest
import yaml
from django.core.management import call_command


@pytest.fixture
def schema(db, tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    return yaml.safe_load(out.read_text())


def test_the_schema_validates_and_lists_every_resource(schema):
    paths = set(schema["paths"])
    for path in [
        "/api/v1/organisations/",
        "/api/v1/metrics/",
        "/api/v1/metric-values/",
        "/api/v1/spc/",
        "/api/v1/readiness-cycles/",
        "/api/v1/readiness-submissions/",
        "/api/v1/readiness-answers/",
        "/api/v1/action-plans/",
        "/api/v1/delivery-plans/",
        "/api/v1/delivery-actions/",
        "/api/v1/import-runs/",
        "/api/v1/workforce-imports/",
    ]:
        assert path in paths, path


def test_filters_pagination_formats_and_problems_are_documented(schema):
    op = schema["paths"]["/api/v1/metric-values/"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {
        "organisation",
        "subtree",
        "level",
        "metric",
        "domain",
        "profession",
        "band_group",
        "month_from",
        "month_to",
        "shape",
        "cursor",
        "page_size",
        "format",
    } <= names
    assert {"200", "400", "401", "404", "429"} <= set(op["responses"])
    problem = op["responses"]["429"]["content"]["application/problem+json"]
    assert problem["schema"]["$ref"].endswith("/Problem")
    assert "Retry-After" in op["responses"]["429"]["headers"]
    assert op["responses"]["200"]["content"]["application/json"]["examples"]
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_every_operation_has_a_summary(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method.upper()} {path}"


def test_the_docs_and_root_answer(token_for, tree, client):
    assert client.get("/api/v1/docs/").status_code == 200
    assert client.get("/api/v1/schema/").status_code == 200
    body = token_for("analyst", tree["QF7"]).get("/api/v1/").json()
    assert body["resources"]["metric_values"].endswith("/api/v1/metric-values/")
    assert body["docs"].endswith("/api/v1/docs/")
