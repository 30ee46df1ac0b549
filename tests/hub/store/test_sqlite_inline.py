"""The embedded database: statements in line on the loop's thread, and the query plans of
the status columns (hub.sqlite_inline, hub.sqlite_stats)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise, connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from hub.store import sqlite_stats
from hub.store.db import tortoise_config
from hub.store.models import Inbox
from hub.store.sqlite_inline import InlineSqliteClient, execute_off_loop
from hub.store.sqlite_stats import seed_status_stats
from tests.support.harness import HubHarness

#: how processing marks a round of sixteen events done (hub.inbound.processing._mark)
MARK_ROUND = (
    'UPDATE "inbound_event" SET "status"=?,"processed_at"=? WHERE "id" IN ({}) AND "status"=?'
).format(",".join("?" * 16))


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Any]:
    """The hub's tortoise client on a fresh SQLite file, its tables created."""
    await Tortoise.init(config=tortoise_config(f"sqlite://{tmp_path / 'hub.sqlite3'}"))
    await Tortoise.generate_schemas()
    try:
        yield connections.get("default")
    finally:
        await Tortoise.close_connections()
        await Tortoise._reset_apps()


def _sqlite(client: Any) -> sqlite3.Connection:
    raw: sqlite3.Connection = client._connection._conn
    return raw


async def test_sqlite_urls_get_the_in_line_client(client: Any) -> None:
    assert isinstance(client, InlineSqliteClient)


async def test_a_transaction_that_awaits_only_the_database_never_lets_the_loop_turn(
    client: Any,
) -> None:
    turns: list[int] = []
    asyncio.get_running_loop().call_soon(turns.append, 1)
    async with in_transaction():
        for n in range(5):
            await Inbox.create(slug=f"in-{n}", kind="api", name=f"In {n}")
        assert await Inbox.filter(kind="api").count() == 5
        await Inbox.filter(slug="in-0").update(name="First")
    assert turns == []  # the callback waits for the first turn of the loop, after the commit
    await asyncio.sleep(0)
    assert turns == [1]
    assert (await Inbox.get(slug="in-0")).name == "First"


async def test_a_failed_transaction_leaves_nothing(client: Any) -> None:
    async def failing_round() -> None:
        async with in_transaction():
            await Inbox.create(slug="kept-out", kind="api", name="Kept out")
            raise RuntimeError("the round failed")

    with pytest.raises(RuntimeError):
        await failing_round()
    assert not await Inbox.filter(slug="kept-out").exists()


async def test_off_loop_statements_run_in_a_worker_thread_and_return_their_rows(
    client: Any,
) -> None:
    _sqlite(client).create_function("thread_id", 0, threading.get_ident)
    in_line = await client.execute_query_dict("SELECT thread_id() AS t")
    off_loop = await execute_off_loop(client, "SELECT thread_id() AS t, ? AS v", ["x"])
    assert in_line[0]["t"] == threading.get_ident()
    assert off_loop[0]["t"] != threading.get_ident()
    assert off_loop[0]["v"] == "x"


async def test_off_loop_statements_report_errors_as_tortoise_does(client: Any) -> None:
    insert = 'INSERT INTO "inbox" ("slug","kind","name","created_at") VALUES (?,?,?,?)'
    await execute_off_loop(client, insert, ["twice", "api", "Twice", "2026-01-01"])
    with pytest.raises(IntegrityError):
        await execute_off_loop(client, insert, ["twice", "api", "Twice", "2026-01-01"])
    assert await Inbox.filter(slug="twice").count() == 1


def _plan(client: Any, sql: str, parameters: int) -> str:
    rows = _sqlite(client).execute(f"EXPLAIN QUERY PLAN {sql}", [None] * parameters)
    return " ".join(str(row[3]) for row in rows)


async def test_marking_a_round_done_uses_the_primary_key_not_the_status_index(
    client: Any,
) -> None:
    # without statistics SQLite walks every waiting event through the status index
    assert "idx_inbound_eve_status" in _plan(client, MARK_ROUND, 19)
    assert await seed_status_stats(client) == len(sqlite_stats.STATUS_COLUMNS)
    assert "sqlite_autoindex_inbound_event_1" in _plan(client, MARK_ROUND, 19)
    assert await seed_status_stats(client) == 0  # once is enough


async def test_measured_statistics_are_kept(client: Any) -> None:
    sqlite = _sqlite(client)
    await client.execute_query(
        'INSERT INTO "inbox" ("slug","kind","name","created_at") VALUES (?,?,?,?)',
        ["api", "api", "API", "2026-01-01"],
    )
    sqlite.executemany(
        'INSERT INTO "outbox" ("payload","status","attempts","created_at","inbox_id") '
        "VALUES ('{}', ?, 0, '2026-01-01', 1)",
        [("queued",)] * 10 + [("sent",)] * 30,
    )
    sqlite.execute("ANALYZE outbox")
    measured = sqlite.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl='outbox'").fetchall()
    assert await seed_status_stats(client) == 2  # inbound_event and conversation only
    after = sqlite.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl='outbox'").fetchall()
    assert sorted(after) == sorted(measured)


async def test_the_hub_seeds_the_statistics_when_it_opens_the_database(tmp_path: Path) -> None:
    harness = await HubHarness(tmp_path).start()
    try:
        client = connections.get("default")
        assert "sqlite_autoindex_inbound_event_1" in _plan(client, MARK_ROUND, 19)
    finally:
        await harness.close()
