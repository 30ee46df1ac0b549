"""The in-process queue: idempotent ids, delays, and nothing kept once a job ran."""

from __future__ import annotations

import asyncio

from hub.jobs.local import LocalQueue
from tests.support.wait import eventually


async def test_delayed_jobs_run_once_and_leave_nothing_behind() -> None:
    ran: list[tuple[str, str | int]] = []

    async def runner(name: str, arg: str | int) -> None:
        ran.append((name, arg))

    queue = LocalQueue(runner, workers=2)
    try:
        for i in range(50):
            await queue.enqueue("job", i, job_id=f"job:{i}", delay_s=0.01)
            await queue.enqueue("job", i, job_id=f"job:{i}", delay_s=0.01)  # same id: once

        async def all_ran() -> bool:
            return len(ran) >= 50

        await eventually(all_ran, timeout=5)
        await asyncio.sleep(0.05)
        assert sorted(arg for _, arg in ran) == list(range(50))
        assert queue._timers == {}
        assert queue._pending == set()
    finally:
        await queue.close()


async def test_a_failing_job_does_not_stop_the_workers() -> None:
    ran: list[str | int] = []

    async def runner(name: str, arg: str | int) -> None:
        if arg == "boom":
            raise RuntimeError("job failed")
        ran.append(arg)

    queue = LocalQueue(runner, workers=1)
    try:
        await queue.enqueue("job", "boom", job_id="a")
        await queue.enqueue("job", "after", job_id="b")

        async def second_ran() -> bool:
            return ran == ["after"]

        await eventually(second_ran, timeout=5)
    finally:
        await queue.close()
