"""WAL checkpoints off the event loop (hub.sqlite_checkpoint): the loop's commits no longer
copy the log back; the checkpointer does, in a worker thread, on its own connection."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise, connections

from hub.store.db import tortoise_config
from hub.store.sqlite_checkpoint import BACKSTOP_PAGES, WalCheckpointer

#: more log pages than SQLite's default automatic checkpoint (1,000) would let build up
PAGES_WRITTEN = 1_500


async def _open(url: str) -> Any:
    await Tortoise.init(config=tortoise_config(url))
    await Tortoise.generate_schemas()
    return connections.get("default")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[Any]:
    try:
        yield await _open(f"sqlite://{tmp_path / 'hub.sqlite3'}")
    finally:
        await Tortoise.close_connections()
        await Tortoise._reset_apps()


async def _write_pages(client: Any, pages: int) -> None:
    """About ``pages`` pages of log, one 4 KiB row per commit, all on the loop's thread."""
    await client.execute_script("CREATE TABLE IF NOT EXISTS filler (data BLOB)")
    for _ in range(pages):
        await client.execute_query("INSERT INTO filler (data) VALUES (randomblob(4000))")


def _log_frames(path: Path) -> int:
    """Frames in the log, read by a connection of the test's own (checkpointing nothing)."""
    with sqlite3.connect(path) as conn:
        _, frames, _ = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    return int(frames)


async def test_the_loops_connection_checkpoints_only_as_a_backstop(client: Any) -> None:
    raw: sqlite3.Connection = client._connection._conn
    assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == BACKSTOP_PAGES
    assert client._checkpointer is not None


async def test_commits_on_the_loop_leave_the_copy_to_the_checkpointer(
    client: Any, tmp_path: Path
) -> None:
    checkpointer: WalCheckpointer = client._checkpointer
    await checkpointer.stop()  # no timed checkpoint during the writes: only the loop's
    await _write_pages(client, PAGES_WRITTEN)
    # with SQLite's default the log would have been copied back and restarted on the loop
    # at 1,000 pages; it has grown past that
    assert _log_frames(tmp_path / "hub.sqlite3") > 1_000
    result = await checkpointer.checkpoint()
    assert not result.busy
    assert result.log_frames > 1_000
    assert result.checkpointed_frames == result.log_frames


async def test_checkpoints_run_in_a_worker_thread(client: Any, tmp_path: Path) -> None:
    threads: list[int] = []
    checkpointer: WalCheckpointer = client._checkpointer
    original = checkpointer._checkpoint

    def spy() -> Any:
        threads.append(threading.get_ident())
        return original()

    checkpointer._checkpoint = spy  # type: ignore[method-assign]
    await _write_pages(client, 10)
    await checkpointer.checkpoint()
    assert threads
    assert threading.get_ident() not in threads


async def test_the_log_is_copied_back_on_a_timer(tmp_path: Path) -> None:
    path = tmp_path / "timed.sqlite3"
    checkpointer = WalCheckpointer(str(path), interval=0.01)
    with sqlite3.connect(path, isolation_level=None) as writer:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("CREATE TABLE filler (data BLOB)")
        for _ in range(50):
            writer.execute("INSERT INTO filler (data) VALUES (randomblob(4000))")
        checkpointer.start()
        try:
            for _ in range(200):  # up to 2 s
                if checkpointer.checkpoints:
                    break
                await asyncio.sleep(0.01)
            assert checkpointer.checkpoints >= 1
            final = await checkpointer.checkpoint()
            assert final.log_frames >= 50
            assert final.checkpointed_frames == final.log_frames
        finally:
            await checkpointer.stop()
    assert checkpointer._task is None
    assert checkpointer._conn is None


async def test_closing_the_client_stops_the_checkpointer(tmp_path: Path) -> None:
    client = await _open(f"sqlite://{tmp_path / 'closed.sqlite3'}")
    task = client._checkpointer._task
    try:
        assert task is not None
        assert not task.done()
    finally:
        await Tortoise.close_connections()
        await Tortoise._reset_apps()
    assert task.done()
    assert client._checkpointer is None


async def test_an_in_memory_database_has_no_log_and_no_checkpointer() -> None:
    client = await _open("sqlite://:memory:")
    try:
        assert client._checkpointer is None
    finally:
        await Tortoise.close_connections()
        await Tortoise._reset_apps()


async def test_a_failed_checkpoint_is_logged_and_the_timer_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    calls = 0
    checkpointer = WalCheckpointer(str(tmp_path / "x.sqlite3"), interval=0.01)

    def failing() -> Any:
        nonlocal calls
        calls += 1
        raise sqlite3.OperationalError("disk I/O error")

    checkpointer._checkpoint = failing  # type: ignore[method-assign]
    checkpointer.start()
    try:
        for _ in range(200):
            if calls >= 2:
                break
            await asyncio.sleep(0.01)
    finally:
        await checkpointer.stop()
    assert calls >= 2
    assert "WAL checkpoint" in caplog.text


async def test_stopping_waits_for_the_checkpoint_in_flight(tmp_path: Path) -> None:
    """Closing the connection under a running checkpoint crashes the process (seen as a
    segmentation fault before the guard): stop waits for the thread to let go."""
    checkpointer = WalCheckpointer(str(tmp_path / "busy.sqlite3"))
    await checkpointer.checkpoint()
    checkpointer._guard.acquire()  # a checkpoint's thread is on the connection
    stopping = asyncio.create_task(checkpointer.stop())
    try:
        await asyncio.sleep(0.05)
        assert not stopping.done()
        assert checkpointer._conn is not None
    finally:
        checkpointer._guard.release()
    await asyncio.wait_for(stopping, 5)
    assert checkpointer._conn is None
