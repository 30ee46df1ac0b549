"""Group work: whatever arrives while one batch runs makes up the next batch.

The same idea as the ingest's group commit (:mod:`hub.ingest`), for processing and
sending: on SQLite every transaction waits for the single writer, and every statement for
a turn of the event loop, so one transaction should carry as much work as is waiting.
Callers still return only when their own item is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)

#: handles a batch of keys; returns the keys that failed, with their error
BatchHandler = Callable[[Sequence[K]], Awaitable[Mapping[K, Exception]]]


@dataclass(slots=True)
class _Waiting(Generic[K]):
    key: K
    done: asyncio.Future[None]


class Batcher(Generic[K]):
    """Runs ``handle`` on everything submitted while its previous call ran."""

    def __init__(self, name: str, handle: BatchHandler[K], max_items: int = 256) -> None:
        self.name = name
        self._handle = handle
        self._max_items = max_items
        self._queue: asyncio.Queue[_Waiting[K]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.batches = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def submit(self, key: K) -> None:
        """Handle ``key``; raises what its batch reported for it."""
        if self._task is None:
            raise RuntimeError(f"{self.name}: start() was not called")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Waiting(key, done))
        await done

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_items and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            keys = list(dict.fromkeys(w.key for w in batch))
            try:
                failures = await self._handle(keys)
            except Exception as exc:  # e.g. the database is down: every caller fails, retries
                log.exception("%s: a batch of %d failed", self.name, len(keys))
                failures = dict.fromkeys(keys, exc)
            self.batches += 1
            for waiting in batch:
                if waiting.done.done():
                    continue
                failure = failures.get(waiting.key)
                if failure is None:
                    waiting.done.set_result(None)
                else:
                    waiting.done.set_exception(failure)
