"""One conversation in the inbox: read it, reply, take it over, resolve it.

Replies go through the agent API's own handler (same outbox path, same take-over on the
first reply); take-over and resolve are decided by the brain (``decide``: the status
table, the assignee, the bot's survey and timers) and written as conditional updates, so
two agents taking the same conversation at once cannot both win: the second is told.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from tortoise.transactions import in_transaction

from automations.conversation import AgentTookOver, ResolvedByAgent
from hub.bot.step import agent_ref, on_agent_action
from hub.conversation import is_open
from hub.errors import ConversationChanged, Forbidden
from hub.outbound.replies import create_replies, enqueue_sends
from hub.store.models import Agent, Contact, ContactIdentity, Conversation, Message
from hub.web import agent_api
from hub.web.agent_api import AGENT, visible_conversation
from hub.web.inbox.keys import FEED
from hub.web.inbox.listing import sees_all
from hub.web.inbox.rows import agent_names, conversation_row, message_row
from hub.web.inbox.sessions import signed_in
from hub.web.keys import RUNTIME
from hub.web.serialize import contact_out

routes = web.RouteTableDef()
TRANSCRIPT_LIMIT = 500


async def _detail(request: web.Request, conversation: Conversation) -> dict[str, Any]:
    ctx = request.app[RUNTIME].ctx
    contact = await Contact.get(id=conversation.contact_id)
    messages = list(
        reversed(
            await Message.filter(conversation_id=conversation.id)
            .order_by("-id")
            .limit(TRANSCRIPT_LIMIT)
        )
    )
    agents = await agent_names([conversation.assignee_id, *(m.agent_id for m in messages)])
    last = messages[-1] if messages else None
    identities: list[Any] = list(
        await ContactIdentity.filter(contact_id=contact.id).values_list("inbox_id", flat=True)
    )
    language = conversation.language or ctx.config.hub.default_language
    labels = {
        f.name: _text(f.label, language) or f.name for f in ctx.config.automation.fields.fields
    }
    return {
        "conversation": conversation_row(ctx, conversation, contact, agents, last),
        "handoff": conversation.handoff,
        "contact": {
            **contact_out(contact).model_dump(mode="json"),
            "tier": contact.tier,
            "field_labels": labels,
            "channels": sorted(
                {ctx.inboxes_by_id[i].kind for i in identities if i in ctx.inboxes_by_id}
            ),
        },
        "messages": [message_row(m, agents) for m in messages],
    }


def _text(text: str | dict[str, str], language: str) -> str:
    if isinstance(text, str):
        return text
    return text.get(language) or next(iter(text.values()), "")


@routes.get("/inbox/api/conversations/{id}")
@signed_in
async def get_conversation(request: web.Request) -> web.Response:
    return web.json_response(await _detail(request, await visible_conversation(request)))


@routes.post("/inbox/api/conversations/{id}/messages")
@signed_in
async def reply(request: web.Request) -> web.StreamResponse:
    """The agent API's reply, for the signed-in agent (body ``{"text": ...}``)."""
    response = await agent_api.reply(request)
    request.app[FEED].nudge()
    return response


@routes.post("/inbox/api/conversations/{id}/take")
@signed_in
async def take_over(request: web.Request) -> web.Response:
    """Assign to me. A conversation a colleague has is refused (409), except for
    supervisors and admins, who reassign it to themselves."""
    agent: Agent = request[AGENT]
    conversation = await visible_conversation(request)
    if conversation.assignee_id == agent.id:
        return web.json_response(await _detail(request, conversation))
    if conversation.assignee_id is not None and not sees_all(agent):
        raise web.HTTPConflict(text="a colleague already has this conversation")
    if not is_open(conversation.status):
        raise Forbidden("this conversation is resolved")
    await _decided(request, conversation, AgentTookOver(agent_ref(agent)))
    return web.json_response(await _detail(request, await Conversation.get(id=conversation.id)))


@routes.post("/inbox/api/conversations/{id}/resolve")
@signed_in
async def resolve(request: web.Request) -> web.Response:
    agent: Agent = request[AGENT]
    conversation = await visible_conversation(request)
    if conversation.assignee_id not in (None, agent.id) and not sees_all(agent):
        raise Forbidden("a colleague has this conversation")
    if not is_open(conversation.status):
        raise web.HTTPConflict(text="this conversation is already resolved")
    await _decided(request, conversation, ResolvedByAgent(agent_ref(agent)))
    return web.json_response(await _detail(request, await Conversation.get(id=conversation.id)))


async def _decided(
    request: web.Request,
    conversation: Conversation,
    action: AgentTookOver | ResolvedByAgent,
) -> None:
    """The brain decides what the action does (status, assignee, timers, rules), written
    only while the conversation is as read: the loser of a race is told (409)."""
    ctx = request.app[RUNTIME].ctx
    try:
        async with in_transaction() as conn:
            replies = await on_agent_action(ctx, conn, conversation, action)
            identity = await ContactIdentity.get(id=conversation.identity_id, using_db=conn)
            rows = await create_replies(conn, conversation, identity.source_id, replies)
    except ConversationChanged as exc:
        raise web.HTTPConflict(text=str(exc)) from None
    await enqueue_sends(ctx, rows)
    request.app[FEED].nudge()
