"""Durable ingestion with group commit.

Every webhook's items must be committed before the provider gets its 200. One transaction
per request would make the database the bottleneck (SQLite has one writer), so handlers
hand their rows to :class:`EventWriter`, which commits everything that arrived while the
previous transaction was running in a single transaction and then wakes all of them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from tortoise import connections
from uuid_utils import uuid7

from channels.base import InboundItem
from hub.batching import Batcher
from hub.context import HubContext, InboxRef
from hub.jobs.names import PROCESS_JOB
from hub.store.bulk import values_sql
from hub.store.models import EventStatus, InboundEvent
from hub.store.sqlite_inline import execute_off_loop

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An item that was new (not a redelivery) and now needs processing."""

    event_id: str
    inbox_id: int
    order_key: str


@dataclass(frozen=True, slots=True)
class _Row:
    id: str
    inbox_id: int
    provider_event_id: str
    order_key: str
    kind: str
    payload: str
    received_at: datetime
    occurred_at: datetime | None


_COLUMNS = (
    "id",
    "inbox_id",
    "provider_event_id",
    "order_key",
    "kind",
    "payload",
    "status",
    "attempts",
    "received_at",
    "occurred_at",
)


#: rows per statement: 10 parameters a row stays under SQLite's and PostgreSQL's limits
ROWS_PER_STATEMENT = 1000


@lru_cache(maxsize=64)
def _insert_sql(dialect: str, rows: int) -> str:
    """One multi-row insert that skips redeliveries (the unique key) and returns the ids it
    did insert: a single atomic statement, so one round trip commits a whole group."""
    values = values_sql(dialect, rows, len(_COLUMNS))
    columns = ",".join(f'"{c}"' for c in _COLUMNS)
    # columns and placeholders are constants of this module: no input reaches the SQL text
    return (
        f'INSERT INTO "inbound_event" ({columns}) VALUES {values} '  # noqa: S608
        'ON CONFLICT DO NOTHING RETURNING "id"'
    )


def _db_values(row: _Row) -> list[Any]:
    """Column values exactly as tortoise would write them (its own field converters; the
    id is already the text form tortoise writes)."""
    fields = InboundEvent._meta.fields_map
    return [
        row.id,
        row.inbox_id,
        row.provider_event_id,
        row.order_key,
        row.kind,
        row.payload,
        EventStatus.RECEIVED.value,
        0,
        fields["received_at"].to_db_value(row.received_at, InboundEvent),
        fields["occurred_at"].to_db_value(row.occurred_at, InboundEvent),
    ]


class EventWriter:
    """Stores items with group commit: the rows of every request that arrives while a
    commit runs go into the next one."""

    def __init__(self, max_batch_rows: int = 2000) -> None:
        self._batcher: Batcher[list[_Row], list[StoredEvent]] = Batcher(
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
            _Row(
                # time-ordered: SQLite appends to the key's index instead of inserting at
                # random places, which halves the cost of the ingest's insert
                id=str(uuid7()),
                inbox_id=inbox_id,
                provider_event_id=item.event_id[:255],
                order_key=item.order_key[:255],
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

    async def _commit(self, batch: list[list[_Row]]) -> list[list[StoredEvent]]:
        # Within one batch the same item may appear twice (concurrent redelivery): keep one.
        unique: dict[tuple[int, str], _Row] = {}
        for rows in batch:
            for row in rows:
                unique.setdefault((row.inbox_id, row.provider_event_id), row)
        rows = list(unique.values())
        conn = connections.get("default")
        inserted: set[str] = set()
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            values = [value for row in chunk for value in _db_values(row)]
            # off the loop: the loop goes on reading requests while the group is written
            returned = await execute_off_loop(
                conn, _insert_sql(conn.capabilities.dialect, len(chunk)), values
            )
            inserted.update(str(r["id"]) for r in returned)
        return [
            [
                StoredEvent(row.id, row.inbox_id, row.order_key)
                for row in request
                if row.id in inserted
            ]
            for request in batch
        ]


async def ingest(ctx: HubContext, inbox: InboxRef, items: Sequence[InboundItem]) -> int:
    """Store items durably (group commit), then queue the new ones; returns how many were new."""
    if ctx.writer is None:
        raise RuntimeError("this process does not ingest (no event writer)")
    stored = await ctx.writer.write(inbox.id, items)
    for event in stored:
        await ctx.queue.enqueue(PROCESS_JOB, event.event_id, job_id=f"ev:{event.event_id}")
    return len(stored)
