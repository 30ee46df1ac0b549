"""The inbox's change feed: what changed in conversations and messages, numbered, so an
agent's socket that dropped resumes from the last number it saw.

Why tail the database instead of having every writer publish: messages, assignments and
statuses are written by the bot, the agent API, timers and other ``hub serve`` or
``hub worker`` processes, each inside its own transaction. A publish beside each of
those writes would be easy to miss in one of them and would fire before the commit it
reports. The feed instead reads what is committed: new messages by id, conversations by
``updated_at`` (with an overlap, and a remembered version per conversation, so a late
commit stamped a little earlier is not skipped or repeated) and the delivery status of
recent outbound messages. Every process tails the shared database, so an agent sees a
change whichever process wrote it (PostgreSQL with several servers included) without a
broker. The numbers and the replay buffer are this process's: a socket that reconnects
to another process (another ``epoch``) or after the buffer moved on is told to resync.

Cost: four indexed queries per ``interval_s`` while any socket has connected since the
server started. Processing rings a doorbell after each commit (``hub.realtime.ring_inbox``,
through Redis when scaled) and the inbox's own endpoints ``nudge`` it, so most changes are
read at once; the interval is the backstop for writers that do not ring.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.functions import Max

from hub.context import HubContext
from hub.logs import failure
from hub.realtime import INBOX_DOORBELL
from hub.store.models import Contact, Conversation, Message
from hub.web.inbox.rows import agent_names, conversation_row, message_row

log = logging.getLogger(__name__)

#: commits stamped up to this long before the newest seen are still picked up
OVERLAP = timedelta(seconds=3)
#: outbound messages whose delivery is watched, and for how long after they were seen
WATCH_MAX = 2000
WATCH_S = 600.0
#: conversation versions remembered (the overlap's duplicates are recognised by them)
VERSIONS_MAX = 20_000
BATCH = 500
FINAL_DELIVERY = frozenset({"read", "failed"})


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One numbered change. ``kind``: ``conversation`` (its list row as it is now),
    ``message`` (a new message) or ``delivery`` (a message's delivery status moved)."""

    seq: int
    kind: str
    conversation_id: int
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.kind,
            "seq": self.seq,
            "conversation_id": self.conversation_id,
            "data": self.data,
        }


