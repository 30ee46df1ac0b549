"""The send job: claim outbox rows with a lease, call the inbox's adapter, record the outcome.

Transient errors retry with exponential backoff and jitter (the provider's Retry-After
wins), permanent errors and exhausted attempts mark the row and its message failed.
Receipts that arrived before their send recorded the provider's id are replayed here.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from tortoise.transactions import in_transaction

from channels.base import DeliveryStatus, SendResult
from channels.errors import PermanentSendError, TransientSendError
from channels.keys import stable_key
from config.hub import OutboxPolicy
from hub.context import HubContext
from hub.jobs.names import PROCESS_JOB, SEND_JOB
from hub.logs import failure, redact
from hub.outbound.replies import outbound_from_json
from hub.store.models import EventNote, EventStatus, InboundEvent, Message, Outbox, OutboxStatus
from hub.store.outbox_claims import Claimed, SentRow, claim_due, customer_windows, record_sent

log = logging.getLogger(__name__)


def backoff_delay(policy: OutboxPolicy, attempt: int, retry_after: float | None) -> float:
    """Exponential backoff with full jitter; a provider-given delay is honoured as a floor."""
    ceiling = min(policy.max_delay_s, policy.base_delay_s * (2 ** max(0, attempt - 1)))
    delay = random.uniform(ceiling / 2, ceiling)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


async def send_outbox(ctx: HubContext, outbox_id: int) -> None:
    """The send job: claim, call the adapter, record the outcome, schedule a retry."""
    if ctx.sender is not None:
        await ctx.sender.submit(outbox_id)
    else:
        await send_outboxes(ctx, [outbox_id])


async def send_outboxes(ctx: HubContext, outbox_ids: Sequence[int]) -> dict[int, Exception]:
    """Send a batch of outbox rows: one claim, the sends side by side, one transaction
    for the rows that went out. Failures are recorded row by row, with their retry."""
    now = datetime.now(UTC)
    claimed = await claim_due(
        outbox_ids,
        lease_until=now + timedelta(seconds=ctx.settings.send_lease_s),
        due_by=now + timedelta(seconds=1),
        now=now,
    )
    taken = {row.id for row in claimed}
    await _defer_not_due(ctx, [i for i in outbox_ids if i not in taken], now)
    windows = await customer_windows([row.message_id for row in claimed if row.message_id])
    outcomes = await asyncio.gather(*(_attempt(ctx, row, windows) for row in claimed))
    sent = [(row, result) for row, result in zip(claimed, outcomes, strict=True) if result]
    if sent:
        await record_sent(
            [
                SentRow(row.id, row.message_id, _stored_id(result.provider_message_id))
                for row, result in sent
            ],
            datetime.now(UTC),
        )
    await replay_early_receipts(
        ctx,
        [
            (row.inbox_id, result.provider_message_id)
            for row, result in sent
            if row.message_id is not None and result.provider_message_id
        ],
    )
    return {}


def _stored_id(provider_message_id: str | None) -> str | None:
    """The provider's id as the message column holds it (hashed when too long, never cut),
    so a receipt naming it finds its message."""
    return stable_key(provider_message_id) if provider_message_id else None


async def _defer_not_due(ctx: HubContext, ids: list[int], now: datetime) -> None:
    """Rows not taken that wait for a later attempt get their job back, delayed."""
    if not ids:
        return
    later = await Outbox.filter(
        id__in=ids, status=OutboxStatus.QUEUED, next_attempt_at__gt=now
    ).values_list("id", "attempts", "next_attempt_at")
    for outbox_id, attempts, due in later:
        await ctx.queue.enqueue(
            SEND_JOB,
            outbox_id,
            job_id=f"send:{outbox_id}:{attempts}",
            delay_s=(due - now).total_seconds(),
        )


async def _attempt(
    ctx: HubContext, row: Claimed, windows: dict[int, datetime | None]
) -> SendResult | None:
    """Call the adapter once; a failure is recorded here (retry or permanent)."""
    inbox = ctx.inboxes_by_id.get(row.inbox_id)
    adapter = ctx.adapters.get(inbox.slug) if inbox else None
    policy = ctx.config.hub.outbox
    if adapter is None:
        reason = ctx.unavailable.get(inbox.slug, "inbox not configured") if inbox else "no inbox"
        await _retry_or_fail(ctx, row, row.attempts, policy, reason, None)
        return None
    outbound = outbound_from_json(
        row.payload, windows.get(row.message_id) if row.message_id else None
    )
    try:
        return await adapter.send(outbound)
    except PermanentSendError as exc:
        await _fail(row.id, row.message_id, exc.reason)
    except TransientSendError as exc:
        await _retry_or_fail(ctx, row, row.attempts, policy, exc.reason, exc.retry_after)
    except Exception as exc:  # an adapter bug must not lose the message: retry like a 5xx
        failure(log, f"send of outbox {row.id}", exc, key="send")
        await _retry_or_fail(ctx, row, row.attempts, policy, f"unexpected error: {exc}", None)
    return None


async def replay_early_receipts(ctx: HubContext, sent: Sequence[tuple[int, str]]) -> None:
    """Receipts that arrived before their send recorded its provider id apply now (a fast
    provider can call back before the send's own response is written). ``sent`` holds
    (inbox id, provider message id) pairs: one query for a whole send batch."""
    if not sent:
        return
    wanted = {(inbox_id, stable_key(f"status:{provider_id}")) for inbox_id, provider_id in sent}
    rows = await InboundEvent.filter(
        inbox_id__in={inbox_id for inbox_id, _ in wanted},
        order_key__in={key for _, key in wanted},
        status=EventStatus.IGNORED,
        error=EventNote.NO_MESSAGE_YET.value,
    ).values_list("id", "inbox_id", "order_key")
    early = [event_id for event_id, inbox_id, key in rows if (inbox_id, key) in wanted]
    if not early:
        return
    await InboundEvent.filter(id__in=early).update(
        status=EventStatus.RECEIVED, error=None, processed_at=None
    )
    for event_id in early:
        await ctx.queue.enqueue(PROCESS_JOB, str(event_id), job_id=f"ev:{event_id}:replay")


async def _retry_or_fail(
    ctx: HubContext,
    row: Claimed,
    attempt: int,
    policy: OutboxPolicy,
    reason: str,
    retry_after: float | None,
) -> None:
    if attempt >= policy.max_attempts:
        await _fail(row.id, row.message_id, f"gave up after {attempt} attempts: {reason}")
        return
    delay = backoff_delay(policy, attempt, retry_after)
    await Outbox.filter(id=row.id).update(
        status=OutboxStatus.QUEUED,
        lease_until=None,
        last_error=reason[:2000],
        next_attempt_at=datetime.now(UTC) + timedelta(seconds=delay),
    )
    log.info(
        "outbox %s attempt %d failed (%s), retry in %.1fs", row.id, attempt, redact(reason), delay
    )
    await ctx.queue.enqueue(SEND_JOB, row.id, job_id=f"send:{row.id}:{attempt}", delay_s=delay)


async def _fail(outbox_id: int, message_id: int | None, reason: str) -> None:
    log.warning("outbox %s failed permanently: %s", outbox_id, redact(reason))
    async with in_transaction() as conn:
        await (
            Outbox.filter(id=outbox_id)
            .using_db(conn)
            .update(status=OutboxStatus.FAILED, lease_until=None, last_error=reason[:2000])
        )
        if message_id is not None:
            await (
                Message.filter(id=message_id)
                .using_db(conn)
                .update(delivery_status=DeliveryStatus.FAILED.value, error=reason[:2000])
            )
