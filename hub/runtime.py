"""Start and stop one hub process (``serve`` or ``worker``) in either mode.

Embedded: SQLite, in-process queue, in-process realtime. Scaled: PostgreSQL, arq on Redis,
Redis pub/sub for realtime and Redis lane locks. Nothing else differs.

Every resource is one async context (:meth:`Runtime.resources`) that opens it and closes
exactly what it opened, so a start that fails half-way closes what was already open, in
reverse order. The aiohttp app registers each as a cleanup context of its own; ``start``
and ``close`` enter and leave them in one exit stack (tests, ``hub worker``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from functools import partial
from typing import Any, Literal

import aiohttp

from channels.base import AdapterServices, ChannelAdapter
from channels.errors import ChannelError
from channels.media_fetch import GuardedResolver
from channels.media_policy import policy_for
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


#: one resource of the process: entering opens it, leaving closes it
Resource = Callable[[], AbstractAsyncContextManager[None]]


class Runtime:
    """Owns every resource of the process; ``start``/``close`` (or the app's cleanup
    contexts, one per resource) are the only lifecycle."""

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
        #: stored media URLs only: every connection's addresses vetted at connect time
        self.media_http: aiohttp.ClientSession | None = None
        self.redis: Any = None
        self._ctx: HubContext | None = None
        self._realtime: LocalRealtime | None = None
        self._locks: Any = None
        self._queue_closed = False
        self._stack: AsyncExitStack | None = None

    @property
    def ctx(self) -> HubContext:
        if self._ctx is None:
            raise RuntimeError("runtime not started")
        return self._ctx

    @property
    def scaled(self) -> bool:
        return self.settings.redis_url is not None

    def resources(self, *, migrate: bool | None = None) -> list[tuple[str, Resource]]:
        """The resources in the order they open (and, reversed, close). ``migrate``
        defaults to SQLite only (PostgreSQL is migrated by ``hub migrate``)."""
        steps: list[tuple[str, Callable[[], AsyncIterator[None]]]] = [
            ("database", partial(self._database, migrate)),
            ("http session", self._http_session),
            ("redis", self._redis_client),
            ("realtime", self._realtime_fanout),
            ("queue", self._job_queue),
            ("inboxes", self._inboxes),
            ("bot", self._bot),
            ("batchers", self._batchers),
            ("event writer", self._event_writer),
            ("job intake", self._job_intake),
            ("recovery", self._recovery),
        ]
        return [(name, asynccontextmanager(step)) for name, step in steps]

    async def start(self, *, migrate: bool | None = None) -> HubContext:
        """Open every resource; on a failure, close those already open and raise."""
        async with AsyncExitStack() as stack:
            for _, resource in self.resources(migrate=migrate):
                await stack.enter_async_context(resource())
            self._stack = stack.pop_all()
        return self.ctx

    async def close(self) -> None:
        if self._stack is not None:
            stack, self._stack = self._stack, None
            await stack.aclose()

    # -- the resources, in start order ------------------------------------------------------

    async def _database(self, migrate: bool | None) -> AsyncIterator[None]:
        if migrate if migrate is not None else self.settings.uses_sqlite:
            await db.migrate(self.settings)
            await db.close_db()
        try:
            await db.init_db(self.settings)
            yield
        finally:
            await db.close_db()

    async def _http_session(self) -> AsyncIterator[None]:
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        # a session of its own for URLs that customers' providers stored: its resolver drops
        # private, loopback and link-local addresses (the configured API bases excepted)
        exempt = frozenset(
            origin.host for inbox in self.config.hub.inboxes for origin in policy_for(inbox).trusted
        )
        self.media_http = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(resolver=GuardedResolver(exempt=exempt)),
            timeout=aiohttp.ClientTimeout(total=60, sock_connect=10),
        )
        try:
            yield
        finally:
            await self.http.close()
            await self.media_http.close()

    async def _redis_client(self) -> AsyncIterator[None]:
        if not self.settings.redis_url:
            yield
            return
        from redis.asyncio import Redis

        self.redis = Redis.from_url(self.settings.redis_url)
        try:
            yield
        finally:
            await self.redis.aclose()

    async def _realtime_fanout(self) -> AsyncIterator[None]:
        """Web socket fan-out (Redis pub/sub when scaled) and the lane locks beside it."""
        namespace = self.settings.redis_namespace
        if self.redis is not None:
            realtime: LocalRealtime = RedisRealtime(
                self.redis, namespace, listen=self.role == "serve"
            )
            self._locks = RedisLaneLocks(self.redis, namespace)
        else:
            realtime = LocalRealtime()
            self._locks = LocalLaneLocks()
        self._realtime = realtime
        await realtime.start()
        try:
            yield
        finally:
            await realtime.close()

    async def _job_queue(self) -> AsyncIterator[None]:
        """The queue, and the context every job and handler shares, which holds it."""
        queue: JobQueue
        if self.settings.redis_url:
            from hub.jobs.arq_backend import ArqQueue

            queue = await ArqQueue.connect(self.settings.redis_url, self.settings.redis_namespace)
        else:
            queue = LocalQueue(self._run_job, workers=self.settings.job_workers)
        assert self._realtime is not None
        self._queue_closed = False
        self._ctx = HubContext(
            settings=self.settings,
            config=self.config,
            queue=queue,
            locks=self._locks,
            realtime=self._realtime,
            write_gate=asyncio.Semaphore(1 if self.settings.uses_sqlite else 64),
        )
        try:
            yield
        finally:
            await self._close_queue()

    async def _inboxes(self) -> AsyncIterator[None]:
        """hub.yaml's inboxes in the table, and their adapters."""
        await self._sync_inboxes()
        try:
            await self._build_adapters()
            yield
        finally:
            for adapter in self.ctx.adapters.values():
                await adapter.close()

    async def _bot(self) -> AsyncIterator[None]:
        self.ctx.bot = await asyncio.to_thread(build_bot, self.config, self.settings, self.environ)
        try:
            yield
        finally:
            await self.ctx.bot.aclose()

    async def _batchers(self) -> AsyncIterator[None]:
        """Process and send jobs of this process grouped into shared transactions."""
        ctx = self.ctx
        ctx.processor = Batcher("process-batcher", keyed(partial(process_events, ctx)))
        ctx.sender = Batcher("send-batcher", keyed(partial(send_outboxes, ctx)))
        ctx.processor.start()
        ctx.sender.start()
        try:
            yield
        finally:
            await ctx.processor.close()
            await ctx.sender.close()

    async def _event_writer(self) -> AsyncIterator[None]:
        """The ingest's group commit (``serve`` only: a worker stores no webhooks)."""
        if self.role != "serve":
            yield
            return
        writer = EventWriter()
        writer.start()
        self.ctx.writer = writer
        try:
            yield
        finally:
            await writer.close()

    async def _job_intake(self) -> AsyncIterator[None]:
        """Opens nothing: on the way down the queue stops taking jobs here, before the
        writer, batchers, bot and adapters that running jobs use are closed."""
        try:
            yield
        finally:
            await self._close_queue()

    async def _recovery(self) -> AsyncIterator[None]:
        """Re-queue what a crash left pending, then sweep for lost jobs (one process does
        it when scaled: the serving ones)."""
        if self.role != "serve" and self.scaled:
            yield
            return
        await requeue_pending(self.ctx)
        sweep = asyncio.create_task(sweep_forever(self.ctx, self.settings.sweep_interval_s))
        try:
            yield
        finally:
            sweep.cancel()
            await asyncio.gather(sweep, return_exceptions=True)

    async def _close_queue(self) -> None:
        if self._ctx is not None and not self._queue_closed:
            self._queue_closed = True
            await self._ctx.queue.close()

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
        try:
            for inbox in self.config.hub.inboxes:
                try:
                    adapter = build_adapter(inbox, self.environ, services)
                    await adapter.start()
                except (ChannelError, ImportError) as exc:
                    unavailable[inbox.slug] = str(exc)
                    log.warning("inbox %s is unavailable: %s", inbox.slug, exc)
                    continue
                adapters[inbox.slug] = adapter
        except BaseException:
            for adapter in adapters.values():  # an adapter bug: close the ones started
                await adapter.close()
            raise
        old = self.ctx.adapters
        self.ctx.adapters, self.ctx.unavailable = adapters, unavailable
        self.ctx.media_policies = {
            inbox.slug: policy_for(inbox) for inbox in self.config.hub.inboxes
        }
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
