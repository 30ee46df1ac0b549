"""The OpenAPI document describes the routes that exist."""

from __future__ import annotations

from aiohttp import web

from hub.web.apidoc import documented
from hub.web.openapi import UNDOCUMENTED, document, undocumented
from tests.support.harness import HubHarness


async def test_openapi_document_lists_the_agent_api(embedded: HubHarness) -> None:
    response = await embedded.http.get("/api/openapi.json")
    assert response.status == 200
    doc = await response.json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["paths"]["/api/conversations/{id}/messages"]) == {"post"}
    body = doc["paths"]["/api/conversations/{id}/messages"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert doc["components"]["schemas"][ref]["properties"]["text"]["maxLength"] == 4096
    routes = {
        (r.method.lower(), r.resource.canonical)
        for r in embedded.http.app.router.routes()
        if r.resource is not None
    }
    for path, ops in doc["paths"].items():
        for method in ops:
            assert (method, path) in routes or ("*", path) in routes, (method, path)


async def test_health_and_readiness(embedded: HubHarness) -> None:
    assert (await embedded.http.get("/healthz")).status == 200
    ready = await (await embedded.http.get("/readyz")).json()
    assert ready["checks"] == {"database": "ok"}


def test_every_app_route_is_documented_or_listed_as_undocumented(embedded: HubHarness) -> None:
    assert undocumented(embedded.http.app) == []


def test_the_undocumented_list_names_only_routes_that_exist(embedded: HubHarness) -> None:
    routes = {
        (r.method, r.resource.canonical)
        for r in embedded.http.app.router.routes()
        if r.resource is not None
    }
    assert set(UNDOCUMENTED) - routes == set()


async def _plain(request: web.Request) -> web.Response:
    return web.Response()


@documented("A documented route", auth=None)
async def _described(request: web.Request) -> web.Response:
    return web.Response()


def test_a_new_route_without_documentation_is_reported() -> None:
    app = web.Application()
    app.router.add_get("/api/new", _plain)
    app.router.add_post("/api/described", _described)
    assert undocumented(app) == [("GET", "/api/new")]
    assert set(document(app)["paths"]) == {"/api/described"}
