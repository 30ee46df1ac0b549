"""Start and stop one hub process (``serve`` or ``worker``) in either mode.

Embedded: SQLite, in-process queue, in-process realtime. Scaled: PostgreSQL, arq on Redis,
Redis pub/sub for realtime and Redis lane locks. Nothing else differs.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable, Mapping
from functools import partial
from typing import Any, Literal

import aiohttp

from channels.base import AdapterServices, ChannelAdapter
from channels.errors import ChannelError
from channels.registry import build_adapter
from config.loader import AppConfig
from config.settings import Settings
from hub.batching import Batcher, keyed
from hub.bot.step import build_bot
from hub.bot.timers import fire_timer
from hub.context import HubContext, InboxRef
from hub.inbound.ingest import EventWriter
from hub.inbound.processing import process_event, process_events
from hub.inbound.recovery import requeue_pending, sweep_forever
from hub.jobs.local import LocalQueue
from hub.jobs.locks import LocalLaneLocks, RedisLaneLocks
from hub.jobs.names import PROCESS_JOB, SEND_JOB, TIMER_JOB
from hub.jobs.queue import JobQueue
from hub.outbound.sending import send_outbox, send_outboxes
from hub.realtime import LocalRealtime, RedisRealtime
from hub.store import db
from hub.store.models import Inbox

log = logging.getLogger(__name__)

JobFn = Callable[[HubContext, Any], Awaitable[None]]
JOBS: dict[str, JobFn] = {PROCESS_JOB: process_event, SEND_JOB: send_outbox, TIMER_JOB: fire_timer}


class Runtime:
    """Owns every resource of the process; ``start``/``close`` are the only lifecycle."""

    def __init__(
        self,
        settings: Settings,
        config: AppConfig,
        *,
        role: Literal["serve", "worker"] = "serve",
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.config = config
        self.role = role
        self.environ = environ if environ is not None else os.environ
        self.http: aiohttp.ClientSession | None = None
        self.redis: Any = None
        self._ctx: HubContext | None = None
        self._tasks: list[asyncio.Task[Any]] = []

    @property
    def ctx(self) -> HubContext:
        if self._ctx is None:
            raise RuntimeError("runtime not started")
        return self._ctx

    @property
    def scaled(self) -> bool:
        return self.settings.redis_url is not None

    async def start(self, *, migrate: bool | None = None) -> HubContext:
        if migrate if migrate is not None else self.settings.uses_sqlite:
            await db.migrate(self.settings)
            await db.close_db()
        await db.init_db(self.settings)
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        queue: JobQueue
        if self.settings.redis_url:
            from redis.asyncio import Redis

            from hub.jobs.arq_backend import ArqQueue

            self.redis = Redis.from_url(self.settings.redis_url)
            namespace = self.settings.redis_namespace
            realtime: LocalRealtime = RedisRealtime(
                self.redis, namespace, listen=self.role == "serve"
            )
            locks: Any = RedisLaneLocks(self.redis, namespace)
            queue = await ArqQueue.connect(self.settings.redis_url, namespace)
        else:
            realtime = LocalRealtime()
            locks = LocalLaneLocks()
            queue = LocalQueue(self._run_job, workers=self.settings.job_workers)
        await realtime.start()
        self._ctx = HubContext(
            settings=self.settings,
            config=self.config,
            queue=queue,
            locks=locks,
            realtime=realtime,
            write_gate=asyncio.Semaphore(1 if self.settings.uses_sqlite else 64),
        )
        ctx = self.ctx
        ctx.processor = Batcher("process-batcher", keyed(partial(process_events, ctx)))
        ctx.sender = Batcher("send-batcher", keyed(partial(send_outboxes, ctx)))
        ctx.processor.start()
        ctx.sender.start()
        await self._sync_inboxes()
        await self._build_adapters()
        self.ctx.bot = await asyncio.to_thread(build_bot, self.config, self.settings, self.environ)
        if self.role == "serve":
            self.ctx.writer = EventWriter()
            self.ctx.writer.start()
        if self.role == "serve" or not self.scaled:
            await requeue_pending(self.ctx)
            self._tasks.append(
                asyncio.create_task(sweep_forever(self.ctx, self.settings.sweep_interval_s))
            )
        return self.ctx

    async def _run_job(self, name: str, arg: str | int) -> None:
        await JOBS[name](self.ctx, arg)

    async def _sync_inboxes(self) -> None:
        """Mirror hub.yaml's inboxes into the table (rows are kept when removed from config)."""
        for inbox in self.config.hub.inboxes:
            row, created = await Inbox.get_or_create(
                slug=inbox.slug, defaults={"kind": inbox.kind, "name": inbox.name}
            )
            if not created and (row.kind != inbox.kind or row.name != inbox.name):
                row.kind, row.name = inbox.kind, inbox.name
                await row.save()
            ref = InboxRef(row.id, row.slug, row.kind)
            self.ctx.inboxes_by_slug[row.slug] = ref
            self.ctx.inboxes_by_id[row.id] = ref

    async def _build_adapters(self) -> None:
        services = AdapterServices(
            http=self.http, push=self.ctx.realtime.publish, public_url=self.settings.public_url
        )
        adapters: dict[str, ChannelAdapter] = {}
        unavailable: dict[str, str] = {}
        for inbox in self.config.hub.inboxes:
            try:
                adapter = build_adapter(inbox, self.environ, services)
                await adapter.start()
            except (ChannelError, ImportError) as exc:
                unavailable[inbox.slug] = str(exc)
                log.warning("inbox %s is unavailable: %s", inbox.slug, exc)
                continue
            adapters[inbox.slug] = adapter
        old = self.ctx.adapters
        self.ctx.adapters, self.ctx.unavailable = adapters, unavailable
        for adapter in old.values():
            await adapter.close()

    async def reload(self, config: AppConfig) -> None:
        """Swap in a validated config; the caller validated it, so the old one keeps running
        until this returns."""
        # may be slow (models): build in a thread, before swapping anything
        bot = await asyncio.to_thread(build_bot, config, self.settings, self.environ)
        old = self.ctx.bot
        self.config = config
        self.ctx.config = config
        self.ctx.bot = bot
        await self._sync_inboxes()
        await self._build_adapters()
        await old.aclose()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self._ctx is not None:
            if self._ctx.writer is not None:
                await self._ctx.writer.close()
            await self._ctx.queue.close()
            for batcher in (self._ctx.processor, self._ctx.sender):
                if batcher is not None:
                    await batcher.close()
            await self._ctx.realtime.close()
            for adapter in self._ctx.adapters.values():
                await adapter.close()
            if self._ctx.bot is not None:
                await self._ctx.bot.aclose()
        if self.http is not None:
            await self.http.close()
        if self.redis is not None:
            await self.redis.aclose()
        await db.close_db()
