"""In-process realtime fan-out."""

from __future__ import annotations

from hub.realtime import LocalRealtime


async def test_every_subscriber_of_a_channel_gets_the_event_and_others_do_not() -> None:
    realtime = LocalRealtime()
    async with (
        realtime.subscribe("a") as first,
        realtime.subscribe("a") as second,
        realtime.subscribe("b") as other,
    ):
        await realtime.publish("a", {"n": 1})
        assert first.get_nowait() == {"n": 1}
        assert second.get_nowait() == {"n": 1}
        assert other.empty()


async def test_a_stalled_subscriber_does_not_fail_publishing() -> None:
    realtime = LocalRealtime()
    async with realtime.subscribe("a") as stalled:
        for n in range(stalled.maxsize + 5):
            await realtime.publish("a", {"n": n})  # never raises
        assert stalled.qsize() == stalled.maxsize
    assert realtime._subscribers == {}
