"""What the inbox shows of a conversation and of a message: the agent API's bodies plus
what a list row needs (channel, SLA, waiting since, last message, assignee's name)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from tortoise.functions import Max

from hub.context import HubContext
from hub.store.models import Agent, Contact, Conversation, Message
from hub.web.serialize import conversation_out, message_out

PREVIEW_CHARS = 140


def _plain(model: Any) -> dict[str, Any]:
    return dict(json.loads(model.model_dump_json()))


def waiting_since(conversation: Conversation) -> Any:
    """Since when the customer waits for a person: the escalation, else the opening."""
    return conversation.escalated_at or conversation.created_at


def conversation_row(
    ctx: HubContext,
    conversation: Conversation,
    contact: Contact,
    agents: dict[int, str],
    last: Message | None,
) -> dict[str, Any]:
    inbox = ctx.inboxes_by_id.get(conversation.inbox_id)
    body = _plain(conversation_out(conversation, contact, inbox.slug if inbox else "?"))
    body.update(
        channel=inbox.kind if inbox else "?",
        assignee_name=agents.get(conversation.assignee_id or 0),
        sla_due_at=conversation.sla_due_at.isoformat() if conversation.sla_due_at else None,
        waiting_since=waiting_since(conversation).isoformat(),
        escalated_at=conversation.escalated_at.isoformat() if conversation.escalated_at else None,
        last_message=(last.text or "")[:PREVIEW_CHARS] if last else None,
        last_message_kind=last.sender_kind if last else None,
    )
    return body


def message_row(message: Message, agents: dict[int, str]) -> dict[str, Any]:
    body = _plain(message_out(message))
    body.update(
        conversation_id=message.conversation_id,
        agent_name=agents.get(message.agent_id or 0),
        attachments=[
            {"name": str(a.get("filename") or a.get("name") or ""), "type": str(a.get("type", ""))}
            for a in message.attachments or []
        ],
    )
    return body


async def agent_names(ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {a.id: a.name for a in await Agent.filter(id__in=wanted)}


async def conversation_rows(
    ctx: HubContext, conversations: list[Conversation]
) -> list[dict[str, Any]]:
    """Rows for ``conversations`` in their order, in three queries whatever their number."""
    if not conversations:
        return []
    ids = [c.id for c in conversations]
    contacts = {c.id: c for c in await Contact.filter(id__in={c.contact_id for c in conversations})}
    agents = await agent_names(c.assignee_id for c in conversations)
    newest = (
        await Message.filter(conversation_id__in=ids)
        .group_by("conversation_id")
        .annotate(newest=Max("id"))
        .values_list("newest", flat=True)
    )
    last = {m.conversation_id: m for m in await Message.filter(id__in=list(newest))}
    return [
        conversation_row(ctx, c, contacts[c.contact_id], agents, last.get(c.id))
        for c in conversations
        if c.contact_id in contacts
    ]
