"""The API reference: the OpenAPI schema drf-spectacular generates, as a server-rendered page in
the portal's layout (headings, a contents list, tables), for people who read with a screen
reader, a magnifier or a keyboard. The interactive Swagger UI (``api-docs``) stays as a
secondary link.

The schema is built from the code and does not change while the process runs, so it is
generated and turned into the page's view model once per process (:func:`reference`)."""

from __future__ import annotations

import json
import re
from functools import lru_cache

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify

# Tags as people read them (the rest: "metric-values" becomes "Metric values").
GROUP_NAMES = {"api": "API root", "spc": "SPC charts"}
METHODS = ("get", "post", "put", "patch", "delete")
LIMITS = (
    ("minimum", "at least {}"),
    ("maximum", "at most {}"),
    ("exclusiveMinimum", "more than {}"),
    ("exclusiveMaximum", "less than {}"),
    ("minLength", "at least {} characters"),
    ("maxLength", "at most {} characters"),
    ("minItems", "at least {} items"),
    ("maxItems", "at most {} items"),
    ("pattern", "matches {}"),
)


def _inline(text: str) -> str:
    """One line of the schema's Markdown (`code`, **bold**) as HTML, everything else escaped."""
    out = escape(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)


def markdown(text: str | None) -> str:
    """The small part of Markdown the schema's descriptions use: paragraphs, bulleted lists
    (``* `` or ``- ``), `code` and **bold**. Everything else is escaped."""
    if not text:
        return ""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if all(re.match(r"[*-] ", line) for line in lines):
            items = "".join(f"<li>{_inline(line[2:])}</li>" for line in lines)
            blocks.append(f'<ul class="nhsuk-list nhsuk-list--bullet">{items}</ul>')
        else:
            blocks.append(f"<p>{_inline(' '.join(lines))}</p>")
    return mark_safe("".join(blocks))  # noqa: S308 - built from escaped text only


class _Schema:
    def __init__(self, schema: dict):
        self.schema = schema

    def resolve(self, node: dict | None) -> dict:
        """``node`` with its ``$ref`` (and a single ``allOf``) followed."""
        seen = 0
        while node and seen < 20:
            seen += 1
            if "$ref" in node:
                name = node["$ref"].rsplit("/", 1)[-1]
                node = {**self.schema["components"]["schemas"].get(name, {}), "_name": name}
            elif len(node.get("allOf", [])) == 1:
                rest = {k: v for k, v in node.items() if k != "allOf"}
                node = {**self.resolve(node["allOf"][0]), **rest}
            else:
                break
        return node or {}

    def type_text(self, node: dict | None) -> str:
        """A schema's type in words: "string (date-time)", "array of ImportRun", "object"."""
        node = node or {}
        if "$ref" in node:
            target = self.resolve(node)
            if "enum" in target and "properties" not in target:  # a named list of values
                return self.type_text({k: v for k, v in target.items() if k != "enum"})
            return target.get("_name", "object")
        if node.get("allOf") and len(node["allOf"]) == 1:
            text = self.type_text(node["allOf"][0])
        elif node.get("oneOf") or node.get("anyOf"):
            text = " or ".join(self.type_text(n) for n in node.get("oneOf") or node["anyOf"])
        elif node.get("type") == "array":
            text = f"array of {self.type_text(node.get('items'))}"
        else:
            text = node.get("type", "any")
            if node.get("format"):
                text += f" ({node['format']})"
        if node.get("nullable"):
            text += " or null"
        return text

    def rules(self, node: dict | None) -> dict:
        """Allowed values, limits and default of a schema (its ``$ref`` followed)."""
        node = node or {}
        target = self.resolve(node) if "$ref" in node or node.get("allOf") else node
        if target.get("type") == "array":
            target = {**self.resolve(target.get("items")), **target}
        enum = [v for v in target.get("enum", []) if v not in (None, "")]
        limits = [text.format(target[key]) for key, text in LIMITS if key in target]
        if "default" in node:
            limits.append(f"default {json.dumps(node['default'])}")
        return {"enum": enum, "limits": limits}

    def fields(self, node: dict | None) -> list[dict]:
        """The properties of an object schema: name, type, required, description, rules."""
        target = self.resolve(node)
        required = set(target.get("required", []))
        rows = []
        for name, prop in target.get("properties", {}).items():
            if prop.get("readOnly"):
                continue
            rows.append(
                {
                    "name": name,
                    "type": self.type_text(prop),
                    "required": name in required,
                    "description": markdown(
                        prop.get("description") or self.resolve(prop).get("description")
                    ),
                    **self.rules(prop),
                }
            )
        return rows


