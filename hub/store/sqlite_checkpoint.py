"""WAL checkpoints for the in-line SQLite client, taken in a worker thread.

In WAL mode SQLite copies the log back into the database (a checkpoint) from whichever
commit makes the log pass ``wal_autocheckpoint`` pages. With statements run on the event
loop's thread (:mod:`hub.store.sqlite_inline`) that commit is usually a processing round's, and
the copy and its two fsyncs then stall every request for 5 to 8 ms, three times in a hundred
commits under load (measured in the running hub with a timing wrapper on ``commit``).

:class:`WalCheckpointer` takes the checkpoints instead, every ``interval`` seconds, on a
connection of its own in a worker thread. A passive checkpoint neither waits for nor blocks
readers and writers, so the loop's connection is never held up by one; the loop's own
automatic checkpoint stays as a backstop, at a size this keeps the log well under.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import threading
from dataclasses import dataclass

log = logging.getLogger(__name__)

#: how often the log is copied back: small enough that one copy is a few milliseconds
CHECKPOINT_INTERVAL_S = 0.2
#: the loop connection's own automatic checkpoint, only reached if checkpoints stall
BACKSTOP_PAGES = 10_000


@dataclass(frozen=True, slots=True)
class CheckpointResult:
    """What ``PRAGMA wal_checkpoint`` reports."""

    busy: bool
    log_frames: int
    checkpointed_frames: int


class WalCheckpointer:
    """Passive checkpoints of one database file, every ``interval`` seconds."""

    def __init__(self, filename: str, interval: float = CHECKPOINT_INTERVAL_S) -> None:
        self._filename = filename
        self._interval = interval
        self._conn: sqlite3.Connection | None = None
        #: one thread at a time on the connection: a cancelled wait leaves its thread running
        self._guard = threading.Lock()
        self._task: asyncio.Task[None] | None = None
        self.checkpoints = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="wal-checkpoint")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        # after the checkpoint in flight, if any: closing under it would crash the process
        await asyncio.to_thread(self._close)

    async def checkpoint(self) -> CheckpointResult:
        """One passive checkpoint, in a worker thread."""
        return await asyncio.to_thread(self._checkpoint)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                await self.checkpoint()
            except sqlite3.Error:
                # the loop's automatic checkpoint is still there as a backstop; the next
                # tick tries again
                log.warning("WAL checkpoint of %s failed", self._filename, exc_info=True)

    def _checkpoint(self) -> CheckpointResult:
        with self._guard:
            if self._conn is None:
                self._conn = sqlite3.connect(
                    self._filename, isolation_level=None, check_same_thread=False
                )
            busy, frames, done = self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            self.checkpoints += 1
        return CheckpointResult(bool(busy), frames, done)

    def _close(self) -> None:
        with self._guard:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
