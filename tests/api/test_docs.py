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


@pytest.fixture
def served_schema(client, db):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield method, path, operation


def _success_examples(operation):
    """(status, media type, schema, example) of every documented 2xx response example."""
    for status, response in operation["responses"].items():
        if not status.startswith("2"):
            continue
        for media_type, content in response.get("content", {}).items():
            for example in content.get("examples", {}).values():
                yield status, media_type, content["schema"], example["value"]


def _json_schema(node):
    """OpenAPI 3.0's ``nullable`` as JSON Schema (a null type), everywhere in ``node``."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _json_schema(value) for key, value in node.items() if key != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
        if "$ref" in out or "allOf" in out or "oneOf" in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def test_every_operation_documents_a_response_example(served_schema):
    missing = {
        (method, path)
        for method, path, operation in _operations(served_schema)
        if not list(_success_examples(operation))
    }
    assert not missing, "operations without a response example"


def test_every_response_example_keeps_to_its_schema(served_schema):
    from jsonschema import Draft7Validator

    components = _json_schema(served_schema["components"])
    checked, wrong = 0, []
    for method, path, operation in _operations(served_schema):
        for status, media_type, schema, value in _success_examples(operation):
            if media_type != "application/json":
                continue
            validator = Draft7Validator({"components": components, **_json_schema(schema)})
            errors = [e.message for e in validator.iter_errors(value)]
            if errors:
                wrong.append(f"{method.upper()} {path} {status}: {errors[:3]}")
            checked += 1
    assert not wrong
    assert checked >= 15


def test_filters_document_example_values_from_the_demo(served_schema):
    def examples(path, name):
        (parameter,) = [
            p for p in served_schema["paths"][path]["get"]["parameters"] if p["name"] == name
        ]
        return [e["value"] for e in parameter.get("examples", {}).values()]

    assert examples("/api/v1/metric-values/", "organisation") == ["QF7"]
    assert examples("/api/v1/metric-values/", "month_from") == ["2025-10"]
    assert examples("/api/v1/organisations/{code}/", "code") == ["RP5"]
    assert examples("/api/v1/spc/", "metric") == ["turnover_rate"]
    assert examples("/api/v1/delivery-actions/", "latest_status") == ["off_track"]


def test_list_examples_are_pages_of_rows(served_schema):
    example = next(
        value
        for _, _, _, value in _success_examples(
            served_schema["paths"]["/api/v1/metric-values/"]["get"]
        )
    )
    assert example["next"].endswith("/api/v1/metric-values/?cursor=cD0xMDA%3D")
    assert example["results"][0]["organisation"] == "QF7"
    (definitions,) = [
        value
        for _, _, _, value in _success_examples(served_schema["paths"]["/api/v1/metrics/"]["get"])
    ]
    assert isinstance(definitions, list) and definitions[0]["code"] == "sickness_absence_rate"


def test_the_schema_states_the_limits_the_api_enforces(client, db):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()

    def parameter(path, name):
        (found,) = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name]
        return found

    assert parameter("/api/v1/metric-values/", "page_size")["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 1000,
        "default": 100,
    }
    assert parameter("/api/v1/metric-values/{id}/", "id")["schema"]["minimum"] == 1
    month = parameter("/api/v1/metric-values/", "month_from")["schema"]["pattern"]
    assert month == r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"
    organisation = parameter("/api/v1/metric-values/", "organisation")["schema"]
    assert organisation["maxLength"] == 20 and organisation["pattern"]
    assert "appraisal_rate" in parameter("/api/v1/metric-values/", "metric")["schema"]["pattern"]
    assert parameter("/api/v1/readiness-answers/", "cycle")["schema"]["type"] == "integer"
    assert parameter("/api/v1/organisations/", "format")["schema"]["enum"] == ["csv", "json"]
    assert "400" in schema["paths"]["/api/v1/organisations/{code}/"]["get"]["responses"]