def _example_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)


def _operation(s: _Schema, method: str, path: str, op: dict, path_params: list) -> dict:
    anchor = slugify(op.get("operationId") or f"{method}-{path}")
    parameters = []
    for param in [*path_params, *op.get("parameters", [])]:
        param = s.resolve(param)
        examples = [e.get("value") for e in param.get("examples", {}).values()]
        if "example" in param:
            examples.append(param["example"])
        parameters.append(
            {
                "name": param["name"],
                "in": param["in"],
                "required": bool(param.get("required")),
                "type": s.type_text(param.get("schema")),
                "description": markdown(param.get("description")),
                "examples": [_example_text(e) for e in examples if e is not None],
                **s.rules(param.get("schema")),
            }
        )
    body = None
    if op.get("requestBody"):
        request = op["requestBody"]
        content = request.get("content", {})
        media_types = list(content)
        first = content[media_types[0]] if media_types else {}
        body = {
            "required": bool(request.get("required")),
            "media_types": media_types,
            "schema_name": s.type_text(first.get("schema")),
            "description": markdown(request.get("description")),
            "fields": s.fields(first.get("schema")),
        }
    responses, examples = [], []
    for status, response in op.get("responses", {}).items():
        response = s.resolve(response)
        content = response.get("content", {})
        schemas = sorted({s.type_text(c.get("schema")) for c in content.values() if c})
        responses.append(
            {
                "status": status,
                "description": markdown(response.get("description")),
                "media_types": list(content),
                "schemas": schemas,
                "headers": list(response.get("headers", {})),
            }
        )
        for media_type, media in content.items():
            for name, example in (media or {}).get("examples", {}).items():
                examples.append(
                    {
                        "id": f"{anchor}-{status}-{slugify(name)}",
                        "status": status,
                        "media_type": media_type,
                        "name": example.get("summary") or name,
                        "text": _example_text(example.get("value")),
                    }
                )
    return {
        "anchor": anchor,
        "method": method.upper(),
        "path": path,
        "summary": op.get("summary") or f"{method.upper()} {path}",
        "description": markdown(op.get("description")),
        "parameters": parameters,
        "body": body,
        "responses": responses,
        "examples": examples,
        "authenticated": bool(op.get("security")),
    }


def build(schema: dict) -> dict:
    """The page's view model from an OpenAPI 3 schema: operations grouped by their first tag."""
    s = _Schema(schema)
    groups: dict[str, list] = {}
    for path, item in schema.get("paths", {}).items():
        path_params = item.get("parameters", [])
        for method in METHODS:
            if method in item:
                op = item[method]
                tag = (op.get("tags") or ["api"])[0]
                groups.setdefault(tag, []).append(_operation(s, method, path, op, path_params))
    info = schema.get("info", {})
    return {
        "title": info.get("title", "API"),
        "version": info.get("version", ""),
        "description": markdown(info.get("description")),
        "paths": list(schema.get("paths", {})),
        "groups": [
            {
                "name": GROUP_NAMES.get(tag, tag.replace("-", " ").capitalize()),
                "anchor": f"group-{slugify(tag)}",
                "operations": ops,
            }
            for tag, ops in groups.items()
        ],
    }


@lru_cache(maxsize=1)
def reference() -> dict:
    """The rendered schema, built once per process: it comes from the code alone."""
    from drf_spectacular.generators import SchemaGenerator

    return build(SchemaGenerator().get_schema(request=None, public=True))


@login_required
def api_reference(request):
    return render(request, "api/reference.html", {"reference": reference()})
