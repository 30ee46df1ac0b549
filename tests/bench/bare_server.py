"""Baselines for the ingest benchmark, served by plain aiohttp handlers that do no work:

- ``POST /webhooks/{inbox}`` reads the body and says 200;
- the web chat protocol (session, web socket, post) with the greeting pushed straight back
  from memory: what the load generator and aiohttp alone reach on this machine.
"""

from __future__ import annotations

import sys
import uuid

from aiohttp import web

from hub.event_loop import loop_factory

SOCKETS = web.AppKey("sockets", dict[str, web.WebSocketResponse])
GREETING = {"type": "message", "message": {"text": "Hello! How can we help?", "buttons": []}}


async def handler(request: web.Request) -> web.Response:
    await request.read()
    return web.Response(text='{"ok":true}', content_type="application/json")


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


async def session(request: web.Request) -> web.Response:
    return web.json_response({"token": uuid.uuid4().hex}, status=201)


async def socket(request: web.Request) -> web.WebSocketResponse:
    token = request.query["token"]
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    request.app[SOCKETS][token] = ws
    await ws.send_json({"type": "ready"})
    try:
        async for _ in ws:
            pass
    finally:
        request.app[SOCKETS].pop(token, None)
    return ws


async def message(request: web.Request) -> web.Response:
    token = request.headers["Authorization"].removeprefix("Bearer ")
    await request.json()
    ws = request.app[SOCKETS].get(token)
    if ws is not None:
        await ws.send_json(GREETING)
    return web.json_response({"duplicate": False}, status=202)


def main() -> None:
    app = web.Application()
    app[SOCKETS] = {}
    app.router.add_post("/webhooks/{inbox}", handler)
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/webchat/{inbox}/sessions", session)
    app.router.add_get("/api/webchat/{inbox}/ws", socket)
    app.router.add_post("/api/webchat/{inbox}/messages", message)
    # the hub's own loop (uvloop where installed), so the ratio compares handlers, not loops
    loop = loop_factory("auto")()
    web.run_app(
        app, host="127.0.0.1", port=int(sys.argv[1]), print=None, access_log=None, loop=loop
    )


if __name__ == "__main__":
    main()
