"""Outbound messages: written as Message + Outbox rows in the caller's transaction, sent by a job.

The send job claims a row with a lease, calls the inbox's adapter and records the outcome:
transient errors retry with exponential backoff and jitter (the provider's Retry-After
wins), permanent errors and exhausted attempts mark the row and its message failed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from channels.base import Attachment, Button, DeliveryStatus, OutboundMessage, SendResult
from channels.errors import PermanentSendError, TransientSendError
from config.hub import OutboxPolicy
from hub.context import HubContext
from hub.jobs.names import PROCESS_JOB, SEND_JOB
from hub.store.bulk import insert_all, placeholders
from hub.store.models import (
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


def backoff_delay(policy: OutboxPolicy, attempt: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter; a provider-given delay is honoured as a floor."""
    ceiling = min(policy.max_delay_s, policy.base_delay_s * (2 ** max(0, attempt - 1)))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


async def send_outbox(ctx: HubContext, outbox_id: int) -> None:
    """The send job: claim, call the adapter, record the outcome, schedule a retry."""
    if ctx.sender is not None:
        await ctx.sender.submit(outbox_id)
    else:
        await send_outboxes(ctx, [outbox_id])


@dataclass(frozen=True, slots=True)
class _Claimed:
    """An outbox row this worker holds the lease of."""

    id: int
    inbox_id: int
    message_id: int | None
    payload: str
    attempts: int


def _claim_sql(dialect: str, rows: int) -> str:
    """Take the lease of every row that is due, or whose lease ran out (a crashed worker),
    in one statement that returns what it took."""
    marks = placeholders(dialect, rows + 3)
    ids = ",".join(marks[3:])
    # only placeholders and constants of this module reach the SQL text
    return (
        f'UPDATE "outbox" SET "status"=\'sending\',"lease_until"={marks[0]},'  # noqa: S608
        f'"attempts"="attempts"+1 WHERE ('
        f'("status"=\'queued\' AND ("next_attempt_at" IS NULL OR "next_attempt_at"<={marks[1]}))'
        f' OR ("status"=\'sending\' AND "lease_until"<{marks[2]})) AND "id" IN ({ids})'
        # SQLite binds by position: the marks appear in the order of the values
        ' RETURNING "id","inbox_id","message_id","payload","attempts"'
    )


def _window_sql(dialect: str, rows: int) -> str:
    ids = ",".join(placeholders(dialect, rows))
    return (
        'SELECT m."id" "message_id",c."last_customer_message_at" "at" FROM "message" m '  # noqa: S608
        f'JOIN "conversation" c ON c."id"=m."conversation_id" WHERE m."id" IN ({ids})'
    )


def _record_sent_sql(dialect: str) -> str:
    """A message goes out: its sent time and provider id. A status callback may already
    have moved it on, so only 'queued' becomes 'sent'."""
    sent_at, provider_id, message_id = placeholders(dialect, 3)
    return (
        f'UPDATE "message" SET "sent_at"={sent_at},'  # noqa: S608
        f'"provider_message_id"=COALESCE({provider_id},"provider_message_id"),'
        "\"delivery_status\"=CASE WHEN \"delivery_status\"='queued' THEN 'sent' "
        f'ELSE "delivery_status" END WHERE "id"={message_id}'
    )


async def send_outboxes(ctx: HubContext, outbox_ids: Sequence[int]) -> dict[int, Exception]:
    """Send a batch of outbox rows: one claim, the sends side by side, one transaction
    for the rows that went out. Failures are recorded row by row, with their retry."""
    now = datetime.now(UTC)
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    at = Outbox._meta.fields_map["lease_until"]
    lease_until = now + timedelta(seconds=ctx.settings.send_lease_s)
    rows = await conn.execute_query_dict(
        _claim_sql(dialect, len(outbox_ids)),
        [
            at.to_db_value(lease_until, Outbox),
            at.to_db_value(now + timedelta(seconds=1), Outbox),
            at.to_db_value(now, Outbox),
            *outbox_ids,
        ],
    )
    claimed = [
        _Claimed(r["id"], r["inbox_id"], r["message_id"], r["payload"], r["attempts"]) for r in rows
    ]
    taken = {row.id for row in claimed}
    await _defer_not_due(ctx, [i for i in outbox_ids if i not in taken], now)
    windows = await _windows(conn, [row.message_id for row in claimed if row.message_id])
    outcomes = await asyncio.gather(*(_attempt(ctx, row, windows) for row in claimed))
    sent = [(row, result) for row, result in zip(claimed, outcomes, strict=True) if result]
    if sent:
        await _record_sent(conn, sent)
    await replay_early_receipts(
        ctx,
        [
            (row.inbox_id, result.provider_message_id[:255])
            for row, result in sent
            if row.message_id is not None and result.provider_message_id
        ],
    )
    return {}


