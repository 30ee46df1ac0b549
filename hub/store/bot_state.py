"""The rows a batch of bot steps reads, in three statements whatever the batch's size.

The brain's state needs, per conversation, its last outbound message and its last inbound
message carrying NLU data, its pending timers, and its contact's identities. Built through
the ORM these were four queries whose SQL building cost more CPU than a small round's whole
bot step; here each is one constant statement per batch size, its values converted by the
models' own fields (JSON text on SQLite, datetimes as stored), so SQLite and PostgreSQL read
the same values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from hub.store.automation_models import ScheduledTimer
from hub.store.bulk import placeholders
from hub.store.models import Message


@dataclass(frozen=True, slots=True)
class MessageRow:
    id: int
    conversation_id: int
    direction: str
    sender_kind: str | None
    text: str | None
    buttons: list[Any]
    nlu: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class TimerRow:
    conversation_id: int
    key: str
    kind: str
    event: dict[str, Any] | None
    scheduled_at: datetime
    due_at: datetime


@dataclass(frozen=True, slots=True)
class IdentityRow:
    contact_id: int
    inbox_id: int
    source_id: str


@lru_cache(maxsize=256)
def _messages_sql(dialect: str, count: int) -> str:
    ids = ",".join(placeholders(dialect, count))
    # only placeholders and constants of this module reach the SQL text
    return (
        'SELECT "id","conversation_id","direction","sender_kind","text","buttons","nlu" '  # noqa: S608
        'FROM "message" WHERE "id" IN (SELECT MAX("id") FROM "message" '
        f'WHERE "conversation_id" IN ({ids}) AND ("direction"=\'out\' OR "nlu" IS NOT NULL) '
        'GROUP BY "conversation_id","direction")'
    )


@lru_cache(maxsize=256)
def _timers_sql(dialect: str, count: int) -> str:
    ids = ",".join(placeholders(dialect, count))
    return (
        'SELECT "conversation_id","key","kind","event","scheduled_at","due_at" '  # noqa: S608
        f'FROM "scheduled_timer" WHERE "conversation_id" IN ({ids})'
    )


@lru_cache(maxsize=256)
def _identities_sql(dialect: str, count: int) -> str:
    ids = ",".join(placeholders(dialect, count))
    return (
        'SELECT "contact_id","inbox_id","source_id" FROM "contact_identity" '  # noqa: S608
        f'WHERE "contact_id" IN ({ids})'
    )


def _python(model: Any, name: str, raw: Any) -> Any:
    return model._meta.fields_map[name].to_python_value(raw)


async def last_messages(conn: Any, conversation_ids: Sequence[int]) -> list[MessageRow]:
    """The last outbound and the last NLU-bearing inbound message of each conversation."""
    if not conversation_ids:
        return []
    sql = _messages_sql(conn.capabilities.dialect, len(conversation_ids))
    return [
        MessageRow(
            id=int(row["id"]),
            conversation_id=int(row["conversation_id"]),
            direction=str(row["direction"]),
            sender_kind=row["sender_kind"],
            text=row["text"],
            buttons=_python(Message, "buttons", row["buttons"]) or [],
            nlu=_python(Message, "nlu", row["nlu"]),
        )
        for row in await conn.execute_query_dict(sql, list(conversation_ids))
    ]


async def pending_timers(conn: Any, conversation_ids: Sequence[int]) -> list[TimerRow]:
    if not conversation_ids:
        return []
    sql = _timers_sql(conn.capabilities.dialect, len(conversation_ids))
    return [
        TimerRow(
            conversation_id=int(row["conversation_id"]),
            key=str(row["key"]),
            kind=str(row["kind"]),
            event=_python(ScheduledTimer, "event", row["event"]),
            scheduled_at=_python(ScheduledTimer, "scheduled_at", row["scheduled_at"]),
            due_at=_python(ScheduledTimer, "due_at", row["due_at"]),
        )
        for row in await conn.execute_query_dict(sql, list(conversation_ids))
    ]


async def identities(conn: Any, contact_ids: Sequence[int]) -> list[IdentityRow]:
    if not contact_ids:
        return []
    sql = _identities_sql(conn.capabilities.dialect, len(contact_ids))
    return [
        IdentityRow(int(row["contact_id"]), int(row["inbox_id"]), str(row["source_id"]))
        for row in await conn.execute_query_dict(sql, list(contact_ids))
    ]
