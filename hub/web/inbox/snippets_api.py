"""Snippets for the composer's ``/`` palette: ``snippets.find`` over the loaded config,
each hit previewed for the open conversation in its language (variables filled in, empty
ones marked), so the agent sees exactly what the customer will get."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aiohttp import web

from hub.context import HubContext
from hub.errors import InvalidRequest
from hub.store.models import Contact, Conversation
from hub.web.agent_api import AGENT, request_view
from hub.web.errors import error_response
from hub.web.inbox.sessions import signed_in
from hub.web.keys import RUNTIME
from snippets import SnippetError, SnippetLibrary, Variables
from snippets.preview import preview

routes = web.RouteTableDef()
MAX_HITS = 20


def library(ctx: HubContext) -> SnippetLibrary:
    """The library built with the bot for this config, else one built now."""
    built = getattr(ctx.bot, "snippets", None)
    if isinstance(built, SnippetLibrary) and built.file is ctx.config.snippets:
        return built
    return SnippetLibrary.from_config(ctx.config.snippets, ctx.config.hub)


@routes.get("/inbox/api/snippets")
@signed_in
async def search(request: web.Request) -> web.Response:
    """``?q=`` (what follows ``/``) and ``?conversation=`` (whose values fill the preview)."""
    ctx = request.app[RUNTIME].ctx
    query = request.query.get("q", "")[:200]
    try:
        conversation_id = int(request.query["conversation"])
    except (KeyError, ValueError):
        raise InvalidRequest("conversation must be a conversation id") from None
    conversation = await Conversation.filter(request_view(request), id=conversation_id).first()
    if conversation is None:
        return error_response(404, "no such conversation")
    contact = await Contact.get(id=conversation.contact_id)
    inbox = ctx.inboxes_by_id.get(conversation.inbox_id)
    inbox_config = ctx.config.inbox(inbox.slug) if inbox else None
    variables = Variables(
        conversation_id=str(conversation.id),
        contact_name=contact.name,
        contact_email=contact.email,
        contact_fields=dict(contact.custom_fields or {}),
        agent_name=request[AGENT].name,
        inbox_name=(getattr(inbox_config, "name", "") or "") or ctx.config.hub.name,
    )
    language = conversation.language or contact.language or ctx.config.hub.default_language
    snippets = library(ctx)
    hits: list[dict[str, Any]] = []
    for hit in snippets.find(query, MAX_HITS):
        try:
            shown = preview(snippets, hit.name, language, variables)
        except SnippetError as exc:
            hits.append({**asdict(hit), "error": str(exc)})
            continue
        hits.append(
            {
                **asdict(hit),
                "language": shown.language,
                "text": shown.text,
                "parts": [asdict(p) for p in shown.parts],
                "missing": list(shown.missing),
            }
        )
    return web.json_response({"query": query, "hits": hits})
