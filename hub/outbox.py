"""Outbound messages: written as Message + Outbox rows in the caller's transaction, sent by a job.

The send job claims a row with a lease, calls the inbox's adapter and records the outcome:
transient errors retry with exponential backoff and jitter (the provider's Retry-After
wins), permanent errors and exhausted attempts mark the row and its message failed.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Case, F, When
from tortoise.transactions import in_transaction

from channels.base import Attachment, Button, DeliveryStatus, OutboundMessage
from channels.errors import PermanentSendError, TransientSendError
from config.hub import OutboxPolicy
from hub.context import HubContext
from hub.jobs.names import PROCESS_JOB, SEND_JOB
from hub.models import (
    Conversation,
    EventStatus,
    InboundEvent,
    Message,
    Outbox,
    OutboxStatus,
    SenderKind,
)

log = logging.getLogger(__name__)

#: the note on a receipt that arrived before (or without) the send that made its message id;
#: the send job replays such receipts once it records the id
NO_MESSAGE_YET = "no outbound message with this provider id (yet)"


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


async def create_replies(
    conn: Any, conversation: Conversation, recipient: str, replies: Sequence[Reply]
) -> list[Outbox]:
    """Write each reply as a Message and an Outbox row in the caller's transaction."""
    rows = []
    for reply in replies:
        message = await Message.create(
            conversation_id=conversation.id,
            inbox_id=conversation.inbox_id,
            direction="out",
            sender_kind=reply.sender_kind,
            agent_id=reply.agent_id,
            text=reply.text,
            buttons=[{"id": b.id, "title": b.title} for b in reply.buttons],
            delivery_status=DeliveryStatus.QUEUED.value,
            using_db=conn,
        )
        outbound = OutboundMessage(
            recipient=recipient,
            text=reply.text,
            reference=str(message.id),
            conversation_ref=str(conversation.id),
            buttons=reply.buttons,
            sender_name=reply.sender_name,
        )
        rows.append(
            await Outbox.create(
                inbox_id=conversation.inbox_id,
                message_id=message.id,
                payload=outbound_to_json(outbound),
                using_db=conn,
            )
        )
    return rows


async def enqueue_sends(ctx: HubContext, rows: Sequence[Outbox]) -> None:
    for row in rows:
        await ctx.queue.enqueue(SEND_JOB, row.id, job_id=f"send:{row.id}:{row.attempts}")


