"""In-process queue for the embedded mode: asyncio workers in the serving process."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from hub.jobs.queue import JobQueue
from hub.logs import failure

log = logging.getLogger(__name__)

Runner = Callable[[str, str | int], Awaitable[None]]


class LocalQueue(JobQueue):
    """Jobs run by ``workers`` asyncio tasks; delayed jobs wait on the loop's timer."""

    def __init__(self, runner: Runner, workers: int = 4) -> None:
        self._runner = runner
        self._queue: asyncio.Queue[tuple[str, str | int, str]] = asyncio.Queue()
        self._pending: set[str] = set()
        #: delayed jobs waiting on the loop's timer, by job id (cancelled on close)
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._tasks = [
            asyncio.create_task(self._work(), name=f"local-worker-{i}") for i in range(workers)
        ]
        self.completed = 0

    async def enqueue(
        self, name: str, arg: str | int, *, job_id: str, delay_s: float = 0.0
    ) -> None:
        if job_id in self._pending:
            return
        self._pending.add(job_id)
        if delay_s > 0:
            loop = asyncio.get_running_loop()
            self._timers[job_id] = loop.call_later(delay_s, self._put_later, name, arg, job_id)
        else:
            self._queue.put_nowait((name, arg, job_id))

    def _put_later(self, name: str, arg: str | int, job_id: str) -> None:
        self._timers.pop(job_id, None)
        self._queue.put_nowait((name, arg, job_id))

    async def _work(self) -> None:
        while True:
            name, arg, job_id = await self._queue.get()
            self._pending.discard(job_id)
            try:
                await self._runner(name, arg)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failure(log, f"job {name}({arg})", exc, key=name)
            finally:
                self.completed += 1

    async def close(self) -> None:
        for handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
