"""Time-based bot events ("no customer reply for 10 minutes", survey timeouts) that survive
restarts.

The ``scheduled_timer`` table is the schedule. A job ``fire_timer(timer_id)`` is only the
alarm clock: it is queued when the timer is written, queued again for every pending timer
when the hub starts (the in-process queue forgets delayed jobs) and, by the periodic sweep,
for every timer whose alarm is overdue (a lost arq job). Firing claims the row inside the
conversation's lane lock and transaction, so a timer fires at most once however many jobs
point at it, and a rescheduled timer simply waits for its new time.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from tortoise.transactions import in_transaction

from automations.conversation import TimerCancel, TimerSet
from automations.rules import Event, EventKind, Sender
from hub.context import HubContext
from hub.conversation import customer_lane
from hub.jobs.locks import LaneBusy
from hub.jobs.names import TIMER_JOB
from hub.outbound.replies import Reply, create_replies, enqueue_sends
from hub.store.automation_models import ScheduledTimer
from hub.store.models import Contact, ContactIdentity, Conversation, Outbox

log = logging.getLogger(__name__)

#: no alarm rings sooner than this, so the transaction that wrote the timer has committed
#: (a job that still finds nothing is harmless: the sweep queues the timer again)
MIN_DELAY_S = 0.5


@dataclass(frozen=True, slots=True)
class DueTimer:
    """A claimed timer, handed to the bot: what to deliver and since when the hub waited."""

    key: str
    kind: str
    event: Event | None
    scheduled_at: datetime
    due_at: datetime


class TimerTarget(Protocol):
    """What firing needs of the bot (:class:`hub.bot.step.Bot`, which imports this module):
    deliver a claimed timer and return the replies it causes."""

    async def fire(
        self,
        ctx: HubContext,
        conn: Any,
        conversation: Conversation,
        contact: Contact,
        due: DueTimer,
        now: datetime,
    ) -> list[Reply]: ...


def event_to_json(event: Event | None) -> dict[str, object] | None:
    if event is None:
        return None
    raw: dict[str, object] = {"kind": event.kind.value, "sender": event.sender.value}
    for name in ("field", "survey", "reason", "after_s"):
        value = getattr(event, name)
        if value is not None:
            raw[name] = value
    return raw


def event_from_json(raw: Mapping[str, Any] | None) -> Event | None:
    if not raw:
        return None
    return Event(
        EventKind(raw["kind"]),
        sender=Sender(raw.get("sender", Sender.SYSTEM.value)),
        field=raw.get("field"),
        survey=raw.get("survey"),
        reason=raw.get("reason"),
        after_s=raw.get("after_s"),
    )


def _job_id(timer_id: int, due_at: datetime) -> str:
    return f"timer:{timer_id}:{int(due_at.timestamp() * 1000)}"


async def _ring_at(ctx: HubContext, timer_id: int, due_at: datetime, floor_s: float) -> None:
    delay = max(floor_s, (due_at - datetime.now(UTC)).total_seconds())
    await ctx.queue.enqueue(TIMER_JOB, timer_id, job_id=_job_id(timer_id, due_at), delay_s=delay)


async def apply(
    ctx: HubContext,
    conn: Any,
    conversation_id: int,
    cancel: TimerCancel,
    timers: Sequence[TimerSet],
) -> None:
    """A decision's timers in the caller's transaction: drop what it cancels, then write
    what it sets and set their alarms.

    ``TimerSet.restart`` replaces a pending timer of the same key; without it a pending one
    is kept (the hub has been waiting since then). Written without conflicts, so an agent's
    reply and a bot step racing on one conversation cannot fail each other.
    """
    rows = ScheduledTimer.filter(conversation_id=conversation_id)
    if cancel.all:
        await rows.using_db(conn).delete()
    else:
        if cancel.keys:
            await rows.filter(key__in=list(cancel.keys)).using_db(conn).delete()
        for prefix in cancel.prefixes:
            await rows.filter(key__startswith=prefix).using_db(conn).delete()
    if not timers:
        return
    new: list[ScheduledTimer] = []
    for timer in timers:
        values: dict[str, Any] = {
            "kind": timer.kind,
            "event": event_to_json(timer.event),
            "due_at": timer.due_at,
            "scheduled_at": timer.scheduled_at,
        }
        if timer.restart and await rows.filter(key=timer.key).using_db(conn).update(**values):
            continue
        new.append(ScheduledTimer(conversation_id=conversation_id, key=timer.key, **values))
    if new:
        await ScheduledTimer.bulk_create(new, ignore_conflicts=True, using_db=conn)
    keys = [timer.key for timer in timers]
    for row in await rows.filter(key__in=keys).using_db(conn):
        await _ring_at(ctx, row.id, row.due_at, MIN_DELAY_S)


async def pending_keys(conversation_id: int) -> list[str]:
    """The keys waiting for ``conversation_id`` (tests and operators)."""
    rows = await ScheduledTimer.filter(conversation_id=conversation_id).order_by("due_at")
    return [row.key for row in rows]


async def requeue_timers(ctx: HubContext, older_than: timedelta = timedelta(0)) -> int:
    """Set the alarm of timers again; returns how many.

    At start (``older_than`` zero) every pending timer, because the in-process queue lost
    its delayed jobs with the old process. In the sweep only timers overdue by
    ``older_than``: their job was lost after their commit. Queueing is idempotent (the job
    id holds the due time), so an alarm that is still set is not doubled.
    """
    now = datetime.now(UTC)
    query = ScheduledTimer.all()
    if older_than > timedelta(0):
        query = query.filter(due_at__lte=now - older_than)
    rows = await query.values_list("id", "due_at")
    for timer_id, due_at in rows:
        await _ring_at(ctx, timer_id, due_at, 0.0)
    return len(rows)


async def fire_timer(ctx: HubContext, timer_id: int | str) -> None:
    """Job: deliver a due timer to the bot, in its conversation's lane and transaction."""
    row = await ScheduledTimer.get_or_none(id=int(timer_id))
    if row is None:
        return  # fired, cancelled, or its transaction never committed
    if row.due_at > datetime.now(UTC):
        await _ring_at(ctx, row.id, row.due_at, 0.0)  # rescheduled since this alarm was set
        return
    conversation = await Conversation.get_or_none(id=row.conversation_id)
    if conversation is None:
        return
    identity = await ContactIdentity.get(id=conversation.identity_id)
    lane = ctx.locks.lane(customer_lane(conversation.inbox_id, identity.source_id))
    try:
        async with lane, in_transaction() as conn:
            outbox = await _fire_claimed(ctx, conn, row.id, identity.source_id)
    except LaneBusy:
        raise  # another worker holds the conversation: the queue retries this job
    except Exception:
        # rolled back: drop the timer, or every sweep would fire it into the same error
        log.error("timer %s of conversation %s failed and is dropped", row.key, row.conversation_id)
        log.debug("timer %s failed", row.key, exc_info=True)  # may quote customer data
        await ScheduledTimer.filter(id=row.id).delete()
        return
    await enqueue_sends(ctx, outbox)


async def _fire_claimed(ctx: HubContext, conn: Any, timer_id: int, recipient: str) -> list[Outbox]:
    """Claim the timer (it may have fired or moved since the job was queued) and fire it."""
    now = datetime.now(UTC)
    claimed = await ScheduledTimer.filter(id=timer_id).using_db(conn).first()
    if claimed is None or claimed.due_at > now:
        return []
    await ScheduledTimer.filter(id=claimed.id).using_db(conn).delete()
    conversation = await Conversation.filter(id=claimed.conversation_id).using_db(conn).get()
    contact = await Contact.filter(id=conversation.contact_id).using_db(conn).get()
    due = DueTimer(
        key=claimed.key,
        kind=claimed.kind,
        event=event_from_json(claimed.event),
        scheduled_at=claimed.scheduled_at,
        due_at=claimed.due_at,
    )
    bot: TimerTarget = ctx.bot
    replies = await bot.fire(ctx, conn, conversation, contact, due, now)
    log.debug("timer %s fired for conversation %s", claimed.key, conversation.id)
    return await create_replies(conn, conversation, recipient, replies)
