"""Events that processing gave up on, for an operator: look at them, retry or discard.

An event is marked ``failed`` when it failed ``MAX_PROCESS_ATTEMPTS`` times or its stored
item cannot be read back; from then on it blocks nothing. Retrying puts it back to
``received`` with its attempts reset (the running hub's sweep, or its next start, takes
it); discarding marks it ``ignored`` and keeps the reason, so nothing is deleted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from hub.errors import HubError, NotFound
from hub.store.models import EventStatus, InboundEvent

#: the prefix of a discarded event's note (the failure's reason follows it)
DISCARDED = "discarded by an operator"


class NotFailed(HubError):
    """The event exists but is not failed (already retried, processed or discarded)."""


@dataclass(frozen=True, slots=True)
class FailedEvent:
    """What an operator needs to decide: never the payload (it holds customer text)."""

    id: str
    inbox_id: int
    kind: str
    attempts: int
    error: str
    received_at: datetime


def _event_uuid(event_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(event_id)
    except ValueError:
        raise NotFound(f"no event {event_id!r}: event ids are UUIDs") from None


async def list_failed(limit: int = 100, before: datetime | None = None) -> list[FailedEvent]:
    """Failed events, newest first."""
    query = InboundEvent.filter(status=EventStatus.FAILED)
    if before is not None:
        query = query.filter(received_at__lt=before)
    rows = await query.order_by("-received_at").limit(limit)
    return [
        FailedEvent(
            str(row.id), row.inbox_id, row.kind, row.attempts, row.error or "", row.received_at
        )
        for row in rows
    ]


async def _failed(event_id: str) -> InboundEvent:
    event = await InboundEvent.get_or_none(id=_event_uuid(event_id))
    if event is None:
        raise NotFound(f"no event {event_id}")
    if event.status is not EventStatus.FAILED:
        raise NotFailed(f"event {event_id} is {event.status.value}, not failed")
    return event


async def retry_event(event_id: str) -> None:
    """Back to ``received`` with no attempts: processed again like a new arrival."""
    event = await _failed(event_id)
    await InboundEvent.filter(id=event.id, status=EventStatus.FAILED).update(
        status=EventStatus.RECEIVED, attempts=0, error=None, processed_at=None
    )


async def discard_event(event_id: str) -> None:
    """``ignored`` for good, the failure's reason kept after :data:`DISCARDED`."""
    event = await _failed(event_id)
    await InboundEvent.filter(id=event.id, status=EventStatus.FAILED).update(
        status=EventStatus.IGNORED, error=f"{DISCARDED}: {event.error or ''}"[:2000]
    )
