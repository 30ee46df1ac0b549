"""The brain's state of many conversations, loaded in a few queries.

``decide`` reads a frozen :class:`~automations.conversation.ConversationState`; this module
builds it from rows. For a processing round's batch: the assignees and the agents the
rules may assign (one query), the pending timers (one), the last outbound message and the
last inbound message carrying NLU data of each conversation (two aggregates and one
fetch: typed confirmations read the first, "was it helpful?" is written onto the second),
and the contacts' identities (one). The conversation and contact rows are the caller's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import Q
from tortoise.functions import Max

from automations.actions import MessageButton
from automations.conversation import (
    AgentRef,
    BotState,
    Brain,
    Channel,
    ContactSnapshot,
    ConversationSnapshot,
    ConversationState,
    Identity,
    PendingTimer,
    Status,
    TranscriptMessage,
)
from hub.bot.timers import event_from_json
from hub.context import HubContext
from hub.store.automation_models import ScheduledTimer
from hub.store.models import Agent, Contact, ContactIdentity, Conversation, Message


@dataclass(frozen=True, slots=True)
class Loaded:
    """What one conversation's state needs beyond its row and its contact."""

    assignee: AgentRef | None = None
    transcript: tuple[TranscriptMessage, ...] = ()
    timers: tuple[PendingTimer, ...] = ()
    identities: tuple[Identity, ...] = ()
    agents: Mapping[str, AgentRef] = field(default_factory=dict)


def _agent(row: Agent) -> AgentRef:
    return AgentRef(row.id, row.email, row.name)


def _transcript(row: Message) -> TranscriptMessage:
    buttons = tuple(
        MessageButton(str(b.get("id", "")), str(b.get("title", "")))
        for b in (row.buttons or [])
        if isinstance(b, Mapping)
    )
    sender = str(row.sender_kind) if row.sender_kind else "contact"
    return TranscriptMessage(
        row.id,
        "out" if row.direction == "out" else "in",
        sender,  # type: ignore[arg-type]
        text=row.text,
        buttons=buttons,
        nlu=row.nlu if isinstance(row.nlu, Mapping) else None,
    )


async def _last_ids(conn: Any, ids: list[int], **filters: Any) -> list[int]:
    rows = (
        await Message.filter(conversation_id__in=ids, **filters)
        .annotate(last=Max("id"))
        .group_by("conversation_id")
        .using_db(conn)
        .values_list("conversation_id", "last")
    )
    return [int(last) for _, last in rows if last is not None]


async def load_many(
    ctx: HubContext,
    conn: Any,
    brain: Brain,
    rows: Sequence[tuple[Conversation, Contact]],
    current: Iterable[Message] = (),
) -> dict[int, Loaded]:
    """Conversation id -> what its state needs, for all ``rows`` at once; ``current`` are
    the inbound messages being decided (already stored, in the transcript too)."""
    if not rows:
        return {}
    ids = [conversation.id for conversation, _ in rows]
    assignees = {c.assignee_id for c, _ in rows if c.assignee_id is not None}
    wanted = Q(id__in=list(assignees)) if assignees else None
    for email in sorted(brain.agent_emails):
        wanted = Q(email__iexact=email) if wanted is None else wanted | Q(email__iexact=email)
    agents = await Agent.filter(wanted).using_db(conn) if wanted is not None else []
    by_id = {row.id: _agent(row) for row in agents}
    by_email = {
        row.email.casefold(): _agent(row)
        for row in agents
        if row.email.casefold() in brain.agent_emails
    }
    timers: dict[int, list[PendingTimer]] = defaultdict(list)
    for timer in await ScheduledTimer.filter(conversation_id__in=ids).using_db(conn):
        timers[timer.conversation_id].append(
            PendingTimer(
                timer.key,
                timer.kind,
                timer.scheduled_at,
                timer.due_at,
                event_from_json(timer.event),
            )
        )
    last = await _last_ids(conn, ids, direction="out")
    last += await _last_ids(conn, ids, direction="in", nlu__isnull=False)
    messages: dict[int, list[Message]] = defaultdict(list)
    for message in await Message.filter(id__in=last).using_db(conn) if last else []:
        messages[message.conversation_id].append(message)
    for message in current:
        messages[message.conversation_id].append(message)
    identities: dict[int, list[Identity]] = defaultdict(list)
    contact_ids = list({contact.id for _, contact in rows})
    for contact_id, inbox_id, source in (
        await ContactIdentity.filter(contact_id__in=contact_ids)
        .using_db(conn)
        .values_list("contact_id", "inbox_id", "source_id")
    ):
        inbox = ctx.inboxes_by_id.get(inbox_id)
        identities[contact_id].append(Identity(inbox.slug if inbox else str(inbox_id), source))
    out: dict[int, Loaded] = {}
    for conversation, contact in rows:
        seen = {m.id: m for m in messages.get(conversation.id, [])}
        out[conversation.id] = Loaded(
            assignee=by_id.get(conversation.assignee_id)
            if conversation.assignee_id is not None
            else None,
            transcript=tuple(_transcript(seen[i]) for i in sorted(seen)),
            timers=tuple(sorted(timers.get(conversation.id, []), key=lambda t: (t.due_at, t.key))),
            identities=tuple(identities.get(contact.id, [])),
            agents=by_email,
        )
    return out


def snapshot(
    ctx: HubContext, conversation: Conversation, contact: Contact, loaded: Loaded
) -> ConversationState:
    """The frozen state ``decide`` reads, from the rows and what :func:`load_many` found."""
    inbox = ctx.inboxes_by_id[conversation.inbox_id]
    adapter = ctx.adapters.get(inbox.slug)
    max_buttons = adapter.capabilities.max_buttons if adapter is not None else 0
    return ConversationState(
        contact=ContactSnapshot(
            id=contact.id,
            name=contact.name,
            email=contact.email,
            phone=contact.phone,
            language=contact.language,
            tier=contact.tier,
            custom_fields=dict(contact.custom_fields or {}),
            identities=loaded.identities,
        ),
        conversation=ConversationSnapshot(
            id=conversation.id,
            inbox=inbox.slug,
            channel=Channel(inbox.kind, max_buttons),
            status=Status(conversation.status),
            team=conversation.team,
            assignee=loaded.assignee,
            priority=conversation.priority,
            language=conversation.language,
            topic=conversation.topic,
            labels=tuple(conversation.labels or ()),
            handoff=conversation.handoff,
            bot_state=BotState.from_json(conversation.bot_state),
            last_customer_message_at=conversation.last_customer_message_at,
            first_response_at=conversation.first_response_at,
            escalated_at=conversation.escalated_at,
            assigned_at=conversation.assigned_at,
            resolved_at=conversation.resolved_at,
        ),
        transcript=loaded.transcript,
        timers=loaded.timers,
        agents=loaded.agents,
    )
