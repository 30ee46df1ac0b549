"""Batcher: what arrives while one batch runs makes up the next, and each caller gets its own
result or error."""

from __future__ import annotations

import asyncio

import pytest

from hub.batching import Batcher, keyed


async def test_items_arriving_during_a_batch_form_the_next_one() -> None:
    seen: list[list[int]] = []
    release = asyncio.Event()

    async def handle(items: list[int]) -> list[int | Exception]:
        seen.append(items)
        if len(seen) == 1:
            await release.wait()  # the first batch runs while the others arrive
        return [item * 10 for item in items]

    batcher: Batcher[int, int] = Batcher("test", handle)
    batcher.start()
    try:
        first = asyncio.create_task(batcher.submit(1))
        await asyncio.sleep(0)
        later = [asyncio.create_task(batcher.submit(n)) for n in (2, 3, 4)]
        await asyncio.sleep(0)
        release.set()
        assert await first == 10
        assert [await task for task in later] == [20, 30, 40]
        assert seen == [[1], [2, 3, 4]]
        assert batcher.batches == 2
        assert batcher.handled_weight == 4  # one per item by default
    finally:
        await batcher.close()


async def test_a_batch_stops_at_its_weight_and_errors_reach_their_caller() -> None:
    seen: list[list[str]] = []

    async def handle(items: list[str]) -> list[str | Exception]:
        seen.append(items)
        return [ValueError(i) if i == "bad" else i.upper() for i in items]

    batcher: Batcher[str, str] = Batcher("test", handle, max_weight=5, weight=len)
    batcher.start()
    # all three are queued before the batcher's task first runs
    tasks = [asyncio.create_task(batcher.submit(i)) for i in ("abc", "bad", "xy")]
    try:
        results = await asyncio.gather(*tasks, return_exceptions=True)
        assert results[0] == "ABC"
        assert isinstance(results[1], ValueError)
        assert results[2] == "XY"
        assert seen == [["abc", "bad"], ["xy"]]  # 3 + 3 reached the weight of 5
        assert batcher.handled_weight == 8
    finally:
        await batcher.close()


async def test_a_failing_handler_fails_every_caller_and_the_next_batch_runs() -> None:
    calls = 0

    async def handle(keys: list[str]) -> dict[str, Exception]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database down")
        return {"b": LookupError("busy lane")}

    batcher: Batcher[str, None] = Batcher("test", keyed(handle))
    batcher.start()
    try:
        with pytest.raises(ConnectionError):
            await batcher.submit("a")
        await batcher.submit("a")  # the next batch succeeds
        with pytest.raises(LookupError):
            await batcher.submit("b")
    finally:
        await batcher.close()


async def test_submitting_before_start_is_an_error() -> None:
    async def handle(items: list[int]) -> list[int | Exception]:
        return list(items)

    with pytest.raises(RuntimeError, match="start"):
        await Batcher("test", handle).submit(1)
