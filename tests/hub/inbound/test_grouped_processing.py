"""Events processed in groups (one transaction per round of lanes) behave like one by one.

On SQLite, PostgreSQL, and PostgreSQL with arq workers (the ``hub`` fixture).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from channels.base import InboundItem, ItemKind
from hub.bot import step as bot_step
from hub.inbound import messages as inbound_messages
from hub.inbound import processing as pipeline
from hub.inbound.processing import _GiveWay, _next_round, process_events
from hub.outbound.replies import Reply, create_replies
from hub.outbound.sending import send_outboxes
from hub.store.bulk import insert_all
from hub.store.models import (
    Contact,
    ContactIdentity,
    Conversation,
    EventStatus,
    InboundEvent,
    Message,
    Outbox,
    OutboxStatus,
)
from hub.store.sqlite_inline import InlineConnection
from tests.support.harness import HubHarness
from tests.support.wait import eventually


def _message(sender: str, text: str, **sender_fields: str) -> dict[str, Any]:
    return {"id": uuid.uuid4().hex, "sender": {"id": sender, **sender_fields}, "text": text}


async def test_a_burst_from_many_senders_is_processed_once_in_order(hub: HubHarness) -> None:
    # 40 new senders and one sender with five messages, all in one webhook
    burst = [_message(f"cust-{i}", f"hello {i}") for i in range(40)]
    burst += [_message("chatty", f"part {i}") for i in range(5)]
    response = await hub.post_api({"messages": burst})
    assert response.status == 200
    await hub.settled()
    assert await InboundEvent.filter(status=EventStatus.PROCESSED).count() == 45
    assert await Contact.all().count() == 41
    assert await ContactIdentity.all().count() == 41
    assert await Conversation.all().count() == 41
    chatty = await Conversation.get(identity__source_id="chatty")
    texts = await Message.filter(conversation_id=chatty.id, direction="in").order_by("id")
    assert [m.text for m in texts] == [f"part {i}" for i in range(5)]  # the lane's order is kept
    # each new conversation got the greeting once, to its own customer
    greeted = sorted(d.body["recipient"]["id"] for d in hub.callback.received)
    assert greeted == sorted([f"cust-{i}" for i in range(40)] + ["chatty"])
    processor = hub.runtime.ctx.processor if hub.runtime else None
    assert processor is not None
    assert processor.batches < 45  # jobs shared transactions


async def test_new_senders_with_one_phone_number_become_one_contact(hub: HubHarness) -> None:
    burst = [
        _message("a-1", "hi", phone="+33612345678", name="Ada"),
        _message("a-2", "hi again", phone="+33612345678"),
        _message("b-1", "hello", phone="+33698765432"),
    ]
    assert (await hub.post_api({"messages": burst})).status == 200
    await hub.settled()
    assert await ContactIdentity.all().count() == 3
    contacts = await Contact.all().order_by("id")
    assert [(c.phone, c.name) for c in contacts] == [
        ("+33612345678", "Ada"),
        ("+33698765432", None),
    ]
    shared = await ContactIdentity.filter(source_id__in=["a-1", "a-2"]).values_list(
        "contact_id", flat=True
    )
    assert len(set(shared)) == 1


def _fail_on_boom(monkeypatch: pytest.MonkeyPatch) -> None:
    real_step = bot_step.run_bot_step

    async def step(ctx: Any, conn: Any, turn: Any) -> Any:
        if turn.message.text == "boom":
            raise RuntimeError("boom")
        return await real_step(ctx, conn, turn)

    monkeypatch.setattr(inbound_messages, "run_bot_step", step)


async def test_one_failing_event_does_not_hold_back_its_group(
    hub: HubHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fail_on_boom(monkeypatch)
    burst = [_message("bad", "boom")] + [_message(f"cust-{i}", "hello") for i in range(8)]
    assert (await hub.post_api({"messages": burst})).status == 200

    async def others_answered() -> bool:
        return len(hub.callback.received) == 8

    await eventually(others_answered, timeout=20)
    assert await InboundEvent.filter(status=EventStatus.PROCESSED).count() == 8
    bad = await InboundEvent.get(order_key="bad")
    assert bad.status in (EventStatus.RECEIVED, EventStatus.FAILED)  # retried, then failed
    assert bad.attempts >= 1
    assert "boom" in (bad.error or "")
    assert not await ContactIdentity.filter(source_id="bad").exists()


async def test_a_failed_round_is_rolled_back_and_applied_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _fail_on_boom(monkeypatch)
    # no job workers: this test runs the round itself, so it holds all nine events
    harness = await HubHarness(tmp_path, settings_overrides={"job_workers": 0}).start()
    try:
        burst = [_message("bad", "boom")] + [_message(f"cust-{i}", "hello") for i in range(8)]
        assert (await harness.post_api({"messages": burst})).status == 200
        ids = [str(i) for i in await InboundEvent.all().values_list("id", flat=True)]
        assert harness.runtime is not None
        assert await process_events(harness.runtime.ctx, ids) == {}
        assert "a round of 9 events failed, applying them one by one" in caplog.text
        assert await InboundEvent.filter(status=EventStatus.PROCESSED).count() == 8
        bad = await InboundEvent.get(order_key="bad")
        assert (bad.status, bad.attempts) == (EventStatus.RECEIVED, 1)
        assert not await ContactIdentity.filter(source_id="bad").exists()
        assert await Message.filter(direction="in").count() == 8
    finally:
        await harness.close()


def _stored(inbox_id: int, order_key: str, source_id: str) -> InboundEvent:
    item = InboundItem(
        kind=ItemKind.MESSAGE,
        event_id=uuid.uuid4().hex,
        source_id=source_id,
        text="hi",
    )
    now = datetime.now(UTC)
    return InboundEvent(
        id=uuid.uuid4(),
        inbox_id=inbox_id,
        provider_event_id=item.event_id,
        order_key=order_key,
        kind=item.kind.value,
        payload=item.to_json(),
        received_at=now,
    )


def test_a_round_holds_one_message_per_identity() -> None:
    # a message's lane is its sender, but the round does not rely on it: two stored lanes
    # that resolve to the same sender never share a round
    first, second, other = _stored(1, "x", "same"), _stored(1, "y", "same"), _stored(1, "z", "z")
    queues = {(1, "x"): [first], (1, "y"): [second], (1, "z"): [other]}
    round_, left, _ = _next_round(queues)
    assert [event for event, _ in round_] == [first, other]
    assert left == {(1, "y"): [second]}
    round_, left, _ = _next_round(left)
    assert [event for event, _ in round_] == [second]
    assert left == {}


async def test_multi_row_insert_gives_each_instance_its_own_id(hub: HubHarness) -> None:
    contacts = [Contact(name=f"c{i}", phone=f"+4470000000{i:02d}") for i in range(60)]
    async with in_transaction() as conn:
        await insert_all(conn, contacts)
    assert len({c.id for c in contacts}) == 60
    stored = dict(await Contact.all().values_list("id", "name"))
    assert {c.id: c.name for c in contacts} == stored


async def test_a_send_batch_takes_due_rows_and_leaves_the_others(hub: HubHarness) -> None:
    assert (await hub.post_api(_message("cust-1", "hi"))).status == 200
    await hub.settled()
    received = len(hub.callback.received)
    conversation = await Conversation.get()
    now = datetime.now(UTC)
    async with in_transaction() as conn:
        due, later, leased, expired = await create_replies(
            conn, conversation, "cust-1", [Reply(text=f"reply {i}") for i in range(4)]
        )
    # not yet due (a retry waiting), held by a live worker, held by a dead worker
    await Outbox.filter(id=later.id).update(next_attempt_at=now + timedelta(minutes=5))
    await Outbox.filter(id=leased.id).update(
        status=OutboxStatus.SENDING, lease_until=now + timedelta(minutes=5), attempts=1
    )
    await Outbox.filter(id=expired.id).update(
        status=OutboxStatus.SENDING, lease_until=now - timedelta(seconds=1), attempts=1
    )
    ctx = hub.runtime.ctx if hub.runtime else None
    assert ctx is not None
    await send_outboxes(ctx, [due.id, later.id, leased.id, expired.id])
    rows = {
        row.id: row for row in await Outbox.filter(id__in=[due.id, later.id, leased.id, expired.id])
    }
    assert rows[due.id].status == OutboxStatus.SENT
    assert rows[expired.id].status == OutboxStatus.SENT
    assert rows[expired.id].attempts == 2
    assert rows[later.id].status == OutboxStatus.QUEUED
    assert rows[later.id].attempts == 0
    assert rows[leased.id].status == OutboxStatus.SENDING
    sent_texts = sorted(d.body["text"] for d in hub.callback.received[received:])
    assert sent_texts == ["reply 0", "reply 3"]
    message = await Message.get(id=due.message_id)
    assert message.delivery_status == "sent"
    assert message.sent_at is not None


async def test_processing_gives_way_while_webhooks_keep_arriving() -> None:
    writer = SimpleNamespace(rows=0)
    ctx: Any = SimpleNamespace(writer=writer)
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)

    give_way = _GiveWay(ctx, pause)
    async with give_way.round(16):
        pass  # nothing stored since the last round: the loop only gets its turn
    assert pauses == [0]
    writer.rows += 16  # as many items arrived (between rounds) as a round applies
    async with give_way.round(16):
        await asyncio.sleep(0.02)
    assert pauses[1] == 0  # processing keeps up: it only lets the loop turn
    writer.rows += 32  # twice as many
    started = time.monotonic()
    async with give_way.round(16):
        await asyncio.sleep(0.02)
    took = time.monotonic() - started
    assert 0.04 <= pauses[2] <= 2 * took  # twice as long as the round took
    writer.rows += 16_000  # a burst: far more arrived than processing applies
    started = time.monotonic()
    async with give_way.round(16):
        await asyncio.sleep(0.02)
    took = time.monotonic() - started
    assert 0.02 * pipeline.MAX_GIVE_WAY <= pauses[3] <= took * pipeline.MAX_GIVE_WAY
    async with give_way.round(16):
        pass  # what arrived was counted once: the burst is over
    assert pauses[4] == 0
    ctx.writer = None  # a worker process ingests nothing: never waits
    async with _GiveWay(ctx, pause).round(16):
        writer.rows += 100
    assert pauses[5] == 0


async def test_a_lane_longer_than_one_batch_keeps_its_timestamp_order(
    hub: HubHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "PENDING_LOAD", 3)  # a batch loads the oldest three at a time
    burst = [
        {"id": f"m-{i}", "sender": {"id": "c"}, "text": f"t{i}", "timestamp": 1_700_000_000 + i}
        for i in reversed(range(10))
    ]
    assert (await hub.post_api({"messages": burst})).status == 200
    await hub.settled()
    texts = await Message.filter(direction="in").order_by("id")
    assert [m.text for m in texts] == [f"t{i}" for i in range(10)]


async def test_a_round_costs_the_same_round_trips_for_one_message_or_sixteen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What grouping is for: statements per round do not grow with the messages in it."""
    harness = await HubHarness(tmp_path, settings_overrides={"job_workers": 0}).start()
    assert harness.runtime is not None
    ctx = harness.runtime.ctx
    statements: list[str] = []
    counting = False
    # every call into SQLite (one executemany is one call, however many rows it writes)
    for name in ("fetchall", "execute", "executemany", "execute_insert", "commit", "rollback"):
        method = getattr(InlineConnection, name)

        def counted(self: Any, *args: Any, _name: str = name, _method: Any = method) -> Any:
            if counting:
                statements.append(str(args[0]) if args else _name)
            return _method(self, *args)

        monkeypatch.setattr(InlineConnection, name, counted)

    async def round_trips(senders: list[str]) -> int:
        burst = [_message(sender, "and another thing") for sender in senders]
        assert (await harness.post_api({"messages": burst})).status == 200
        pending = InboundEvent.filter(status=EventStatus.RECEIVED)
        ids = [str(i) for i in await pending.values_list("id", flat=True)]
        nonlocal counting
        statements.clear()
        counting = True
        try:
            assert await process_events(ctx, ids) == {}
        finally:
            counting = False
        assert not await pending.exists()
        return len(statements)

    try:
        senders = [f"cust-{i}" for i in range(16)]
        await round_trips(senders)  # new customers: contacts, conversations, greetings
        one, sixteen = await round_trips(senders[:1]), await round_trips(senders)
        assert one == sixteen, statements
        assert await Message.filter(direction="in", text="and another thing").count() == 33
    finally:
        await harness.close()
