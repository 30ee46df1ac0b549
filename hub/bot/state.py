"""The brain's state of many conversations, loaded in a few queries.

``decide`` reads a frozen :class:`~automations.conversation.ConversationState`; this module
builds it from rows. For a processing round's batch: the assignees and the agents the
rules may assign (one query), the pending timers (one), the last outbound message and the
last inbound message carrying NLU data of each conversation (one: typed confirmations read
the first, "was it helpful?" is written onto the second), and the contacts' identities
(one); the last three as constant statements of ``hub.store.bot_state``. The conversation
and contact rows are the caller's.

Only what the config's decisions read is loaded (``Brain.reads_*``): without NLU no decision
looks at the transcript, and none looks at pending timers or identities yet, so a round of
a plain config costs no query here at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tortoise.expressions import Q

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
from hub.store.bot_state import MessageRow, last_messages, pending_timers
from hub.store.bot_state import identities as identity_rows
from hub.store.models import Agent, Contact, Conversation, Message


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


def _transcript(row: MessageRow | Message) -> TranscriptMessage:
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


async def _agents(conn: Any, brain: Brain, assignees: set[int]) -> list[Agent]:
    """The assignees, and the agents the rules may assign (case-insensitive e-mails)."""
    wanted = Q(id__in=sorted(assignees)) if assignees else None
    for email in sorted(brain.agent_emails):
        wanted = Q(email__iexact=email) if wanted is None else wanted | Q(email__iexact=email)
    return await Agent.filter(wanted).using_db(conn) if wanted is not None else []


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
    ids = sorted({conversation.id for conversation, _ in rows})
    agents = await _agents(conn, brain, {c.assignee_id for c, _ in rows if c.assignee_id})
    by_id = {row.id: _agent(row) for row in agents}
    by_email = {
        row.email.casefold(): _agent(row)
        for row in agents
        if row.email.casefold() in brain.agent_emails
    }
    timers: dict[int, list[PendingTimer]] = defaultdict(list)
    for timer in await pending_timers(conn, ids) if brain.reads_timers else []:
        timers[timer.conversation_id].append(
            PendingTimer(
                timer.key,
                timer.kind,
                timer.scheduled_at,
                timer.due_at,
                event_from_json(timer.event),
            )
        )
    transcripts: dict[int, dict[int, TranscriptMessage]] = defaultdict(dict)
    found: list[MessageRow | Message] = list(current)
    if brain.reads_transcript:
        found[:0] = await last_messages(conn, ids)
    for message in found:
        transcripts[message.conversation_id][message.id] = _transcript(message)
    identities: dict[int, list[Identity]] = defaultdict(list)
    contact_ids = sorted({contact.id for _, contact in rows}) if brain.reads_identities else []
    for identity in await identity_rows(conn, contact_ids):
        inbox = ctx.inboxes_by_id.get(identity.inbox_id)
        slug = inbox.slug if inbox is not None else str(identity.inbox_id)
        identities[identity.contact_id].append(Identity(slug, identity.source_id))
    out: dict[int, Loaded] = {}
    for conversation, contact in rows:
        seen = transcripts.get(conversation.id, {})
        assignee = conversation.assignee_id
        out[conversation.id] = Loaded(
            assignee=by_id.get(assignee) if assignee is not None else None,
            transcript=tuple(seen[i] for i in sorted(seen)),
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
