"""``hub worker``: an arq worker running the same job functions as the in-process queue."""

from __future__ import annotations

from typing import Any

from arq.worker import Retry, Worker, func

from config.loader import AppConfig
from config.settings import Settings
from hub import heap
from hub.jobs.arq_backend import queue_name, redis_settings
from hub.jobs.locks import LaneBusy
from hub.runtime import JOBS, JobFn, Runtime


def build_worker(
    settings: Settings,
    config: AppConfig,
    *,
    burst: bool = False,
    runtime: Runtime | None = None,
) -> Worker:
    """An arq worker; with ``runtime`` it borrows a started runtime instead of owning one."""
    if not settings.redis_url:
        raise ValueError("hub worker needs HUB_REDIS_URL (without it jobs run inside hub serve)")
    owned = runtime is None
    runtime = runtime or Runtime(settings, config, role="worker")

    async def startup(ctx: dict[str, Any]) -> None:
        if owned:
            await runtime.start(migrate=False)
            heap.settle()  # a process of its own: what startup built lives as long as it

    async def shutdown(ctx: dict[str, Any]) -> None:
        if owned:
            await runtime.close()

    def job(name: str, fn: JobFn) -> Any:
        async def run(ctx: dict[str, Any], arg: str | int) -> None:
            try:
                await fn(runtime.ctx, arg)
            except LaneBusy:
                raise Retry(defer=1) from None

        run.__qualname__ = run.__name__ = name
        return func(run, name=name, keep_result=0, max_tries=1000)

    return Worker(
        functions=[job(name, fn) for name, fn in JOBS.items()],
        on_startup=startup,
        on_shutdown=shutdown,
        redis_settings=redis_settings(settings.redis_url),
        queue_name=queue_name(settings.redis_namespace),
        keep_result=0,
        burst=burst,
        poll_delay=0.05,
        max_jobs=32,
        job_timeout=120,
        handle_signals=not burst,
    )
