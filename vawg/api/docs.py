"""The API's browsable documentation for signed-in staff: the OpenAPI schema read out as a
GOV.UK page (operations by part, the scope each needs, parameters, body fields and
answers), with no script, so it is accessible and keeps to the site's content policy."""

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Field:
    name: str
    where: str
    required: bool
    kind: str
    description: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    scope: str
    anchor: str
    parameters: list[Field] = field(default_factory=list)
    body: list[Field] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)


def _kind(spec: dict, schemas: dict) -> str:
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in spec:
        return " or ".join(_kind(s, schemas) for s in spec["anyOf"])
    if spec.get("type") == "array":
        return f"list of {_kind(spec.get('items', {}), schemas)}"
    kind = spec.get("type", "any")
    return f"{kind} ({spec['format']})" if "format" in spec else kind


def _body(operation: dict, schemas: dict) -> list[Field]:
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        schema = media.get("schema", {})
        if "$ref" in schema:
            schema = schemas.get(schema["$ref"].rsplit("/", 1)[-1], {})
        required = set(schema.get("required", []))
        return [
            Field(name, "body", name in required, _kind(spec, schemas), spec.get("description", ""))
            for name, spec in schema.get("properties", {}).items()
        ]
    return []


def operations(schema: dict) -> dict[str, list[Operation]]:
    """Each operation of the schema, grouped by its tag."""
    schemas = schema.get("components", {}).get("schemas", {})
    grouped: dict[str, list[Operation]] = {}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            if method not in item:
                continue
            spec: dict[str, Any] = item[method]
            grouped.setdefault((spec.get("tags") or ["Other"])[0], []).append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=spec.get("summary", ""),
                    description=spec.get("description", ""),
                    scope=spec.get("x-scope", "none"),
                    anchor=spec.get("operationId", f"{method}-{path}"),
                    parameters=[
                        Field(
                            p["name"],
                            p.get("in", ""),
                            bool(p.get("required")),
                            _kind(p.get("schema", {}), schemas),
                            p.get("description", ""),
                        )
                        for p in spec.get("parameters", [])
                    ],
                    body=_body(spec, schemas),
                    answers=[
                        (code, r.get("description", "")) for code, r in spec["responses"].items()
                    ],
                )
            )
    return grouped


class ApiDocs(DocsBase):
    def render_page(self, request: HttpRequest, api, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        return render(
            request,
            "api/docs.html",
            {
                "title": schema["info"]["title"],
                "description": schema["info"].get("description", ""),
                "groups": operations(schema),
                "schema_url": self.get_openapi_url(api, kwargs),
            },
        )
