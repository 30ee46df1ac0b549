"""One conversation's backlog never delays the others: a processing call takes a bounded
share of each lane and hands the rest of a long lane back to the queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from uuid_utils import uuid7

from channels.base import InboundItem, ItemKind
from hub.inbound import processing
from hub.inbound.processing import process_events
from hub.store.models import EventStatus, InboundEvent
from tests.support.harness import HubHarness

FLOOD = 300  # more than one load of pending events (PENDING_LOAD)


async def _store_flood_and_one_other(inbox_id: int) -> tuple[list[str], str]:
    start = datetime.now(UTC) - timedelta(minutes=5)
    rows = []
    for n in range(FLOOD + 1):
        sender = "flooder" if n < FLOOD else "patient"
        item = InboundItem(
            kind=ItemKind.MESSAGE,
            event_id=f"m:fair-{n}",
            source_id=sender,
            message_id=f"fair-{n}",
            text=f"message {n}",
        )
        rows.append(
            InboundEvent(
                id=str(uuid7()),
                inbox_id=inbox_id,
                provider_event_id=item.event_id,
                order_key=sender,
                kind="message",
                payload=item.to_json(),
                received_at=start + timedelta(milliseconds=n),
            )
        )
    await InboundEvent.bulk_create(rows)
    return [str(r.id) for r in rows[:FLOOD]], str(rows[-1].id)


async def test_a_flooded_lane_does_not_hold_back_another_conversation(
    embedded: HubHarness,
) -> None:
    ctx = embedded.runtime.ctx  # type: ignore[union-attr]
    flood, patient = await _store_flood_and_one_other(ctx.inboxes_by_slug["api"].id)
    # one call, as the batcher makes it with every job that waited: the patient customer's
    # newest message is processed in it, though 300 older ones of the flood came first
    await process_events(ctx, [*flood, patient])
    answered = await InboundEvent.get(id=patient)
    assert answered.status is EventStatus.PROCESSED
    assert answered.processed_at is not None
    before = await InboundEvent.filter(
        id__in=flood, status=EventStatus.PROCESSED, processed_at__lt=answered.processed_at
    ).count()
    assert before <= processing.LANE_SHARE, before
    done = await InboundEvent.filter(id__in=flood, status=EventStatus.PROCESSED).count()
    assert done <= processing.LANE_SHARE * processing.MAX_PASSES
    # the rest of the flood went back to the queue, behind everyone else, and is done later
    await embedded.settled()
    assert await InboundEvent.filter(id__in=flood, status=EventStatus.PROCESSED).count() == FLOOD
