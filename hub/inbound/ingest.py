"""Durable ingestion with group commit.

Every webhook's items must be committed before the provider gets its 200. One transaction
per request would make the database the bottleneck (SQLite has one writer), so handlers
hand their rows to :class:`EventWriter`, which commits everything that arrived while the
previous transaction was running in a single transaction and then wakes all of them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from uuid_utils import uuid7

from channels.base import InboundItem
from channels.keys import stable_key
from hub.batching import Batcher
from hub.context import HubContext, InboxRef
from hub.jobs.names import PROCESS_JOB
from hub.logs import failure
from hub.store.inbound_events import NewEvent, StoredEvent, insert_new_events

log = logging.getLogger(__name__)


class EventWriter:
    """Stores items with group commit: the rows of every request that arrives while a
    commit runs go into the next one."""

    def __init__(self, max_batch_rows: int = 2000) -> None:
        self._batcher: Batcher[list[NewEvent], list[StoredEvent]] = Batcher(
            "event-writer", self._commit, max_weight=max_batch_rows, weight=len
        )

    @property
    def rows(self) -> int:
        """Rows stored so far (processing watches it to give way while webhooks arrive)."""
        return self._batcher.handled_weight

    def start(self) -> None:
        self._batcher.start()

    async def close(self) -> None:
        await self._batcher.close()

    async def write(self, inbox_id: int, items: Sequence[InboundItem]) -> list[StoredEvent]:
        """Store ``items``; returns those that were new, once they are committed."""
        if not items:
            return []
        now = datetime.now(UTC)
        rows = [
            NewEvent(
                # time-ordered: SQLite appends to the key's index instead of inserting at
                # random places, which halves the cost of the ingest's insert
                id=str(uuid7()),
                inbox_id=inbox_id,
                # ids of any length: kept whole when they fit, hashed when not (never cut)
                provider_event_id=stable_key(item.event_id),
                order_key=stable_key(item.order_key),
                kind=item.kind.value,
                payload=item.to_json(),
                # a microsecond apart: items of one request that carry the same (or no)
                # timestamp are processed in the order the provider listed them
                received_at=now + timedelta(microseconds=index),
                occurred_at=item.occurred_at,
            )
            for index, item in enumerate(items)
        ]
        return await self._batcher.submit(rows)

    async def _commit(self, batch: list[list[NewEvent]]) -> list[list[StoredEvent] | Exception]:
        """Commit the group; when its statement fails, bisect it, so a request whose item
        the database refuses (a NUL byte on PostgreSQL, a value out of range) fails alone
        and the requests stored beside it still get their acknowledgement."""
        inserted: set[str] = set()  # ids ours across the attempts (uuid7: new to each row)
        return await self._commit_split(batch, inserted, top=True)

    async def _commit_split(
        self, batch: list[list[NewEvent]], inserted: set[str], *, top: bool = False
    ) -> list[list[StoredEvent] | Exception]:
        try:
            await _insert(batch, inserted)
        except Exception as exc:
            if len(batch) == 1:
                failure(log, f"storing a webhook's {len(batch[0])} items", exc, key="insert")
                return [exc]
            if top:
                log.warning(
                    "a group commit of %d requests failed (%s); splitting it",
                    len(batch),
                    type(exc).__name__,
                )
            half = len(batch) // 2
            return [
                *await self._commit_split(batch[:half], inserted),
                *await self._commit_split(batch[half:], inserted),
            ]
        return [
            [StoredEvent(row.id, row.inbox_id, row.order_key) for row in rows if row.id in inserted]
            for rows in batch
        ]


async def _insert(batch: list[list[NewEvent]], inserted: set[str]) -> None:
    """One insert for the group; adds the ids inserted to ``inserted`` (redeliveries are
    skipped). A statement of a thousand rows that committed before a later one failed
    has its ids there already: on the retry its rows count as new, not as redeliveries."""
    # Within one batch the same item may appear twice (concurrent redelivery): keep one.
    unique: dict[tuple[int, str], NewEvent] = {}
    for rows in batch:
        for row in rows:
            unique.setdefault((row.inbox_id, row.provider_event_id), row)
    await insert_new_events(list(unique.values()), inserted)


async def ingest(ctx: HubContext, inbox: InboxRef, items: Sequence[InboundItem]) -> int:
    """Store items durably (group commit), then queue the new ones; returns how many were new."""
    if ctx.writer is None:
        raise RuntimeError("this process does not ingest (no event writer)")
    stored = await ctx.writer.write(inbox.id, items)
    for event in stored:
        await ctx.queue.enqueue(PROCESS_JOB, event.event_id, job_id=f"ev:{event.event_id}")
    return len(stored)
