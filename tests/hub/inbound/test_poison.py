"""One bad item fails alone: a group commit that fails is split so the requests stored with
the bad one still get their acknowledgement, and a stored event that cannot be read back
is marked failed instead of aborting every processing batch it falls into."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from uuid_utils import uuid7

from channels.base import InboundItem, ItemKind
from hub.inbound.ingest import EventWriter
from hub.inbound.recovery import requeue_pending
from hub.store.models import EventStatus, InboundEvent, Message
from tests.support.harness import HubHarness


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def backend_hub(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = HubHarness(tmp_path, backend=request.param)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


def _item(n: int, text: str = "hello") -> InboundItem:
    return InboundItem(
        kind=ItemKind.MESSAGE,
        event_id=f"m:poison-test-{n}",
        source_id=f"sender-{n}",
        message_id=f"poison-test-{n}",
        text=text,
    )


async def test_a_poison_request_in_a_group_commit_fails_alone(backend_hub: HubHarness) -> None:
    ctx = backend_hub.runtime.ctx  # type: ignore[union-attr]
    writer = ctx.writer
    assert isinstance(writer, EventWriter)
    inbox_id = ctx.inboxes_by_slug["api"].id
    batches = writer._batcher.batches
    # an inbox id past 64 bits fails the insert on every backend, as a NUL byte does on
    # PostgreSQL: the statement of the whole group fails, not just this row
    writes = [writer.write(inbox_id, [_item(n)]) for n in range(12)]
    writes.insert(5, writer.write(2**63, [_item(99)]))
    results = await asyncio.gather(*writes, return_exceptions=True)
    assert isinstance(results[5], Exception)
    good = [r for i, r in enumerate(results) if i != 5]
    assert all(isinstance(r, list) and len(r) == 1 for r in good), good
    # they did share one group commit (else this test proves nothing)
    assert writer._batcher.batches == batches + 1
    stored = await InboundEvent.filter(inbox_id=inbox_id).count()
    assert stored == 12


async def _store(inbox_id: int, order_key: str, payload: str, at: datetime) -> str:
    event_id = str(uuid7())
    await InboundEvent.create(
        id=event_id,
        inbox_id=inbox_id,
        provider_event_id=f"raw-{event_id}",
        order_key=order_key,
        kind="message",
        payload=payload,
        received_at=at,
    )
    return event_id


@pytest.mark.parametrize(
    "payload", ["{not json", '{"kind": "message"}', '{"kind": "nope", "event_id": "x"}', "[]"]
)
async def test_an_unreadable_stored_event_is_marked_failed_and_others_go_on(
    embedded: HubHarness, payload: str
) -> None:
    ctx = embedded.runtime.ctx  # type: ignore[union-attr]
    inbox_id = ctx.inboxes_by_slug["api"].id
    now = datetime.now(UTC)
    bad = await _store(inbox_id, "sender-1", payload, now)
    same_lane = await _store(inbox_id, "sender-1", _item(1, "after").to_json(), now)
    other_lane = await _store(inbox_id, "sender-2", _item(2, "other").to_json(), now)
    await requeue_pending(ctx)  # what a restart does with events left pending
    await embedded.settled()
    failed = await InboundEvent.get(id=bad)
    assert failed.status is EventStatus.FAILED
    assert failed.error is not None
    assert failed.error.startswith("stored item unreadable")
    for event_id in (same_lane, other_lane):
        assert (await InboundEvent.get(id=event_id)).status is EventStatus.PROCESSED
    texts = {m.text for m in await Message.filter(direction="in")}
    assert texts == {"after", "other"}
