"""arq on Redis for the scaled mode: the serving processes enqueue, `hub worker` runs."""

from __future__ import annotations

from typing import Any

from arq import create_pool
from arq.connections import ArqRedis, RedisSettings

from hub.jobs.queue import JobQueue

QUEUE_NAME = "hub:jobs"


def redis_settings(url: str) -> RedisSettings:
    return RedisSettings.from_dsn(url)


class ArqQueue(JobQueue):
    def __init__(self, pool: ArqRedis, owns_pool: bool = True) -> None:
        self.pool = pool
        self._owns_pool = owns_pool

    @classmethod
    async def connect(cls, url: str) -> ArqQueue:
        return cls(await create_pool(redis_settings(url), default_queue_name=QUEUE_NAME))

    async def enqueue(
        self, name: str, arg: str | int, *, job_id: str, delay_s: float = 0.0
    ) -> None:
        kwargs: dict[str, Any] = {"_job_id": job_id, "_queue_name": QUEUE_NAME}
        if delay_s > 0:
            kwargs["_defer_by"] = delay_s
        await self.pool.enqueue_job(name, arg, **kwargs)

    async def close(self) -> None:
        if self._owns_pool:
            await self.pool.aclose()
