"""The database is the source of truth: re-queue what a crash or a lost job left behind."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from hub.bot.timers import requeue_timers
from hub.context import HubContext
from hub.jobs.names import PROCESS_JOB, SEND_JOB
from hub.store.models import EventStatus, InboundEvent, Outbox, OutboxStatus

log = logging.getLogger(__name__)


async def requeue_pending(
    ctx: HubContext, older_than: timedelta = timedelta(0), level: int = logging.INFO
) -> int:
    """Queue every unprocessed event and unfinished, due outbox row; returns the count."""
    now = datetime.now(UTC)
    cutoff = now - older_than
    count = 0
    event_ids = await InboundEvent.filter(
        status=EventStatus.RECEIVED, received_at__lte=cutoff
    ).values_list("id", flat=True)
    for event_id in event_ids:
        await ctx.queue.enqueue(PROCESS_JOB, str(event_id), job_id=f"ev:{event_id}")
        count += 1
    rows = await Outbox.filter(
        Q(status=OutboxStatus.QUEUED, created_at__lte=cutoff)
        & Q(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        | Q(status=OutboxStatus.SENDING, lease_until__lt=now)
    ).values_list("id", "attempts")
    for outbox_id, attempts in rows:
        await ctx.queue.enqueue(SEND_JOB, outbox_id, job_id=f"send:{outbox_id}:{attempts}")
        count += 1
    count += await requeue_timers(ctx, older_than)
    if count:
        log.log(level, "re-queued %d pending events and sends", count)
    return count


async def sweep_forever(ctx: HubContext, every_s: float = 30.0) -> None:
    """Catch anything whose job was lost after its commit (e.g. Redis was down)."""
    while True:
        await asyncio.sleep(every_s)
        try:
            await requeue_pending(ctx, older_than=timedelta(seconds=every_s), level=logging.DEBUG)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("sweep failed", exc_info=True)
