"""Agent access to inbound media, fetched lazily from the provider.

Ingestion only records a medium's provider id or URL; the bytes are fetched when an agent
opens it: WhatsApp Cloud through ``GET /{media-id}`` then the short-lived URL (both with the
access token), Twilio's media URLs with Basic auth, any other stored URL only as the
inbox's media policy allows (``channels.media_policy``: a refusal is a 403). Nothing is
cached on disk. Provider failures answer 502 with a one-line reason.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from channels.base import ChannelAdapter
from channels.errors import MediaRefused, SendError
from channels.media_fetch import fetch_media as fetch_under_policy
from hub.errors import NotFound
from hub.logs import redact
from hub.store.models import Conversation, Message
from hub.web.agent_api import authenticated, request_view
from hub.web.apidoc import documented
from hub.web.errors import error_response
from hub.web.keys import RUNTIME
from hub.web.params import path_id

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

DEFAULT_TYPE = "application/octet-stream"


def _media_headers(mime: str, attachment: dict[str, Any]) -> dict[str, str]:
    headers = {
        "Content-Type": mime or DEFAULT_TYPE,
        # customer-supplied bytes: never sniffed into HTML, never run as a page
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, max-age=300",
    }
    filename = attachment.get("filename")
    if isinstance(filename, str) and filename:
        safe = "".join(c for c in filename if c.isprintable() and c not in '"\\')[:200]
        headers["Content-Disposition"] = f'inline; filename="{safe}"'
    return headers


async def _message_for(request: web.Request) -> Message:
    message_id = path_id(request.match_info["id"], "message")
    message = await Message.get_or_none(id=message_id)
    if message is None:
        raise NotFound("no such message")
    visible = await Conversation.filter(request_view(request), id=message.conversation_id).exists()
    if not visible:
        raise NotFound("no such message")  # same answer: existence is not disclosed
    return message


def _attachment(message: Message, raw_index: str) -> dict[str, Any]:
    index = path_id(raw_index, "attachment") if raw_index != "0" else 0
    attachments = message.attachments or []
    if not 0 <= index < len(attachments) or not isinstance(attachments[index], dict):
        raise NotFound("no such attachment")
    return attachments[index]


@routes.get("/api/messages/{id}/attachments/{index}")
@documented("Download an inbound attachment (fetched from the provider on request)")
@authenticated
async def attachment(request: web.Request) -> web.StreamResponse:
    """The bytes of one attachment of a message, fetched from the provider now."""
    runtime = request.app[RUNTIME]
    ctx = runtime.ctx
    message = await _message_for(request)
    item = _attachment(message, request.match_info["index"])
    media_id, url = item.get("media_id"), item.get("url")
    if not media_id and not url:
        raise NotFound(f"this {item.get('kind') or 'attachment'} has no media to download")
    inbox = ctx.inboxes_by_id.get(message.inbox_id)
    adapter: ChannelAdapter | None = ctx.adapters.get(inbox.slug) if inbox else None
    via_adapter = {"whatsapp_cloud": media_id, "twilio": url}.get(inbox.kind if inbox else "")
    if not via_adapter and not url:
        raise NotFound("this attachment has no URL to download")
    if not via_adapter or inbox is None:
        return await _fetch_url(request, inbox.slug if inbox else "", str(url), item)
    fetch_media = getattr(adapter, "fetch_media", None)
    if fetch_media is None:
        reason = ctx.unavailable.get(inbox.slug, "") if inbox else ""
        return error_response(503, f"the inbox cannot fetch media now: {reason or 'no adapter'}")
    try:
        content, mime = await fetch_media(str(via_adapter))
    except SendError as exc:
        log.warning("media of message %s: provider failed: %s", message.id, redact(exc.reason))
        return error_response(502, f"provider error: {exc.reason}")
    return web.Response(body=content, headers=_media_headers(mime or DEFAULT_TYPE, item))


async def _fetch_url(
    request: web.Request, slug: str, url: str, item: dict[str, Any]
) -> web.Response:
    """A stored URL (e.g. Messenger attachments), fetched only as the inbox's media policy
    allows: its provider's hosts, redirects checked hop by hop, public addresses only
    (vetted after DNS and again at connect time), bounded in size and time, never with
    credentials. A refused URL is a 403 and no request is made."""
    runtime = request.app[RUNTIME]
    policy = runtime.ctx.media_policies.get(slug)
    http = runtime.media_http
    if policy is None or http is None:
        return error_response(503, "the inbox cannot fetch media now")
    try:
        content, mime = await fetch_under_policy(http, policy, url, {})
    except MediaRefused as exc:
        log.info("stored media URL refused: %s", redact(exc.reason))
        return error_response(403, f"media URL refused: {exc.reason}")
    except SendError as exc:
        return error_response(502, f"provider error: {exc.reason}")
    return web.Response(
        body=content, headers=_media_headers(mime or item.get("mime_type") or DEFAULT_TYPE, item)
    )
