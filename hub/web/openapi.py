"""The OpenAPI document, built from the app's route table and the pydantic models that
validate the bodies.

Every route is either documented on its handler (:func:`hub.web.apidoc.documented`) or
listed in :data:`UNDOCUMENTED` with the reason; the test of the document fails on a route
that is neither, so the document cannot fall behind the routes.
"""

from __future__ import annotations

from typing import Any, Literal

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from hub.web import schemas as s
from hub.web.apidoc import Doc, doc_of

routes = web.RouteTableDef()

#: (method, path) of routes that are not part of the API, and why
UNDOCUMENTED: dict[tuple[str, str], str] = {
    ("*", "/webhooks/{inbox}"): "besides the documented POST: the provider's GET handshake; "
    "any other method answers 405",
    ("GET", "/api/openapi.json"): "this document",
    ("GET", "/api/webchat/{inbox}/ws"): "the visitor's web socket (a protocol, not JSON)",
    ("OPTIONS", "/api/webchat/{inbox}/{tail}"): "CORS preflight of the visitor API",
    ("GET", "/widget.js"): "the web chat widget's script (a static file)",
    ("GET", "/chat/{inbox}"): "the web chat demo page (HTML)",
}
#: path prefixes whose routes are not part of the API, and why
UNDOCUMENTED_PREFIXES: dict[str, str] = {
    "/inbox": "the agent inbox's own pages, static files, JSON and socket (session cookie "
    "and CSRF, not bearer tokens; hub/web/inbox): a UI, not an integration API",
}


def operations(app: web.Application) -> list[tuple[str, str, Doc]]:
    """(method, path, documentation) of every documented route, in route order. HEAD
    routes that aiohttp adds beside each GET are the GET's."""
    found = []
    for route in app.router.routes():
        doc = doc_of(route.handler)
        if doc is None or route.resource is None or route.method == "HEAD":
            continue
        method = doc.method if route.method == "*" and doc.method else route.method
        found.append((method.lower(), route.resource.canonical, doc))
    return found


def undocumented(app: web.Application) -> list[tuple[str, str]]:
    """Routes of ``app`` neither documented nor listed in :data:`UNDOCUMENTED`."""
    missing = []
    for route in app.router.routes():
        if route.resource is None or route.method == "HEAD":
            continue
        key = (route.method, route.resource.canonical)
        path = route.resource.canonical
        inbox_ui = any(path == p or path.startswith(p + "/") for p in UNDOCUMENTED_PREFIXES)
        if doc_of(route.handler) is None and key not in UNDOCUMENTED and not inbox_ui:
            missing.append(key)
    return missing


def document(app: web.Application) -> dict[str, Any]:
    ops = operations(app)
    models: set[type[BaseModel]] = {
        m for _, _, op in ops for m in (op.response, op.body) if m is not None
    }
    models.add(s.ErrorOut)
    mode: Literal["validation"] = "validation"
    keyed = [(m, mode) for m in sorted(models, key=lambda m: m.__name__)]
    refs, schema = models_json_schema(keyed, ref_template="#/components/schemas/{model}")
    paths: dict[str, dict[str, Any]] = {}
    for method, path, op in ops:
        responses: dict[str, Any] = {}
        if op.response is not None:
            responses[str(op.status)] = {
                "description": op.summary,
                "content": {"application/json": {"schema": refs[(op.response, "validation")]}},
            }
        else:
            responses[str(op.status)] = {"description": op.summary}
        error = {"content": {"application/json": {"schema": refs[(s.ErrorOut, "validation")]}}}
        responses["400"] = {"description": "invalid request", **error}
        if op.auth:
            responses["401"] = {"description": "not authenticated", **error}
        entry: dict[str, Any] = {"summary": op.summary, "responses": responses}
        params = [p.strip("{}") for p in path.split("/") if p.startswith("{")]
        if params:
            entry["parameters"] = [
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                for p in params
            ]
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
            }
        if op.auth in ("agent", "visitor"):
            entry["security"] = [{"bearer": []}]
        paths.setdefault(path, {})[method] = entry
    return {
        "openapi": "3.1.0",
        "info": {"title": "Messaging hub API", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(document(request.app))
