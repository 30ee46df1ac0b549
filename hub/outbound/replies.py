"""Replies the hub decided to send, written as Message + Outbox rows in the caller's
transaction (two multi-row inserts for a whole round), and the send jobs they queue."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from channels.base import Attachment, Button, DeliveryStatus, OutboundMessage
from hub.context import HubContext
from hub.jobs.names import SEND_JOB
from hub.store.bulk import insert_all
from hub.store.models import Conversation, Message, Outbox, SenderKind


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply the hub decided to send, before it becomes rows."""

    text: str
    buttons: tuple[Button, ...] = ()
    sender_kind: SenderKind = SenderKind.BOT
    agent_id: int | None = None
    sender_name: str | None = None


def outbound_to_json(message: OutboundMessage) -> str:
    return json.dumps(
        {
            "recipient": message.recipient,
            "text": message.text,
            "reference": message.reference,
            "conversation_ref": message.conversation_ref,
            "buttons": [{"id": b.id, "title": b.title} for b in message.buttons],
            "attachments": [a.to_dict() for a in message.attachments],
            "reply_to": message.reply_to,
            "sender_name": message.sender_name,
        },
        ensure_ascii=False,
    )


def outbound_from_json(text: str, last_customer_message_at: datetime | None) -> OutboundMessage:
    raw = json.loads(text)
    return OutboundMessage(
        recipient=raw["recipient"],
        text=raw["text"],
        reference=raw["reference"],
        conversation_ref=raw.get("conversation_ref", ""),
        buttons=tuple(Button(b["id"], b["title"]) for b in raw.get("buttons", ())),
        attachments=tuple(Attachment(**a) for a in raw.get("attachments", ())),
        reply_to=raw.get("reply_to"),
        customer_last_message_at=last_customer_message_at,
        sender_name=raw.get("sender_name"),
    )


@dataclass(frozen=True, slots=True)
class ReplyBatch:
    """The replies decided for one conversation, and the channel address they go to."""

    conversation: Conversation
    recipient: str
    replies: Sequence[Reply]


async def create_replies(
    conn: Any, conversation: Conversation, recipient: str, replies: Sequence[Reply]
) -> list[Outbox]:
    """Write each reply as a Message and an Outbox row in the caller's transaction."""
    return await create_reply_batches(conn, [ReplyBatch(conversation, recipient, replies)])


async def create_reply_batches(conn: Any, batches: Sequence[ReplyBatch]) -> list[Outbox]:
    """:func:`create_replies` for many conversations: two multi-row inserts in all."""
    planned = [(batch, reply) for batch in batches for reply in batch.replies]
    messages = [
        Message(
            conversation_id=batch.conversation.id,
            inbox_id=batch.conversation.inbox_id,
            direction="out",
            sender_kind=reply.sender_kind,
            agent_id=reply.agent_id,
            text=reply.text,
            buttons=[{"id": b.id, "title": b.title} for b in reply.buttons],
            delivery_status=DeliveryStatus.QUEUED.value,
        )
        for batch, reply in planned
    ]
    await insert_all(conn, messages)
    rows = [
        Outbox(
            inbox_id=batch.conversation.inbox_id,
            message_id=message.id,
            payload=outbound_to_json(
                OutboundMessage(
                    recipient=batch.recipient,
                    text=reply.text,
                    reference=str(message.id),
                    conversation_ref=str(batch.conversation.id),
                    buttons=reply.buttons,
                    sender_name=reply.sender_name,
                )
            ),
        )
        for (batch, reply), message in zip(planned, messages, strict=True)
    ]
    return list(await insert_all(conn, rows))


async def enqueue_sends(ctx: HubContext, rows: Sequence[Outbox]) -> None:
    for row in rows:
        await ctx.queue.enqueue(SEND_JOB, row.id, job_id=f"send:{row.id}:{row.attempts}")
