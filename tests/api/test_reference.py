"""The API reference page (/api/v1/reference/): the OpenAPI schema drf-spectacular generates,
server-rendered in the portal's layout: every path and operation, their parameters, request body
fields, responses and examples; sign-in required; links to it from the portal and the API root."""

import re

import pytest
from bs4 import BeautifulSoup
from drf_spectacular.generators import SchemaGenerator

from ahpportal.api.reference import build, markdown, reference

URL = "/api/v1/reference/"


@pytest.fixture
def schema(db):
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.fixture
def page(client_for, tree):
    response = client_for("analyst", tree["QF7"]).get(URL)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def _operations(schema):
    for path, item in schema["paths"].items():
        for method in ("get", "post", "put", "patch", "delete"):
            if method in item:
                yield method, path, item[method]


def test_signing_in_is_required(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_lists_every_path_and_operation_of_the_schema(schema, page):
    text = page.get_text(" ")
    endpoints = {
        re.sub(r"\s+", " ", p.get_text(" ")).strip()
        for p in page.select(".app-api-operation .app-api-endpoint")
    }
    assert len(schema["paths"]) >= 20
    for method, path, operation in _operations(schema):
        assert f"{method.upper()} {path}" in endpoints, f"{method.upper()} {path}"
        assert operation["summary"] in text
        # the contents list links to the operation's section, whose h3 is its summary
        (heading,) = [
            h for h in page.find_all("h3") if h.get_text(strip=True) == operation["summary"]
        ]
        assert page.select_one(f'nav a[href="#{heading["id"]}"]'), operation["summary"]
    assert len(page.select(".app-api-operation")) == sum(1 for _ in _operations(schema))


def test_parameters_body_responses_and_examples_are_shown(schema, page):
    (section,) = [
        s
        for s in page.select(".app-api-operation")
        if s.h3.get_text(strip=True) == schema["paths"]["/api/v1/metric-values/"]["get"]["summary"]
    ]
    table = section.find("table", attrs={"class": "app-api-table"})
    assert table.caption.get_text(strip=True).startswith("Parameters")
    rows = {tr.th.get_text(strip=True): tr for tr in table.tbody.find_all("tr")}
    assert {"organisation", "month_from", "page_size", "level", "format"} <= set(rows)
    level = rows["level"].get_text(" ")
    assert "query" in level and "england" in level and "provider" in level  # the enum values
    assert "Example: QF7" in re.sub(r"\s+", " ", rows["organisation"].get_text(" "))
    responses = section.find_all("table")[-1]
    statuses = {tr.th.get_text(strip=True) for tr in responses.tbody.find_all("tr")}
    assert {"200", "400", "401", "404", "429"} <= statuses
    assert "Retry-After" in responses.get_text()
    assert section.select("pre code") and '"organisation": "QF7"' in section.pre.get_text()

    (upload,) = [
        s
        for s in page.select(".app-api-operation")
        if re.sub(r"\s+", " ", s.select_one(".app-api-endpoint").get_text(" ")).strip()
        == "POST /api/v1/workforce-imports/"
    ]
    assert upload.find("h4", string="Request body")
    fields = [t for t in upload.find_all("table") if "Request body" in t.caption.get_text()]
    names = {tr.th.get_text(strip=True) for tr in fields[0].tbody.find_all("tr")}
    assert {"file", "organisation", "dataset"} <= names
    assert "staff_month" in fields[0].get_text()


def test_the_page_is_semantic_and_has_no_inline_script_or_style(page):
    levels = [int(h.name[1]) for h in page.find_all(re.compile(r"^h[1-6]$"))]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), (
        "a heading level is skipped"
    )
    for table in page.select("main table"):
        assert table.caption and table.caption.get_text(strip=True)
        assert all(th.get("scope") in ("col", "row") for th in table.find_all("th"))
        region = table.find_parent("div", class_="app-table-scroll")
        assert region["role"] == "region" and region["tabindex"] == "0" and region["aria-label"]
    assert not page.select("[style]")
    assert all(s.get("src") for s in page.find_all("script"))
    links = {a.get_text(strip=True): a["href"] for a in page.select("main a")}
    assert links["Back to the portal"] == "/"
    assert links["Try the API in the interactive documentation (Swagger UI)"] == "/api/v1/docs/"
    ids = [el["id"] for el in page.select("[id]")]
    assert len(ids) == len(set(ids)), "duplicate ids"


def test_the_portal_and_the_api_root_link_to_it(client_for, token_for, tree):
    client = client_for("analyst", tree["QF7"])
    header = BeautifulSoup(client.get("/account/tokens/").content, "html.parser")
    assert header.select_one('header a[href="/api/v1/reference/"]').get_text(strip=True) == "API"
    assert header.select_one('main a[href="/api/v1/reference/"]')
    assert header.select_one('main a[href="/api/v1/docs/"]')  # Swagger UI, the secondary link
    body = token_for("analyst", tree["QF7"]).get("/api/v1/").json()
    assert body["reference"].endswith(URL)


def test_the_rendered_schema_is_built_once_per_process(schema, client_for, tree, monkeypatch):
    reference.cache_clear()
    calls = []
    original = SchemaGenerator.get_schema
    monkeypatch.setattr(
        SchemaGenerator, "get_schema", lambda self, **kw: calls.append(1) or original(self, **kw)
    )
    client = client_for("analyst", tree["QF7"])
    assert client.get(URL).status_code == 200
    assert client.get(URL).status_code == 200
    assert calls == [1]
    reference.cache_clear()


def test_markdown_is_escaped_and_only_lists_code_and_bold_become_html():
    html = markdown("**Formats**: `?format=csv` <script>\n\n* `a` - one\n* `b` - two")
    assert html == (
        "<p><strong>Formats</strong>: <code>?format=csv</code> &lt;script&gt;</p>"
        '<ul class="nhsuk-list nhsuk-list--bullet"><li><code>a</code> - one</li>'
        "<li><code>b</code> - two</li></ul>"
    )


def test_limits_enums_and_references_are_described():
    schema = {
        "info": {"title": "T", "version": "1"},
        "paths": {
            "/x/{id}/": {
                "post": {
                    "summary": "Make an x",
                    "tags": ["x"],
                    "parameters": [
                        {
                            "in": "path",
                            "name": "id",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1, "maximum": 9},
                        },
                    ],
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/X"}}
                        },
                        "required": True,
                    },
                    "responses": {
                        "201": {
                            "description": "Made",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/X"},
                                    "examples": {"One": {"value": {"kind": "a"}}},
                                }
                            },
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Kind": {"type": "string", "enum": ["a", "b"]},
                "X": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {
                        "id": {"type": "integer", "readOnly": True},
                        "kind": {"$ref": "#/components/schemas/Kind"},
                        "note": {"type": "string", "maxLength": 50, "nullable": True},
                    },
                },
            }
        },
    }
    (group,) = build(schema)["groups"]
    (op,) = group["operations"]
    (param,) = op["parameters"]
    assert param["limits"] == ["at least 1", "at most 9"] and param["required"]
    assert op["body"]["schema_name"] == "X"
    kind, note = op["body"]["fields"]  # the read-only id is not sent
    assert (kind["name"], kind["type"], kind["required"], kind["enum"]) == (
        "kind",
        "string",
        True,
        ["a", "b"],
    )
    assert (note["type"], note["limits"], note["required"]) == (
        "string or null",
        ["at most 50 characters"],
        False,
    )
    (response,) = op["responses"]
    assert response["status"] == "201" and response["schemas"] == ["X"]
    assert op["examples"][0]["text"] == '{\n  "kind": "a"\n}'
