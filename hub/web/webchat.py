"""Web chat: the widget, a demo page, and the visitor API (HTTP to send, web socket to receive).

Visitors authenticate with a signed, expiring token bound to one inbox and one visitor id;
everything they can read is looked up through that id, so no token reads another's chat.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
from pathlib import Path
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from channels.webchat import visitor_channel, visitor_item
from hub.auth import Visitor
from hub.context import HubContext, InboxRef
from hub.errors import NotFound
from hub.inbound.ingest import ingest
from hub.store.models import ContactIdentity, Message
from hub.web.apidoc import documented
from hub.web.errors import error_response, read_json
from hub.web.keys import OPEN_SOCKETS, RATE_LIMITS, RUNTIME, VISITOR_TOKENS
from hub.web.ratelimits import client_ip
from hub.web.schemas import (
    VisitorHistoryOut,
    VisitorMessageAccepted,
    VisitorMessageIn,
    VisitorSessionOut,
    parse_body,
)
from hub.web.serialize import message_out

log = logging.getLogger(__name__)
routes = web.RouteTableDef()
STATIC = Path(__file__).resolve().parent / "static"
#: the demo page, read once: it is served on every visit
CHAT_PAGE = (STATIC / "chat.html").read_text(encoding="utf-8")
HISTORY_LIMIT = 200
HEARTBEAT_S = 25.0


def _webchat_inbox(request: web.Request) -> tuple[HubContext, InboxRef]:
    ctx = request.app[RUNTIME].ctx
    slug = request.match_info["inbox"]
    inbox = ctx.inboxes_by_slug.get(slug)
    config = ctx.config.inbox(slug)
    if inbox is None or config is None or config.kind != "webchat":
        raise NotFound(f"unknown web chat inbox '{slug}'")
    return ctx, inbox


def _visitor(request: web.Request, inbox: InboxRef, token: str | None) -> Visitor | None:
    if not token:
        return None
    return request.app[VISITOR_TOKENS].read(token, inbox.slug)


def _bearer(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token else None


def _allowed_origin(request: web.Request) -> str | None:
    """The request's Origin when the inbox lists it in ``allowed_origins``, else None."""
    origin = request.headers.get("Origin")
    if not origin:
        return None
    ctx = request.app[RUNTIME].ctx
    config = ctx.config.inbox(request.match_info.get("inbox", ""))
    allowed = getattr(config, "allowed_origins", ())
    return origin if origin.rstrip("/") in {o.rstrip("/") for o in allowed} else None


