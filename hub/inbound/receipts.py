"""Items other than customer messages, applied in a processing round's transaction:
delivery receipts (per message id, or Messenger-style watermarks over everything sent up
to an instant), reachability changes and payloads that could not be parsed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from channels.base import DeliveryStatus, InboundItem, ItemKind
from channels.keys import stable_key
from hub.store.models import ContactIdentity, EventNote, EventStatus, InboundEvent, Message


async def apply_other_kind(
    conn: Any, event: InboundEvent, item: InboundItem
) -> tuple[EventStatus, str | None]:
    """Apply a receipt or another non-message item in the round's transaction; returns the
    event's new status and note."""
    if item.kind is ItemKind.STATUS:
        return await _apply_status(conn, event, item)
    return await _apply_other(conn, event, item)


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
        mark = item.watermark
        if mark is None:
            return EventStatus.IGNORED, "status without message id"
        return await _apply_watermark(conn, event, item, mark)
    message = (
        await Message.filter(
            inbox_id=event.inbox_id,
            provider_message_id=stable_key(item.message_id),
            direction="out",
        )
        .using_db(conn)
        .first()
    )
    if message is None:
        return EventStatus.IGNORED, EventNote.NO_MESSAGE_YET.value
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
