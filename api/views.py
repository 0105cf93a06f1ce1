"""The API's documentation page, for signed-in people: every endpoint of the OpenAPI schema,
server-rendered in the portal's own layout (accessible, and without any script under the
strict CSP). The schema itself is at /api/openapi.json for tools (Swagger UI, Postman, code
generators) to read."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from .endpoints import api

METHODS = ("get", "post", "put", "patch", "delete")


def _type_of(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " or ".join(_type_of(option) for option in schema["anyOf"])
    kind = schema.get("type", "object")
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _body_fields(schema: dict[str, Any], operation: dict[str, Any]) -> list[dict[str, Any]]:
    content = operation.get("requestBody", {}).get("content", {})
    reference = content.get("application/json", {}).get("schema", {}).get("$ref", "")
    if not reference:
        return []
    body = schema["components"]["schemas"][reference.rsplit("/", 1)[-1]]
    required = set(body.get("required", ()))
    return [
        {"name": name, "type": _type_of(field), "required": name in required}
        for name, field in body.get("properties", {}).items()
    ]


def endpoints(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema's operations, grouped by their tag, in the schema's order."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, operations in schema["paths"].items():
        for method in METHODS:
            if method not in operations:
                continue
            operation = operations[method]
            groups.setdefault(operation.get("tags", ["Other"])[0], []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "signed_in": bool(operation.get("security")),
                    "parameters": [
                        {
                            "name": parameter["name"],
                            "where": parameter["in"],
                            "required": parameter.get("required", False),
                            "type": _type_of(parameter.get("schema", {})),
                        }
                        for parameter in operation.get("parameters", [])
                    ],
                    "body": _body_fields(schema, operation),
                    "answers": sorted(operation.get("responses", {})),
                }
            )
    return [{"tag": tag, "operations": operations} for tag, operations in groups.items()]


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    schema = api.get_openapi_schema()
    return render(
        request,
        "api/docs.html",
        {
            "schema": schema,
            "groups": endpoints(schema),
            "site": settings.SITE_URL.rstrip("/"),
            "rate": settings.API_RATE_PER_MINUTE,
            "public_rate": settings.API_PUBLIC_RATE_PER_MINUTE,
        },
    )


@require_GET
def api_home(request: HttpRequest) -> HttpResponse:
    return redirect("api:docs")
