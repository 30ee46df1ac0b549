"""Processing of stored inbound events (DESIGN.md data path, steps 5 to 9).

``process_event`` takes the lane of its event (inbox + sender) and processes every pending
event of that lane in order, each in its own transaction, so a crash at any point leaves
the database consistent and the event still pending.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from channels.base import DeliveryStatus, InboundItem, ItemKind
from channels.messenger import watermark_of
from hub.bot import BotTurn, run_bot_step
from hub.contacts import resolve_identity
from hub.context import HubContext
from hub.jobs.names import PROCESS_JOB
from hub.models import (
    ContactIdentity,
    Conversation,
    ConversationStatus,
    EventStatus,
    InboundEvent,
    Message,
    Outbox,
    SenderKind,
)
from hub.outbox import NO_MESSAGE_YET, create_replies, enqueue_sends

log = logging.getLogger(__name__)

MAX_PROCESS_ATTEMPTS = 5
LANE_BATCH = 200


def _sort_key(event: InboundEvent) -> tuple[datetime, datetime, str]:
    return (event.occurred_at or event.received_at, event.received_at, str(event.id))


async def process_event(ctx: HubContext, event_id: str) -> None:
    """Job: process ``event_id`` and anything older that waits in the same lane."""
    event = await InboundEvent.get_or_none(id=event_id)
    if event is None or event.status != EventStatus.RECEIVED:
        return
    async with ctx.locks.lane(f"{event.inbox_id}:{event.order_key}"):
        while True:
            pending = sorted(
                await InboundEvent.filter(
                    inbox_id=event.inbox_id, order_key=event.order_key, status=EventStatus.RECEIVED
                ).limit(LANE_BATCH),
                key=_sort_key,
            )
            if not pending:
                return
            for item_event in pending:
                if not await _process_one(ctx, item_event):
                    return  # stop the lane: order matters, the failed event is retried first
            if len(pending) < LANE_BATCH:
                return


async def _process_one(ctx: HubContext, event: InboundEvent) -> bool:
    """One event in one transaction. The lane lock makes this worker the only one on the
    lane, and the final conditional update makes a concurrent duplicate roll back."""
    outbox: list[Outbox] = []
    item = InboundItem.from_json(event.payload)
    try:
        async with ctx.write_gate, in_transaction() as conn:
            status, error = await _apply(ctx, conn, event, item, outbox)
            done = (
                await InboundEvent.filter(id=event.id, status=EventStatus.RECEIVED)
                .using_db(conn)
                .update(status=status, error=error, processed_at=datetime.now(UTC))
            )
            if not done:
                raise _AlreadyProcessed
    except _AlreadyProcessed:
        return True
    except Exception as exc:
        log.exception("processing event %s failed", event.id)
        await _retry(ctx, event, f"{type(exc).__name__}: {exc}")
        return False
    await enqueue_sends(ctx, outbox)
    if item.kind is ItemKind.MESSAGE:
        await _after_receive(ctx, event, item)
    return True


class _AlreadyProcessed(Exception):
    """Another worker finished this event first; roll back our copy of the work."""


async def _after_receive(ctx: HubContext, event: InboundEvent, item: InboundItem) -> None:
    """Provider follow-ups (e.g. stop Telegram's button spinner); never fail the event."""
    inbox = ctx.inboxes_by_id.get(event.inbox_id)
    adapter = ctx.adapters.get(inbox.slug) if inbox else None
    if adapter is None:
        return
    try:
        await adapter.after_receive(item)
    except Exception:
        log.warning("after_receive failed for event %s", event.id, exc_info=True)


async def _retry(ctx: HubContext, event: InboundEvent, error: str) -> None:
    """A failed event is retried with backoff, then marked failed with its error."""
    attempts = event.attempts + 1
    if attempts >= MAX_PROCESS_ATTEMPTS:
        await InboundEvent.filter(id=event.id).update(
            status=EventStatus.FAILED, attempts=attempts, error=error[:2000]
        )
        return
    await InboundEvent.filter(id=event.id).update(attempts=attempts, error=error[:2000])
    delay = min(60.0, 0.5 * 2**attempts)
    await ctx.queue.enqueue(
        PROCESS_JOB, str(event.id), job_id=f"ev:{event.id}:{attempts}", delay_s=delay
    )


async def _apply(
    ctx: HubContext, conn: Any, event: InboundEvent, item: InboundItem, outbox: list[Outbox]
) -> tuple[EventStatus, str | None]:
    if item.kind is ItemKind.MESSAGE:
        await _apply_message(ctx, conn, event, item, outbox)
        return EventStatus.PROCESSED, None
    if item.kind is ItemKind.STATUS:
        return await _apply_status(conn, event, item)
    return await _apply_other(conn, event, item)


async def _apply_message(
    ctx: HubContext, conn: Any, event: InboundEvent, item: InboundItem, outbox: list[Outbox]
) -> None:
    identity, contact, new_identity = await resolve_identity(conn, event.inbox_id, item)
    conversation = (
        None
        if new_identity
        else await Conversation.filter(identity_id=identity.id)
        .exclude(status=ConversationStatus.RESOLVED)
        .using_db(conn)
        .order_by("-id")
        .first()
    )
    opened = conversation is None
    received_at = item.occurred_at or event.received_at
    if conversation is None:
        conversation = await Conversation.create(
            contact_id=contact.id,
            inbox_id=event.inbox_id,
            identity_id=identity.id,
            language=contact.language,
            last_customer_message_at=received_at,
            using_db=conn,
        )
    else:
        conversation.last_customer_message_at = received_at
        await conversation.save(using_db=conn, update_fields=["last_customer_message_at"])
    if not identity.reachable:
        await ContactIdentity.filter(id=identity.id).using_db(conn).update(reachable=True)
    message = await Message.create(
        conversation_id=conversation.id,
        inbox_id=event.inbox_id,
        direction="in",
        sender_kind=SenderKind.CONTACT,
        text=item.text,
        content_type=item.content_type,
        attachments=[a.to_dict() for a in item.attachments],
        payload=item.payload,
        provider_message_id=item.message_id[:255] if item.message_id else None,
        using_db=conn,
    )
    if conversation.status != ConversationStatus.BOT:
        return
    turn = BotTurn(
        inbox=ctx.inboxes_by_id[event.inbox_id],
        conversation=conversation,
        contact=contact,
        identity=identity,
        message=message,
        item=item,
        opened=opened,
        now=datetime.now(UTC),
    )
    replies = await run_bot_step(ctx, conn, turn)
    outbox += await create_replies(conn, conversation, identity.source_id, replies)


_TIMESTAMP_FIELD = {
    DeliveryStatus.SENT: "sent_at",
    DeliveryStatus.DELIVERED: "delivered_at",
    DeliveryStatus.READ: "read_at",
}


_LOWER_STATUSES = {
    status: [
        s.value for s in DeliveryStatus if s.rank < status.rank and s is not DeliveryStatus.FAILED
    ]
    for status in DeliveryStatus
}


async def _apply_watermark(
    conn: Any, event: InboundEvent, item: InboundItem, mark: datetime
) -> tuple[EventStatus, str | None]:
    """Messenger-style receipts: everything we sent up to ``mark`` reached this state."""
    assert item.status is not None
    identity = await ContactIdentity.get_or_none(
        inbox_id=event.inbox_id, source_id=item.source_id, using_db=conn
    )
    if identity is None:
        return EventStatus.IGNORED, "receipt for an unknown contact"
    sent = Message.filter(
        conversation__identity_id=identity.id, direction="out", sent_at__lte=mark
    ).using_db(conn)
    ids = await sent.filter(delivery_status__in=_LOWER_STATUSES[item.status]).values_list(
        "id", flat=True
    )
    if ids:
        await Message.filter(id__in=ids).using_db(conn).update(delivery_status=item.status.value)
    field = _TIMESTAMP_FIELD.get(item.status)
    if field:
        stamped = await sent.filter(**{f"{field}__isnull": True}).values_list("id", flat=True)
        if stamped:
            await Message.filter(id__in=stamped).using_db(conn).update(**{field: mark})
    return EventStatus.PROCESSED, None


async def _apply_status(
    conn: Any, event: InboundEvent, item: InboundItem
) -> tuple[EventStatus, str | None]:
    """Delivery states only move forward: a late 'delivered' never undoes 'read'."""
    if item.status is None:
        return EventStatus.IGNORED, "status without a state"
    if not item.message_id:
        mark = watermark_of(item)
        if mark is None:
            return EventStatus.IGNORED, "status without message id"
        return await _apply_watermark(conn, event, item, mark)
    message = (
        await Message.filter(
            inbox_id=event.inbox_id, provider_message_id=item.message_id, direction="out"
        )
        .using_db(conn)
        .first()
    )
    if message is None:
        return EventStatus.IGNORED, NO_MESSAGE_YET
    current = DeliveryStatus(message.delivery_status) if message.delivery_status else None
    updates: dict[str, Any] = {}
    field = _TIMESTAMP_FIELD.get(item.status)
    if field and getattr(message, field) is None:
        updates[field] = item.occurred_at or datetime.now(UTC)
    if current is None or (
        current is not DeliveryStatus.FAILED and item.status.rank > current.rank
    ):
        updates["delivery_status"] = item.status.value
        if item.status is DeliveryStatus.FAILED:
            updates["error"] = (item.error or "delivery failed")[:2000]
    if updates:
        await Message.filter(id=message.id).using_db(conn).update(**updates)
    return EventStatus.PROCESSED, None


async def _apply_other(
    conn: Any, event: InboundEvent, item: InboundItem
) -> tuple[EventStatus, str | None]:
    if item.content_type == "unparseable":
        return EventStatus.FAILED, (item.error or "provider payload could not be parsed")[:2000]
    if item.content_type in ("unreachable", "reachable"):
        await (
            ContactIdentity.filter(inbox_id=event.inbox_id, source_id=item.source_id)
            .using_db(conn)
            .update(reachable=item.content_type == "reachable")
        )
        return EventStatus.PROCESSED, None
    return EventStatus.IGNORED, None