def backoff_delay(policy: OutboxPolicy, attempt: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter; a provider-given delay is honoured as a floor."""
    ceiling = min(policy.max_delay_s, policy.base_delay_s * (2 ** max(0, attempt - 1)))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


async def send_outbox(ctx: HubContext, outbox_id: int) -> None:
    """The send job: claim, call the adapter, record the outcome, schedule a retry."""
    now = datetime.now(UTC)
    row = await Outbox.filter(id=outbox_id).select_related("message__conversation").first()
    if row is None or row.status in (OutboxStatus.SENT, OutboxStatus.FAILED):
        return
    if row.next_attempt_at and row.next_attempt_at > now + timedelta(seconds=1):
        delay = (row.next_attempt_at - now).total_seconds()
        await ctx.queue.enqueue(
            SEND_JOB, row.id, job_id=f"send:{row.id}:{row.attempts}", delay_s=delay
        )
        return
    attempt = row.attempts + 1
    lease = timedelta(seconds=ctx.settings.send_lease_s)
    claimed = (
        await Outbox.filter(id=row.id, attempts=row.attempts)
        .filter(status=OutboxStatus.QUEUED)
        .update(status=OutboxStatus.SENDING, lease_until=now + lease, attempts=attempt)
    )
    if not claimed:
        expired = await Outbox.filter(
            id=row.id, attempts=row.attempts, status=OutboxStatus.SENDING, lease_until__lt=now
        ).update(lease_until=now + lease, attempts=attempt)
        if not expired:
            return  # another worker holds a live lease
    inbox = ctx.inboxes_by_id.get(row.inbox_id)
    adapter = ctx.adapters.get(inbox.slug) if inbox else None
    policy = ctx.config.hub.outbox
    if adapter is None:
        reason = ctx.unavailable.get(inbox.slug, "inbox not configured") if inbox else "no inbox"
        await _retry_or_fail(ctx, row, attempt, policy, reason, None)
        return
    message = row.message
    conversation = message.conversation if message is not None else None
    outbound = outbound_from_json(
        row.payload, conversation.last_customer_message_at if conversation else None
    )
    try:
        result = await adapter.send(outbound)
    except PermanentSendError as exc:
        await _fail(row, message, exc.reason)
        return
    except TransientSendError as exc:
        await _retry_or_fail(ctx, row, attempt, policy, exc.reason, exc.retry_after)
        return
    except Exception as exc:  # an adapter bug must not lose the message: retry like a 5xx
        log.exception("send of outbox %s raised", row.id)
        await _retry_or_fail(ctx, row, attempt, policy, f"unexpected error: {exc}", None)
        return
    sent_at = datetime.now(UTC)
    async with in_transaction() as conn:  # the row and its message change together
        await (
            Outbox.filter(id=row.id)
            .using_db(conn)
            .update(status=OutboxStatus.SENT, sent_at=sent_at, lease_until=None, last_error=None)
        )
        if message is not None:
            updates: dict[str, Any] = {
                "sent_at": sent_at,
                # a status callback may already have moved it on: only 'queued' becomes 'sent'
                "delivery_status": Case(
                    When(
                        delivery_status=DeliveryStatus.QUEUED.value,
                        then=DeliveryStatus.SENT.value,
                    ),
                    default=F("delivery_status"),
                ),
            }
            if result.provider_message_id:
                updates["provider_message_id"] = result.provider_message_id[:255]
            await Message.filter(id=message.id).using_db(conn).update(**updates)
    if message is not None and result.provider_message_id:
        await replay_early_receipts(ctx, row.inbox_id, result.provider_message_id[:255])


async def replay_early_receipts(ctx: HubContext, inbox_id: int, provider_message_id: str) -> None:
    """Receipts that arrived before their send recorded ``provider_message_id`` apply now
    (a fast provider can call back before the send's own response is written)."""
    early = await InboundEvent.filter(
        inbox_id=inbox_id,
        order_key=f"status:{provider_message_id}",
        status=EventStatus.IGNORED,
        error=NO_MESSAGE_YET,
    ).values_list("id", flat=True)
    if not early:
        return
    await InboundEvent.filter(id__in=list(early)).update(
        status=EventStatus.RECEIVED, error=None, processed_at=None
    )
    for event_id in early:
        await ctx.queue.enqueue(PROCESS_JOB, str(event_id), job_id=f"ev:{event_id}:replay")


async def _retry_or_fail(
    ctx: HubContext,
    row: Outbox,
    attempt: int,
    policy: OutboxPolicy,
    reason: str,
    retry_after: float | None,
) -> None:
    if attempt >= policy.max_attempts:
        message = await Message.get_or_none(id=row.message_id) if row.message_id else None
        await _fail(row, message, f"gave up after {attempt} attempts: {reason}")
        return
    delay = backoff_delay(policy, attempt, retry_after)
    await Outbox.filter(id=row.id).update(
        status=OutboxStatus.QUEUED,
        lease_until=None,
        last_error=reason[:2000],
        next_attempt_at=datetime.now(UTC) + timedelta(seconds=delay),
    )
    log.info("outbox %s attempt %d failed (%s), retry in %.1fs", row.id, attempt, reason, delay)
    await ctx.queue.enqueue(SEND_JOB, row.id, job_id=f"send:{row.id}:{attempt}", delay_s=delay)


async def _fail(row: Outbox, message: Message | None, reason: str) -> None:
    log.warning("outbox %s failed permanently: %s", row.id, reason)
    async with in_transaction() as conn:
        await (
            Outbox.filter(id=row.id)
            .using_db(conn)
            .update(status=OutboxStatus.FAILED, lease_until=None, last_error=reason[:2000])
        )
        if message is not None:
            await (
                Message.filter(id=message.id)
                .using_db(conn)
                .update(delivery_status=DeliveryStatus.FAILED.value, error=reason[:2000])
            )
