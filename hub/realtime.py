"""Realtime pushes to web sockets, fanned out across processes through Redis pub/sub."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

log = logging.getLogger(__name__)

#: a doorbell, not data: rung after a commit that changed conversations or messages, so
#: every process's inbox feed (hub/web/inbox/feed.py) reads the database now instead of
#: at its next poll; through Redis in scaled mode, so it rings in every process
INBOX_DOORBELL = "inbox:changed"


async def ring_inbox(realtime: LocalRealtime) -> None:
    """Ring :data:`INBOX_DOORBELL`; never fails the caller (the feed polls anyway)."""
    try:
        await realtime.publish(INBOX_DOORBELL, {})
    except Exception:
        log.debug("inbox doorbell failed; the feed's poll picks the change up", exc_info=True)


class LocalRealtime:
    """Subscribers of this process; ``publish`` reaches only them."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[asyncio.Queue[dict[str, Any]]]] = {}

    async def publish(self, channel: str, event: Mapping[str, Any]) -> None:
        self.deliver_local(channel, dict(event))

    def deliver_local(self, channel: str, event: dict[str, Any]) -> None:
        for queue in self._subscribers.get(channel, ()):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                # a stalled socket misses pushes (its widget refetches history on
                # reconnect) rather than failing the send for everyone
                log.debug("realtime subscriber of %s is full; push dropped", channel)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=1000)
        self._subscribers.setdefault(channel, set()).add(queue)
        try:
            yield queue
        finally:
            subs = self._subscribers.get(channel)
            if subs is not None:
                subs.discard(queue)
                if not subs:
                    del self._subscribers[channel]

    async def start(self) -> None:
        """Nothing to connect in-process."""

    async def close(self) -> None:
        """Nothing to release in-process."""


class RedisRealtime(LocalRealtime):
    """Publishes through Redis; a listener delivers every message to local subscribers."""

    def __init__(self, redis: Any, namespace: str, listen: bool = True) -> None:
        super().__init__()
        self._redis = redis
        self._prefix = f"{namespace}:rt:"
        self._listen = listen
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def publish(self, channel: str, event: Mapping[str, Any]) -> None:
        await self._redis.publish(self._prefix + channel, json.dumps(event, default=str))

    async def start(self) -> None:
        if self._listen and self._task is None:
            self._task = asyncio.create_task(self._run(), name="realtime-listener")
            await asyncio.wait_for(self._ready.wait(), timeout=10)

    async def _run(self) -> None:
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.psubscribe(self._prefix + "*")
                self._ready.set()
                async for message in pubsub.listen():
                    if message.get("type") != "pmessage":
                        continue
                    channel = message["channel"]
                    if isinstance(channel, bytes):
                        channel = channel.decode()
                    data = message["data"]
                    try:
                        event = json.loads(data)
                    except (TypeError, ValueError):
                        continue
                    self.deliver_local(channel.removeprefix(self._prefix), event)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("realtime listener lost Redis, reconnecting", exc_info=True)
                await asyncio.sleep(1)
            finally:
                with contextlib.suppress(Exception):  # the connection is already broken
                    await pubsub.aclose()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
