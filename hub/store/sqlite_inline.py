"""Tortoise's SQLite backend, with statements run on the event loop's own thread.

Tortoise's stock backend hands every statement to aiosqlite's thread and waits for a turn
of the event loop to get its result. SQLite answers a statement of the hub's in
microseconds, from the page cache, but under load a turn of the loop serves many web
requests and lasts milliseconds, so a processing transaction of ten statements held the
database for ten such turns while every webhook's insert waited behind it (issue 2's
figures). Run in line, a transaction that awaits nothing else is one uninterrupted piece of
work: it holds the database for the microseconds SQLite actually takes.

A statement that moves many rows at once (the ingest's group insert) can still run in a
worker thread, with the connection's lock held, through :func:`execute_off_loop`, so the
loop goes on serving requests meanwhile.

Only the connection changes: queries, transactions and their lock are tortoise's own.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.backends.sqlite.client import SqliteClient, translate_exceptions

from hub.store.sqlite_checkpoint import WalCheckpointer

#: the engine name for tortoise's config, in place of ``tortoise.backends.sqlite``
ENGINE = __name__


class _Cursor:
    """What tortoise does with aiosqlite's cursor: close it."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def close(self) -> None:
        self._cursor.close()


class InlineConnection:
    """aiosqlite's connection interface, as tortoise uses it, on a plain ``sqlite3``
    connection called directly. None of its coroutines suspend."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    @property
    def total_changes(self) -> int:
        return self._conn.total_changes

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> _Cursor:
        return _Cursor(self._conn.execute(sql, tuple(parameters or ())))

    async def execute_insert(
        self, sql: str, parameters: Iterable[Any] | None = None
    ) -> sqlite3.Row | None:
        cursor = self._conn.execute(sql, tuple(parameters or ()))
        try:
            row: sqlite3.Row | None = cursor.execute("SELECT last_insert_rowid()").fetchone()
        finally:
            cursor.close()
        return row

    async def execute_fetchall(
        self, sql: str, parameters: Iterable[Any] | None = None
    ) -> list[sqlite3.Row]:
        return self.fetchall(sql, parameters)

    def fetchall(self, sql: str, parameters: Iterable[Any] | None = None) -> list[sqlite3.Row]:
        cursor = self._conn.execute(sql, tuple(parameters or ()))
        try:
            return cursor.fetchall()
        finally:
            cursor.close()

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> _Cursor:
        return _Cursor(self._conn.executemany(sql, parameters))

    async def executescript(self, sql: str) -> _Cursor:
        return _Cursor(self._conn.executescript(sql))

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self._conn.close()


class InlineSqliteClient(SqliteClient):
    """Tortoise's SQLite client over an :class:`InlineConnection`."""

    _connection: InlineConnection | None  # type: ignore[assignment]
    _checkpointer: WalCheckpointer | None = None

    async def create_connection(self, with_db: bool) -> None:
        if self._connection is not None:
            return
        # the worker thread of execute_off_loop uses it too, never at the same time: the
        # client's lock is held across that call
        conn = sqlite3.connect(self.filename, isolation_level=None, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        for pragma, value in self.pragmas.items():
            conn.execute(f"PRAGMA {pragma}={value}").close()
        (journal_mode,) = conn.execute("PRAGMA journal_mode").fetchone()
        self._connection = InlineConnection(conn)
        if journal_mode == "wal":  # not for in-memory databases, which have no log
            self._checkpointer = WalCheckpointer(self.filename)
            self._checkpointer.start()
        await self._post_connect()

    async def close(self) -> None:
        checkpointer, self._checkpointer = self._checkpointer, None
        if checkpointer is not None:
            await checkpointer.stop()
        await super().close()

    @translate_exceptions
    async def execute_off_loop(self, query: str, values: Sequence[Any]) -> list[dict[str, Any]]:
        async with self.acquire_connection() as connection:
            rows = await asyncio.to_thread(connection.fetchall, query, values)
        return [dict(row) for row in rows]


async def execute_off_loop(
    client: BaseDBAsyncClient, query: str, values: Sequence[Any]
) -> list[dict[str, Any]]:
    """Run a large statement without holding up the event loop, and return its rows: in a
    worker thread on the in-line SQLite client, as usual on any other (whose drivers do not
    block the loop anyway)."""
    rows: list[dict[str, Any]]
    if isinstance(client, InlineSqliteClient):
        rows = await client.execute_off_loop(query, values)
    else:
        rows = await client.execute_query_dict(query, list(values))
    return rows


client_class = InlineSqliteClient