class InboxFeed:
    def __init__(
        self,
        ctx_of: Callable[[], HubContext],
        *,
        interval_s: float = 0.1,
        buffer_size: int = 5000,
    ) -> None:
        self._ctx_of = ctx_of
        self._interval_s = interval_s
        self.epoch = secrets.token_hex(6)
        self.seq = 0
        self._buffer: deque[FeedEvent] = deque(maxlen=buffer_size)
        self._subscribers: set[asyncio.Queue[FeedEvent]] = set()
        #: queues that missed an event because they were full: their socket must resume
        self.overflowed: set[asyncio.Queue[FeedEvent]] = set()
        self._task: asyncio.Task[None] | None = None
        self._doorbell: asyncio.Task[None] | None = None
        self._started = asyncio.Lock()
        self._wake = asyncio.Event()
        self._message_hw = 0
        self._conversation_hw = datetime.now(UTC)
        self._versions: OrderedDict[int, tuple[Any, ...]] = OrderedDict()
        self._watch: OrderedDict[int, tuple[str | None, float]] = OrderedDict()

    # -- subscribers ---------------------------------------------------------------------

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[FeedEvent]]:
        await self._start()
        queue: asyncio.Queue[FeedEvent] = asyncio.Queue(maxsize=10_000)
        self._subscribers.add(queue)
        try:
            yield queue
        finally:
            self._subscribers.discard(queue)
            self.overflowed.discard(queue)

    def since(self, epoch: str, after: int) -> list[FeedEvent] | None:
        """Every event after ``after`` still buffered, in order; None when some are not
        (another process's numbers, a restart, or more missed than the buffer holds)."""
        if epoch != self.epoch or after > self.seq:
            return None
        if after < self.seq and (not self._buffer or self._buffer[0].seq > after + 1):
            return None
        return [event for event in self._buffer if event.seq > after]

    def nudge(self) -> None:
        """Poll now (this process just wrote something its agents are waiting to see)."""
        self._wake.set()

    async def _start(self) -> None:
        async with self._started:
            if self._task is not None:
                return
            await self.prime()
            self._task = asyncio.create_task(self._run(), name="inbox-feed")
            self._doorbell = asyncio.create_task(self._listen(), name="inbox-doorbell")

    async def prime(self) -> None:
        """Start from now: what is already stored is read by the page's own fetches."""
        newest: list[Any] = list(
            await Message.all().annotate(top=Max("id")).values_list("top", flat=True)
        )
        self._message_hw = int(newest[0] or 0) if newest else 0
        self._conversation_hw = datetime.now(UTC)

    async def close(self) -> None:
        for task in (self._task, self._doorbell):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._task = self._doorbell = None

    async def _listen(self) -> None:
        """Poll at once when a commit rings the doorbell (any process, through Redis when
        scaled); the interval is then only the backstop for writers that do not ring."""
        async with self._ctx_of().realtime.subscribe(INBOX_DOORBELL) as rings:
            while True:
                await rings.get()
                self.nudge()

    async def _run(self) -> None:
        while True:
            try:
                await self.poll()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # type only at WARNING: a database error may quote rows
                failure(log, "inbox feed poll (retrying)", exc)
                await asyncio.sleep(1.0)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._interval_s)
            self._wake.clear()

    # -- one poll ------------------------------------------------------------------------

    async def poll(self) -> list[FeedEvent]:
        """Read what changed since the last poll and publish it; returns the new events."""
        ctx = self._ctx_of()
        messages = list(await Message.filter(id__gt=self._message_hw).order_by("id").limit(BATCH))
        if messages:
            self._message_hw = messages[-1].id
        # newer than anything seen (always makes progress, BATCH at a time), then the
        # overlap window again for commits stamped before the newest one seen
        newer = list(
            await Conversation.filter(updated_at__gt=self._conversation_hw)
            .order_by("updated_at", "id")
            .limit(BATCH)
        )
        late = list(
            await Conversation.filter(
                updated_at__gte=self._conversation_hw - OVERLAP,
                updated_at__lte=self._conversation_hw,
            )
            .order_by("-updated_at")
            .limit(BATCH)
        )
        if newer:
            self._conversation_hw = max(self._conversation_hw, newer[-1].updated_at)
        touched = {c.id: c for c in late + newer}
        missing = {m.conversation_id for m in messages} - set(touched)
        if missing:
            touched.update({c.id: c for c in await Conversation.filter(id__in=missing)})
        new_in = {m.conversation_id for m in messages}
        fresh = [
            c for c in touched.values() if c.id in new_in or self._versions.get(c.id) != _version(c)
        ]
        events: list[FeedEvent] = []
        if fresh:
            contacts = {c.id: c for c in await Contact.filter(id__in={c.contact_id for c in fresh})}
            agents = await agent_names(
                [c.assignee_id for c in fresh] + [m.agent_id for m in messages]
            )
            last: dict[int, Message] = {}
            for message in messages:
                last[message.conversation_id] = message
            for conversation in sorted(fresh, key=lambda c: c.id):
                self._remember(conversation)
                contact = contacts.get(conversation.contact_id)
                if contact is None:
                    continue
                row = conversation_row(
                    ctx, conversation, contact, agents, last.get(conversation.id)
                )
                if conversation.id not in last:
                    row.pop("last_message")  # unknown here: the client keeps its own
                    row.pop("last_message_kind")
                events.append(self._event("conversation", conversation.id, row))
            for message in messages:
                events.append(
                    self._event("message", message.conversation_id, message_row(message, agents))
                )
                if message.direction == "out" and message.delivery_status not in FINAL_DELIVERY:
                    self._watch[message.id] = (message.delivery_status, time.monotonic())
        events += await self._deliveries()
        for event in events:
            self._publish(event)
        return events

    async def _deliveries(self) -> list[FeedEvent]:
        now = time.monotonic()
        while self._watch and (
            len(self._watch) > WATCH_MAX or now - next(iter(self._watch.values()))[1] > WATCH_S
        ):
            self._watch.popitem(last=False)
        if not self._watch:
            return []
        rows = await Message.filter(id__in=list(self._watch)).values_list(
            "id", "conversation_id", "delivery_status", "error"
        )
        events = []
        for message_id, conversation_id, status, error in rows:
            before, seen = self._watch[message_id]
            if status == before:
                continue
            if status in FINAL_DELIVERY:
                del self._watch[message_id]
            else:
                self._watch[message_id] = (status, seen)
            events.append(
                self._event(
                    "delivery",
                    conversation_id,
                    {"message_id": message_id, "delivery_status": status, "error": error},
                )
            )
        return events

    def _remember(self, conversation: Conversation) -> None:
        self._versions[conversation.id] = _version(conversation)
        self._versions.move_to_end(conversation.id)
        while len(self._versions) > VERSIONS_MAX:
            self._versions.popitem(last=False)

    def _event(self, kind: str, conversation_id: int, data: dict[str, Any]) -> FeedEvent:
        self.seq += 1
        return FeedEvent(self.seq, kind, conversation_id, data)

    def _publish(self, event: FeedEvent) -> None:
        self._buffer.append(event)
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # a socket this far behind is closed by its reader and resumes from the
                # buffer, so dropping here loses nothing that resuming cannot restore
                self.overflowed.add(queue)
                log.debug("inbox subscriber full; event %d dropped", event.seq)


def _version(conversation: Conversation) -> tuple[Any, ...]:
    return (
        conversation.updated_at,
        conversation.status,
        conversation.assignee_id,
        conversation.priority,
        conversation.team,
    )
