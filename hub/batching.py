"""Group work: whatever arrives while one batch runs makes up the next batch.

Used for the ingest's group commit (:mod:`hub.inbound.ingest`), for processing and for sending: on
SQLite every transaction waits for the single writer, and every statement for a turn of the
event loop, so one transaction should carry as much work as is waiting. Callers still
return only when their own item is done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from hub.logs import failure

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")
K = TypeVar("K", bound=Hashable)

#: handles a batch; returns, position by position, each item's result or its error
BatchHandler = Callable[[list[T]], Awaitable[Sequence[R | Exception]]]


@dataclass(slots=True)
class _Waiting(Generic[T, R]):
    item: T
    done: asyncio.Future[R]


class Batcher(Generic[T, R]):
    """Runs ``handle`` on everything submitted while its previous call ran, up to
    ``max_weight`` (each item weighs ``weight(item)``, one by default)."""

    def __init__(
        self,
        name: str,
        handle: BatchHandler[T, R],
        max_weight: int = 256,
        weight: Callable[[T], int] = lambda _: 1,
    ) -> None:
        self.name = name
        self._handle = handle
        self._max_weight = max_weight
        self._weight = weight
        self._queue: asyncio.Queue[_Waiting[T, R]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        #: batches handled so far
        self.batches = 0
        #: the weight of every batch handled so far (the ingest's rows, which processing
        #: watches to give way while webhooks arrive)
        self.handled_weight = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=self.name)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def submit(self, item: T) -> R:
        """Handle ``item``; returns its result or raises what its batch reported for it."""
        if self._task is None:
            raise RuntimeError(f"{self.name}: start() was not called")
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait(_Waiting(item, done))
        return await done

    async def _run(self) -> None:
        while True:
            first = await self._queue.get()
            batch = [first]
            weight = self._weight(first.item)
            while weight < self._max_weight and not self._queue.empty():
                waiting = self._queue.get_nowait()
                batch.append(waiting)
                weight += self._weight(waiting.item)
            results: Sequence[R | Exception]
            try:
                results = await self._handle([w.item for w in batch])
            except Exception as exc:  # e.g. the database is down: every caller fails, retries
                failure(log, f"{self.name}: a batch of {len(batch)}", exc, key=self.name)
                results = [exc] * len(batch)
            self.batches += 1
            self.handled_weight += weight
            for waiting, result in zip(batch, results, strict=True):
                if waiting.done.done():
                    continue
                if isinstance(result, Exception):
                    waiting.done.set_exception(result)
                else:
                    waiting.done.set_result(result)


def keyed(
    handle: Callable[[list[K]], Awaitable[Mapping[K, Exception]]],
) -> BatchHandler[K, None]:
    """A batch handler from one that reports only the keys that failed."""

    async def run(keys: list[K]) -> list[Exception | None]:
        failures = await handle(keys)
        return [failures.get(key) for key in keys]

    return run
