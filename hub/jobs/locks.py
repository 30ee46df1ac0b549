"""Lane locks: items of one conversation are processed one at a time, across workers too."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from redis.exceptions import LockError


class LaneLocks(Protocol):
    def lane(self, key: str) -> AbstractAsyncContextManager[None]: ...


class LocalLaneLocks:
    """asyncio locks per lane, dropped when nobody holds or waits for them."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def lane(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class LaneBusy(Exception):
    """The lane stayed locked by another worker past the wait limit; retry later."""


class RedisLaneLocks:
    """A Redis lock per lane with a lease, so a killed worker's lock expires by itself."""

    def __init__(
        self, redis: Any, namespace: str, lease_s: float = 60.0, wait_s: float = 30.0
    ) -> None:
        self._redis = redis
        self._prefix = f"{namespace}:lane:"
        self._lease_s = lease_s
        self._wait_s = wait_s

    @asynccontextmanager
    async def lane(self, key: str) -> AsyncIterator[None]:
        lock = self._redis.lock(
            self._prefix + key, timeout=self._lease_s, blocking_timeout=self._wait_s, sleep=0.01
        )
        if not await lock.acquire():
            raise LaneBusy(key)
        try:
            yield
        finally:
            # a lease that expired means the lock is already gone
            with contextlib.suppress(LockError):
                await lock.release()