async def add_cors_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Let a site listed in the inbox's ``allowed_origins`` embed the widget: every visitor
    API answer (errors too, so the widget can read them) carries the CORS header."""
    if not request.path.startswith("/api/webchat/"):
        return
    origin = _allowed_origin(request)
    if origin is not None:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers.add("Vary", "Origin")


@routes.route("OPTIONS", "/api/webchat/{inbox}/{tail:.*}")
async def preflight(request: web.Request) -> web.Response:
    _webchat_inbox(request)
    if _allowed_origin(request) is None:
        return error_response(403, "origin not allowed for this inbox (allowed_origins)")
    return web.Response(
        status=204,
        headers={
            "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
            "Access-Control-Allow-Headers": "Authorization, Content-Type",
            "Access-Control-Max-Age": "600",
        },
    )


@routes.get("/widget.js")
async def widget(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "widget.js", headers={"Cache-Control": "max-age=300"})


@routes.get("/chat/{inbox}")
async def demo_page(request: web.Request) -> web.Response:
    ctx, inbox = _webchat_inbox(request)
    config = ctx.config.inbox(inbox.slug)
    title = getattr(config, "title", "") or ctx.config.hub.name
    page = CHAT_PAGE.replace("{{title}}", html.escape(title)).replace(
        "{{inbox}}", html.escape(inbox.slug, quote=True)
    )
    return web.Response(
        text=page,
        content_type="text/html",
        headers={
            "Content-Security-Policy": "default-src 'self'; connect-src 'self' ws: wss:; "
            "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
            "X-Content-Type-Options": "nosniff",
        },
    )


@routes.post("/api/webchat/{inbox}/sessions")
@documented("Start or renew a visitor session", VisitorSessionOut, status=201, auth=None)
async def new_session(request: web.Request) -> web.Response:
    """A visitor token; an unexpired one sent back keeps the same visitor (and history)."""
    _, inbox = _webchat_inbox(request)
    request.app[RATE_LIMITS].check(
        [("ip_sessions", client_ip(request)), ("inbox_sessions", inbox.slug)]
    )
    tokens = request.app[VISITOR_TOKENS]
    existing = _visitor(request, inbox, _bearer(request))
    if existing is not None:
        token, visitor = tokens.sign(existing), existing
    else:
        token, visitor = tokens.issue(inbox.slug)
    body = VisitorSessionOut(token=token, visitor_id=visitor.visitor_id)
    return web.json_response(body.model_dump(), status=201)


def _require_visitor(request: web.Request, inbox: InboxRef) -> Visitor:
    visitor = _visitor(request, inbox, _bearer(request))
    if visitor is None:
        raise web.HTTPUnauthorized(text="missing, forged or expired visitor token")
    return visitor


@routes.post("/api/webchat/{inbox}/messages")
@documented(
    "Send a visitor message",
    VisitorMessageAccepted,
    status=202,
    body=VisitorMessageIn,
    auth="visitor",
)
async def post_message(request: web.Request) -> web.Response:
    ctx, inbox = _webchat_inbox(request)
    visitor = _require_visitor(request, inbox)
    request.app[RATE_LIMITS].check(
        [
            ("visitor_messages", visitor.visitor_id),
            ("ip_messages", client_ip(request)),
            ("inbox_messages", inbox.slug),
        ]
    )
    body = parse_body(VisitorMessageIn, await read_json(request))
    item = visitor_item(visitor.visitor_id, body.client_id, body.text, body.payload, body.name)
    new = await ingest(ctx, inbox, [item])
    answer = VisitorMessageAccepted(id=item.event_id, duplicate=new == 0)
    return web.json_response(answer.model_dump(), status=202)


@routes.get("/api/webchat/{inbox}/messages")
@documented("The visitor's history", VisitorHistoryOut, auth="visitor")
async def history(request: web.Request) -> web.Response:
    _ctx, inbox = _webchat_inbox(request)
    visitor = _require_visitor(request, inbox)
    identity = await ContactIdentity.get_or_none(inbox_id=inbox.id, source_id=visitor.visitor_id)
    messages: list[Message] = []
    if identity is not None:
        messages = list(
            reversed(
                await Message.filter(conversation__identity_id=identity.id)
                .order_by("-id")
                .limit(HISTORY_LIMIT)
            )
        )
    body = VisitorHistoryOut(messages=[message_out(m) for m in messages])
    return web.json_response(json.loads(body.model_dump_json()))


@routes.get("/api/webchat/{inbox}/ws")
async def socket(request: web.Request) -> web.StreamResponse:
    ctx, inbox = _webchat_inbox(request)
    visitor = _visitor(request, inbox, request.query.get("token"))
    if visitor is None:
        return error_response(401, "missing, forged or expired visitor token")
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_S, max_msg_size=4096)
    await ws.prepare(request)
    request.app[OPEN_SOCKETS].add(ws)
    async with ctx.realtime.subscribe(visitor_channel(inbox.slug, visitor.visitor_id)) as queue:
        await ws.send_json({"type": "ready"})
        pusher = asyncio.create_task(_push(ws, queue))
        try:
            await _drain_client(ws)
        finally:
            pusher.cancel()
            await ws.close()
    return ws


async def _push(ws: web.WebSocketResponse, queue: asyncio.Queue[dict[str, Any]]) -> None:
    """What the hub sends this visitor, in order, until the socket goes."""
    try:
        while not ws.closed:
            await ws.send_json(await queue.get())
    except (ConnectionResetError, RuntimeError):
        pass  # the visitor left; the widget refetches history when it reconnects


async def _drain_client(ws: web.WebSocketResponse) -> None:
    """Visitors send over HTTP; the socket only carries pings, so read until it closes."""
    async for message in ws:
        if message.type in (WSMsgType.ERROR, WSMsgType.CLOSE):
            break


async def close_sockets(app: web.Application) -> None:
    """On shutdown: tell every connected widget to go elsewhere (1001 going away)."""
    sockets = app[OPEN_SOCKETS]
    for ws in list(sockets):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"server shutting down")
