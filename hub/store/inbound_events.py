"""The ingest's group insert: many webhook items in one statement that skips redeliveries.

tortoise's ``bulk_create`` can skip the rows that hit the unique key but cannot say which
rows it inserted (the new ones are what gets queued), and one ``create`` per row costs a
round trip each; this is one ``INSERT … ON CONFLICT DO NOTHING RETURNING id`` per thousand
rows instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from tortoise import connections

from hub.store.bulk import values_sql
from hub.store.models import EventStatus, InboundEvent
from hub.store.sqlite_inline import execute_off_loop


@dataclass(frozen=True, slots=True)
class NewEvent:
    """One provider item as the ingest stores it (status ``received``, no attempts yet)."""

    id: str
    inbox_id: int
    provider_event_id: str
    order_key: str
    kind: str
    payload: str
    received_at: datetime
    occurred_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An item that was new (not a redelivery) and now needs processing."""

    event_id: str
    inbox_id: int
    order_key: str


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


def _db_values(row: NewEvent) -> list[Any]:
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


async def insert_new_events(rows: Sequence[NewEvent], into: set[str] | None = None) -> set[str]:
    """Insert ``rows``, a thousand to a statement; returns the ids
    that were inserted, i.e. not redeliveries of a stored item. ``into`` collects them as
    each statement commits, so a caller whose later statement failed still knows which
    rows an earlier one stored."""
    conn = connections.get("default")
    inserted: set[str] = into if into is not None else set()
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        values = [value for row in chunk for value in _db_values(row)]
        # off the loop: the loop goes on reading requests while the group is written
        returned = await execute_off_loop(
            conn, _insert_sql(conn.capabilities.dialect, len(chunk)), values
        )
        inserted.update(str(r["id"]) for r in returned)
    return inserted
