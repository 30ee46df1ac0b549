"""arq on Redis for the scaled mode: the serving processes enqueue, `hub worker` runs."""

from __future__ import annotations

from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from hub.jobs.queue import JobQueue


def queue_name(namespace: str) -> str:
    return f"{namespace}:jobs"


def redis_settings(url: str) -> RedisSettings:
    return RedisSettings.from_dsn(url)


class ArqQueue(JobQueue):
    def __init__(self, pool: ArqRedis, queue: str, owns_pool: bool = True) -> None:
        self.pool = pool
        self.queue = queue
        self._owns_pool = owns_pool

    @classmethod
    async def connect(cls, url: str, namespace: str) -> ArqQueue:
        queue = queue_name(namespace)
        return cls(await create_pool(redis_settings(url), default_queue_name=queue), queue)

    async def enqueue(
        self, name: str, arg: str | int, *, job_id: str, delay_s: float = 0.0
    ) -> None:
        kwargs: dict[str, Any] = {"_job_id": f"{self.queue}:{job_id}", "_queue_name": self.queue}
        if delay_s > 0:
            kwargs["_defer_by"] = delay_s
        await self.pool.enqueue_job(name, arg, **kwargs)

    async def close(self) -> None:
        if self._owns_pool:
            await self.pool.aclose()
