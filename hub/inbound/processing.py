"""Processing of stored inbound events (DESIGN.md data path, steps 5 to 9).

Jobs hand their event to the process :class:`~hub.batching.Batcher`, which calls
:func:`process_events` with every event that arrived while the previous call ran. It takes
the lanes (inbox + sender) of those events and applies their pending events in rounds: one
transaction per round holds the oldest pending event of each lane, so order within a lane
is kept and a crash at any point leaves the database consistent and the events pending. A
round that fails is rolled back and its events are applied one by one, so one bad event
never holds back the others.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from tortoise.expressions import F
from tortoise.functions import Coalesce
from tortoise.transactions import in_transaction

from channels.base import InboundItem, ItemKind
from hub.context import HubContext
from hub.conversation import lane_key
from hub.inbound.messages import apply_messages, identity_key
from hub.inbound.receipts import apply_other_kind
from hub.jobs.locks import LaneBusy
from hub.jobs.names import PROCESS_JOB
from hub.logs import failure
from hub.outbound.replies import enqueue_sends
from hub.realtime import ring_inbox
from hub.store.models import EventStatus, InboundEvent, Outbox

log = logging.getLogger(__name__)

MAX_PROCESS_ATTEMPTS = 5
#: pending events loaded at once (oldest first), so a backlog is taken in bounded steps
PENDING_LOAD = 256
#: events applied in one transaction: enough to share its round trips, few enough that
#: the ingest's insert (waiting for SQLite's single writer) is not held up for long
MAX_ROUND = 16
#: while webhooks arrive faster than processing applies them, processing waits up to this
#: many times as long as its round took: it keeps at least a fifth of the time
MAX_GIVE_WAY = 4.0
#: pending events taken from one lane per load: a conversation's backlog (a visitor
#: flooding the web chat) gets this share, the other lanes' events are loaded beside it
LANE_SHARE = 16
#: loads per call; what a long lane still has pending after them goes back to the queue,
#: behind the jobs of every other conversation, instead of holding this batch
MAX_PASSES = 2
#: queries per load that look past the capped lanes for the others
MAX_LOAD_QUERIES = 8

Lane = tuple[int, str]
Round = list[tuple[InboundEvent, InboundItem]]


def _sort_key(event: InboundEvent) -> tuple[datetime, datetime, str]:
    return (event.occurred_at or event.received_at, event.received_at, str(event.id))


async def process_event(ctx: HubContext, event_id: str) -> None:
    """Job: process ``event_id`` (and anything older that waits in its lane)."""
    if ctx.processor is not None:
        await ctx.processor.submit(event_id)
        return
    failure = (await process_events(ctx, [event_id])).get(event_id)
    if failure is not None:
        raise failure


async def process_events(ctx: HubContext, event_ids: Sequence[str]) -> dict[str, Exception]:
    """Process the given events and everything pending in their lanes; returns the events
    whose lane could not be taken (another worker held it), to be retried."""
    # only the lanes are needed here; the events themselves are loaded with their lanes
    asked_rows = await InboundEvent.filter(
        id__in=list(event_ids), status=EventStatus.RECEIVED
    ).values_list("id", "inbox_id", "order_key")
    lanes = sorted({(inbox_id, order_key) for _, inbox_id, order_key in asked_rows})
    busy: dict[str, Exception] = {}
    async with AsyncExitStack() as stack:
        held: list[Lane] = []
        for lane in lanes:  # always in the same order: two batches never wait on each other
            try:
                await stack.enter_async_context(ctx.locks.lane(lane_key(*lane)))
            except LaneBusy as exc:
                busy.update({str(i): exc for i, inbox, key in asked_rows if (inbox, key) == lane})
                continue
            held.append(lane)
        # lanes are taken PENDING_LOAD events at a time, until the events asked for are done
        asked: dict[Lane, set[str]] = {}
        for event_id, inbox_id, order_key in asked_rows:
            asked.setdefault((inbox_id, order_key), set()).add(str(event_id))
        todo = held
        for _ in range(MAX_PASSES):
            queues, more = await _pending(todo)
            for lane, loaded in queues.items():
                asked[lane] -= {str(event.id) for event in loaded}
            stopped = await _apply_lanes(ctx, queues)
            todo = [lane for lane in todo if more and asked[lane] and lane not in stopped]
            if not todo:
                break
    # a lane with more left than its share: its events wait behind everyone else's jobs
    # (a job id of its own each time: arq keeps finished ids for an hour)
    later = uuid.uuid4().hex[:12]
    for lane in todo:
        for event_id in sorted(asked[lane]):
            await ctx.queue.enqueue(PROCESS_JOB, event_id, job_id=f"ev:{event_id}:{later}")
    return busy


async def _apply_lanes(ctx: HubContext, queues: dict[Lane, list[InboundEvent]]) -> set[Lane]:
    """Apply the loaded events in rounds; returns the lanes stopped by a failure."""
    stopped: set[Lane] = set()
    give_way = _GiveWay(ctx)
    while queues:
        round_, queues, unreadable = _next_round(queues)
        await _fail_unreadable(unreadable)
        for chunk in range(0, len(round_), MAX_ROUND):
            part = round_[chunk : chunk + MAX_ROUND]
            async with give_way.round(len(part)):
                failed = await _apply_round(ctx, part)
            for lane in failed:  # order matters: the failed event is retried first
                queues.pop(lane, None)
            stopped |= failed
    return stopped


class _GiveWay:
    """Acknowledgements first: when the ingest stored more items since the previous round
    than this round applied, processing waits as long as the round took, times that ratio
    (at most ``MAX_GIVE_WAY`` times). A burst is then acknowledged quickly
    (providers retry slow webhooks, which only adds load) while processing keeps at least
    a share of the time, and runs at full speed once the burst is over, or as long as it
    keeps up with what arrives (web chat's steady stream waits for nothing).

    A round suspends nowhere on SQLite (:mod:`hub.store.sqlite_inline`), so webhooks are stored
    only between rounds: what arrived is counted from one round to the next, and the loop
    always gets a turn after a round. A worker process ingests nothing and waits no longer
    than that turn."""

    def __init__(
        self, ctx: HubContext, pause: Callable[[float], Awaitable[None]] = asyncio.sleep
    ) -> None:
        self._writer = ctx.writer
        self._pause = pause
        self._seen = self._writer.rows if self._writer else 0

    @asynccontextmanager
    async def round(self, events: int) -> AsyncIterator[None]:
        started = time.monotonic()
        yield
        took = time.monotonic() - started
        arrived = 0
        if self._writer is not None:
            arrived, self._seen = self._writer.rows - self._seen, self._writer.rows
        outpaced = arrived / events if arrived > events else 0.0
        await self._pause(took * min(MAX_GIVE_WAY, outpaced))


async def _pending(lanes: list[Lane]) -> tuple[dict[Lane, list[InboundEvent]], bool]:
    """The oldest pending events of ``lanes``, at most ``LANE_SHARE`` of each, by lane,
    oldest first, and whether there may be more. The database sorts and limits, so a
    backlog of thousands costs a bounded query; when one lane's backlog fills a whole
    load, the next query leaves that lane out and finds the others' events (a flood in
    one conversation must not hide the next customer's message behind it)."""
    if not lanes:
        return {}, False
    remaining = set(lanes)
    queues: dict[Lane, list[InboundEvent]] = {}
    more = False
    for _ in range(MAX_LOAD_QUERIES):
        loaded = (
            await InboundEvent.filter(
                status=EventStatus.RECEIVED,
                inbox_id__in={inbox for inbox, _ in remaining},
                order_key__in={key for _, key in remaining},
            )
            .annotate(at=Coalesce("occurred_at", F("received_at")))
            .order_by("at", "received_at", "id")
            .limit(PENDING_LOAD)
        )
        found: dict[Lane, list[InboundEvent]] = {}
        for event in loaded:
            lane = (event.inbox_id, event.order_key)
            if lane in remaining:
                found.setdefault(lane, []).append(event)
        for lane, events in found.items():
            if len(events) > LANE_SHARE:
                events, more = events[:LANE_SHARE], True
            queues[lane] = events
        remaining -= set(found)
        full = len(loaded) >= PENDING_LOAD
        more = more or full
        if not full or not remaining:
            break
    lanes_in_order = sorted(queues.values(), key=lambda events: min(map(_sort_key, events)))
    # lanes too are taken in arrival order, so rows get their ids in the order things came
    ordered = {
        (events[0].inbox_id, events[0].order_key): sorted(events, key=_sort_key)
        for events in lanes_in_order
    }
    return ordered, more


def _next_round(
    queues: dict[Lane, list[InboundEvent]],
) -> tuple[Round, dict[Lane, list[InboundEvent]], list[tuple[InboundEvent, str]]]:
    """The oldest event of each lane, at most one message per identity (the rest wait for
    the next round); returns the round, what is left, and the heads whose stored item
    cannot be read back (with the reason): those leave their lane, which goes on."""
    round_: Round = []
    identities: set[tuple[int, str]] = set()
    left: dict[Lane, list[InboundEvent]] = {}
    unreadable: list[tuple[InboundEvent, str]] = []
    for lane, events in queues.items():
        head = events[0]
        try:
            item = InboundItem.from_json(head.payload)
        except Exception as exc:  # whatever the stored text holds, the lane must go on
            unreadable.append((head, f"stored item unreadable: {type(exc).__name__}"))
            if len(events) > 1:
                left[lane] = events[1:]
            continue
        if item.kind is ItemKind.MESSAGE:
            key = identity_key(head, item)
            if key in identities:
                left[lane] = events
                continue
            identities.add(key)
        round_.append((head, item))
        if len(events) > 1:
            left[lane] = events[1:]
    return round_, left, unreadable


async def _fail_unreadable(unreadable: list[tuple[InboundEvent, str]]) -> None:
    """Retrying cannot make a stored item readable: it is marked failed at once, with its
    reason, for an operator to look at (``hub events``), and never blocks recovery."""
    for event, reason in unreadable:
        log.warning("event %s failed: %s", event.id, reason)
        await InboundEvent.filter(id=event.id, status=EventStatus.RECEIVED).update(
            status=EventStatus.FAILED, error=reason, processed_at=datetime.now(UTC)
        )


class _Outcome(Enum):
    DONE = "done"
    FAILED = "failed"  #: rolled back, retried later
    SPLIT = "split"  #: rolled back, apply its events one by one


async def _apply_round(ctx: HubContext, round_: Round) -> set[Lane]:
    """Apply ``round_`` (one transaction, or one per event when that fails); returns the
    lanes whose event failed."""
    outcome = await _commit(ctx, round_)
    if outcome is _Outcome.DONE:
        return set()
    if outcome is _Outcome.FAILED:
        return {(event.inbox_id, event.order_key) for event, _ in round_}
    stopped: set[Lane] = set()
    for event, item in round_:
        if await _commit(ctx, [(event, item)]) is not _Outcome.DONE:
            stopped.add((event.inbox_id, event.order_key))
    return stopped


async def _commit(ctx: HubContext, round_: Round) -> _Outcome:
    """One transaction for ``round_``. The lane locks make this worker the only one on its
    lanes, and the final conditional updates make a concurrent duplicate roll back."""
    outbox: list[Outbox] = []
    messages = [(event, item) for event, item in round_ if item.kind is ItemKind.MESSAGE]
    try:
        async with ctx.write_gate, in_transaction() as conn:
            if messages:
                outbox += await apply_messages(ctx, conn, messages)
                await _mark(conn, [event for event, _ in messages], EventStatus.PROCESSED, None)
            for event, item in round_:
                if item.kind is not ItemKind.MESSAGE:
                    status, error = await apply_other_kind(conn, event, item)
                    await _mark(conn, [event], status, error)
    except _AlreadyProcessed:
        return _Outcome.DONE if len(round_) == 1 else _Outcome.SPLIT
    except Exception as exc:
        if len(round_) > 1:
            log.warning("a round of %d events failed, applying them one by one", len(round_))
            return _Outcome.SPLIT
        event = round_[0][0]
        failure(log, f"processing event {event.id}", exc, key="process")
        await _retry(ctx, event, f"{type(exc).__name__}: {exc}")
        return _Outcome.FAILED
    await enqueue_sends(ctx, outbox)
    await ring_inbox(ctx.realtime)
    for event, item in messages:
        await _after_receive(ctx, event, item)
    return _Outcome.DONE


async def _mark(
    conn: Any, events: list[InboundEvent], status: EventStatus, error: str | None
) -> None:
    ids = [event.id for event in events]
    done = (
        await InboundEvent.filter(id__in=ids, status=EventStatus.RECEIVED)
        .using_db(conn)
        .update(status=status, error=error, processed_at=datetime.now(UTC))
    )
    if done != len(ids):
        raise _AlreadyProcessed


class _AlreadyProcessed(Exception):
    """Another worker finished an event first; roll back our copy of the work."""


async def _after_receive(ctx: HubContext, event: InboundEvent, item: InboundItem) -> None:
    """Provider follow-ups (e.g. stop Telegram's button spinner); never fail the event."""
    inbox = ctx.inboxes_by_id.get(event.inbox_id)
    adapter = ctx.adapters.get(inbox.slug) if inbox else None
    if adapter is None:
        return
    try:
        await adapter.after_receive(item)
    except Exception as exc:
        failure(log, f"after_receive of event {event.id}", exc, key="after_receive")


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
