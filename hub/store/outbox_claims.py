"""The send job's statements: claim due outbox rows with a lease, read the customers' reply
windows, record what went out. Each is one round trip for a whole batch of sends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise import connections
from tortoise.transactions import in_transaction

from hub.store.bulk import placeholders
from hub.store.models import Conversation, Message, Outbox, OutboxStatus


@dataclass(frozen=True, slots=True)
class Claimed:
    """An outbox row this worker holds the lease of."""

    id: int
    inbox_id: int
    message_id: int | None
    payload: str
    attempts: int


@dataclass(frozen=True, slots=True)
class SentRow:
    """A claimed row that went out, with the provider's id of its message (if any)."""

    outbox_id: int
    message_id: int | None
    provider_message_id: str | None


def _claim_sql(dialect: str, rows: int) -> str:
    """Take the lease of every row that is due, or whose lease ran out (a crashed worker),
    in one statement that returns what it took."""
    marks = placeholders(dialect, rows + 3)
    ids = ",".join(marks[3:])
    # only placeholders and constants of this module reach the SQL text
    return (
        f'UPDATE "outbox" SET "status"=\'sending\',"lease_until"={marks[0]},'  # noqa: S608
        f'"attempts"="attempts"+1 WHERE ('
        f'("status"=\'queued\' AND ("next_attempt_at" IS NULL OR "next_attempt_at"<={marks[1]}))'
        f' OR ("status"=\'sending\' AND "lease_until"<{marks[2]})) AND "id" IN ({ids})'
        # SQLite binds by position: the marks appear in the order of the values
        ' RETURNING "id","inbox_id","message_id","payload","attempts"'
    )


def _window_sql(dialect: str, rows: int) -> str:
    ids = ",".join(placeholders(dialect, rows))
    return (
        'SELECT m."id" "message_id",c."last_customer_message_at" "at" FROM "message" m '  # noqa: S608
        f'JOIN "conversation" c ON c."id"=m."conversation_id" WHERE m."id" IN ({ids})'
    )


def _record_sent_sql(dialect: str) -> str:
    """A message goes out: its sent time and provider id. A status callback may already
    have moved it on, so only 'queued' becomes 'sent'."""
    sent_at, provider_id, message_id = placeholders(dialect, 3)
    return (
        f'UPDATE "message" SET "sent_at"={sent_at},'  # noqa: S608
        f'"provider_message_id"=COALESCE({provider_id},"provider_message_id"),'
        "\"delivery_status\"=CASE WHEN \"delivery_status\"='queued' THEN 'sent' "
        f'ELSE "delivery_status" END WHERE "id"={message_id}'
    )


async def claim_due(
    outbox_ids: Sequence[int], *, lease_until: datetime, due_by: datetime, now: datetime
) -> list[Claimed]:
    """Lease those of ``outbox_ids`` that are due by ``due_by`` (or whose lease ran out
    before ``now``) until ``lease_until``, counting an attempt each."""
    conn = connections.get("default")
    at = Outbox._meta.fields_map["lease_until"]
    rows = await conn.execute_query_dict(
        _claim_sql(conn.capabilities.dialect, len(outbox_ids)),
        [
            at.to_db_value(lease_until, Outbox),
            at.to_db_value(due_by, Outbox),
            at.to_db_value(now, Outbox),
            *outbox_ids,
        ],
    )
    return [
        Claimed(r["id"], r["inbox_id"], r["message_id"], r["payload"], r["attempts"]) for r in rows
    ]


async def customer_windows(message_ids: Sequence[int]) -> dict[int, datetime | None]:
    """When each message's customer last wrote (channels with a reply window need it)."""
    if not message_ids:
        return {}
    conn = connections.get("default")
    field = Conversation._meta.fields_map["last_customer_message_at"]
    rows = await conn.execute_query_dict(
        _window_sql(conn.capabilities.dialect, len(message_ids)), list(message_ids)
    )
    return {r["message_id"]: field.to_python_value(r["at"]) for r in rows}


async def record_sent(sent: Sequence[SentRow], sent_at: datetime) -> None:
    """The rows and their messages change together, in one transaction for the batch."""
    conn = connections.get("default")
    at = Message._meta.fields_map["sent_at"].to_db_value(sent_at, Message)
    async with in_transaction() as tx:
        await (
            Outbox.filter(id__in=[row.outbox_id for row in sent])
            .using_db(tx)
            .update(status=OutboxStatus.SENT, sent_at=sent_at, lease_until=None, last_error=None)
        )
        await tx.execute_many(
            _record_sent_sql(conn.capabilities.dialect),
            [
                [at, row.provider_message_id or None, row.message_id]
                for row in sent
                if row.message_id is not None
            ],
        )
