"""What every job and request handler shares in one process: config, adapters, queue, locks."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from channels.base import ChannelAdapter, InboundItem
from channels.media_policy import MediaPolicy
from config.loader import AppConfig
from config.settings import Settings
from hub.batching import Batcher
from hub.jobs.locks import LaneLocks
from hub.jobs.queue import JobQueue
from hub.realtime import LocalRealtime
from hub.store.inbound_events import StoredEvent


class EventSink(Protocol):
    """What handlers and processing need of the ingest's writer
    (:class:`hub.inbound.ingest.EventWriter`); declared here because the writer's module
    imports this one."""

    @property
    def rows(self) -> int:
        """Rows stored so far (processing watches it to give way while webhooks arrive)."""
        ...

    async def write(self, inbox_id: int, items: Sequence[InboundItem]) -> list[StoredEvent]:
        """Store ``items`` durably; returns those that were new, once they are committed."""
        ...


@dataclass(frozen=True, slots=True)
class InboxRef:
    id: int
    slug: str
    kind: str


@dataclass
class HubContext:
    """Mutable only where a reload swaps the config; everything else is set at start."""

    settings: Settings
    config: AppConfig
    queue: JobQueue
    locks: LaneLocks
    realtime: LocalRealtime
    adapters: dict[str, ChannelAdapter] = field(default_factory=dict)
    #: inboxes whose adapter could not be built, with the reason (e.g. missing env var)
    unavailable: dict[str, str] = field(default_factory=dict)
    inboxes_by_slug: dict[str, InboxRef] = field(default_factory=dict)
    inboxes_by_id: dict[int, InboxRef] = field(default_factory=dict)
    #: what each inbox's stored media URLs may be fetched from (rebuilt on reload)
    media_policies: dict[str, MediaPolicy] = field(default_factory=dict)
    writer: EventSink | None = None
    #: group the process and send jobs of this process into shared transactions
    processor: Batcher[str, None] | None = None
    sender: Batcher[int, None] | None = None
    #: per-config bot state from ``hub.bot.build_bot`` (rebuilt on reload)
    bot: Any = None
    #: processing transactions admitted at once. SQLite has one writer and tortoise one
    #: connection, so more than one in flight only lengthens the queue the ingest insert
    #: waits in; PostgreSQL runs them in parallel.
    write_gate: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))