async def _defer_not_due(ctx: HubContext, ids: list[int], now: datetime) -> None:
    """Rows not taken that wait for a later attempt get their job back, delayed."""
    if not ids:
        return
    later = await Outbox.filter(
        id__in=ids, status=OutboxStatus.QUEUED, next_attempt_at__gt=now
    ).values_list("id", "attempts", "next_attempt_at")
    for outbox_id, attempts, due in later:
        await ctx.queue.enqueue(
            SEND_JOB,
            outbox_id,
            job_id=f"send:{outbox_id}:{attempts}",
            delay_s=(due - now).total_seconds(),
        )


async def _windows(conn: Any, message_ids: list[int]) -> dict[int, datetime | None]:
    """When each message's customer last wrote (channels with a reply window need it)."""
    if not message_ids:
        return {}
    field = Conversation._meta.fields_map["last_customer_message_at"]
    rows = await conn.execute_query_dict(
        _window_sql(conn.capabilities.dialect, len(message_ids)), message_ids
    )
    return {r["message_id"]: field.to_python_value(r["at"]) for r in rows}


async def _attempt(
    ctx: HubContext, row: _Claimed, windows: dict[int, datetime | None]
) -> SendResult | None:
    """Call the adapter once; a failure is recorded here (retry or permanent)."""
    inbox = ctx.inboxes_by_id.get(row.inbox_id)
    adapter = ctx.adapters.get(inbox.slug) if inbox else None
    policy = ctx.config.hub.outbox
    if adapter is None:
        reason = ctx.unavailable.get(inbox.slug, "inbox not configured") if inbox else "no inbox"
        await _retry_or_fail(ctx, row, row.attempts, policy, reason, None)
        return None
    outbound = outbound_from_json(
        row.payload, windows.get(row.message_id) if row.message_id else None
    )
    try:
        return await adapter.send(outbound)
    except PermanentSendError as exc:
        await _fail(row.id, row.message_id, exc.reason)
    except TransientSendError as exc:
        await _retry_or_fail(ctx, row, row.attempts, policy, exc.reason, exc.retry_after)
    except Exception as exc:  # an adapter bug must not lose the message: retry like a 5xx
        log.exception("send of outbox %s raised", row.id)
        await _retry_or_fail(ctx, row, row.attempts, policy, f"unexpected error: {exc}", None)
    return None


async def _record_sent(conn: Any, sent: list[tuple[_Claimed, SendResult]]) -> None:
    """The rows and their messages change together, in one transaction for the batch."""
    sent_at = datetime.now(UTC)
    at = Message._meta.fields_map["sent_at"].to_db_value(sent_at, Message)
    async with in_transaction() as tx:
        await (
            Outbox.filter(id__in=[row.id for row, _ in sent])
            .using_db(tx)
            .update(status=OutboxStatus.SENT, sent_at=sent_at, lease_until=None, last_error=None)
        )
        await tx.execute_many(
            _record_sent_sql(conn.capabilities.dialect),
            [
                [at, (result.provider_message_id or "")[:255] or None, row.message_id]
                for row, result in sent
                if row.message_id is not None
            ],
        )


async def replay_early_receipts(ctx: HubContext, sent: Sequence[tuple[int, str]]) -> None:
    """Receipts that arrived before their send recorded its provider id apply now (a fast
    provider can call back before the send's own response is written). ``sent`` holds
    (inbox id, provider message id) pairs: one query for a whole send batch."""
    if not sent:
        return
    wanted = {(inbox_id, f"status:{provider_id}") for inbox_id, provider_id in sent}
    rows = await InboundEvent.filter(
        inbox_id__in={inbox_id for inbox_id, _ in wanted},
        order_key__in={key for _, key in wanted},
        status=EventStatus.IGNORED,
        error=NO_MESSAGE_YET,
    ).values_list("id", "inbox_id", "order_key")
    early = [event_id for event_id, inbox_id, key in rows if (inbox_id, key) in wanted]
    if not early:
        return
    await InboundEvent.filter(id__in=early).update(
        status=EventStatus.RECEIVED, error=None, processed_at=None
    )
    for event_id in early:
        await ctx.queue.enqueue(PROCESS_JOB, str(event_id), job_id=f"ev:{event_id}:replay")


async def _retry_or_fail(
    ctx: HubContext,
    row: _Claimed,
    attempt: int,
    policy: OutboxPolicy,
    reason: str,
    retry_after: float | None,
) -> None:
    if attempt >= policy.max_attempts:
        await _fail(row.id, row.message_id, f"gave up after {attempt} attempts: {reason}")
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


async def _fail(outbox_id: int, message_id: int | None, reason: str) -> None:
    log.warning("outbox %s failed permanently: %s", outbox_id, reason)
    async with in_transaction() as conn:
        await (
            Outbox.filter(id=outbox_id)
            .using_db(conn)
            .update(status=OutboxStatus.FAILED, lease_until=None, last_error=reason[:2000])
        )
        if message_id is not None:
            await (
                Message.filter(id=message_id)
                .using_db(conn)
                .update(delivery_status=DeliveryStatus.FAILED.value, error=reason[:2000])
            )
