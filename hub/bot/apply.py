"""A Decision written in the caller's transaction: the only place the brain's effects
touch rows.

One UPDATE per changed row (conversation, contact), the NLU annotations on their
messages, the timers (cancelled, then set, with their alarms), the explanation records
and notifications in one multi-row insert each. The messages come back as replies; the
caller writes them with their outbox rows (``hub.outbound.replies``), so a failed round
leaves nothing half done.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from automations.conversation import Decision
from channels.base import Button
from hub.bot import timers
from hub.bot.actions import deliver
from hub.context import HubContext
from hub.errors import ConversationChanged
from hub.outbound.replies import Reply
from hub.store.automation_models import Notification, RuleRun
from hub.store.models import Contact, Conversation, ConversationStatus, Message, SenderKind

log = logging.getLogger(__name__)


def _conversation(conversation: Conversation, decision: Decision) -> list[str]:
    changes = decision.conversation
    fields = set(changes.changed)
    for name in fields:
        value: Any = getattr(changes, name)
        if name == "status":
            value = ConversationStatus(value)
        elif name == "labels":
            value = list(value)
        elif name == "handoff" and value is not None:
            value = dict(value)
        setattr(conversation, name, value)
    if decision.bot_state is not None:
        conversation.bot_state = decision.bot_state.to_json()
        fields.add("bot_state")
    return sorted(fields)


async def write(
    ctx: HubContext,
    conn: Any,
    conversation: Conversation,
    contact: Contact,
    decision: Decision,
    messages: Sequence[Message] = (),
    *,
    guard: Mapping[str, Any] | None = None,
) -> list[Reply]:
    """Write ``decision`` for ``conversation``; returns its messages as replies to send.

    ``messages`` are inbound rows in memory whose NLU column should follow the writes.
    With ``guard`` (column -> value as read) the conversation's row is only updated while it
    still has those values; otherwise :class:`ConversationChanged` is raised.
    """
    fields = _conversation(conversation, decision)
    if fields and guard is not None:
        conversation.updated_at = datetime.now(UTC)
        values = {name: getattr(conversation, name) for name in [*fields, "updated_at"]}
        rows = Conversation.filter(id=conversation.id, **guard).using_db(conn)
        if not await rows.update(**values):
            raise ConversationChanged("the conversation changed meanwhile; look again")
    elif fields:
        await conversation.save(using_db=conn, update_fields=[*fields, "updated_at"])
    if decision.contact.changed:
        for name in decision.contact.changed:
            value = getattr(decision.contact, name)
            setattr(contact, name, dict(value) if name == "custom_fields" else value)
        await contact.save(
            using_db=conn, update_fields=[*sorted(decision.contact.changed), "updated_at"]
        )
    in_memory = {m.id: m for m in messages}
    for note in decision.nlu:
        data = dict(note.data)
        await Message.filter(id=note.message_id).using_db(conn).update(nlu=data)
        if note.message_id in in_memory:
            in_memory[note.message_id].nlu = data
    await timers.apply(ctx, conn, conversation.id, decision.timers_cancel, decision.timers_set)
    if decision.explanations:
        await RuleRun.bulk_create(
            [
                RuleRun(
                    conversation_id=conversation.id,
                    source=r.source,
                    event=r.event,
                    at=r.at,
                    fired=list(r.fired),
                    explanation=dict(r.explanation),
                    actions=[dict(a) for a in r.actions],
                    failures=[dict(f) for f in r.failures],
                )
                for r in decision.explanations
            ],
            using_db=conn,
        )
    if decision.notifications:
        await Notification.bulk_create(
            [
                Notification(
                    conversation_id=conversation.id,
                    rule=n.rule,
                    via=n.via,
                    recipient=n.to,
                    text=n.text,
                )
                for n in decision.notifications
            ],
            using_db=conn,
        )
        for notification in decision.notifications:
            await deliver(conversation.id, notification)
    for event in decision.reporting_events:  # stored once the reporting issue adds its table
        log.debug("conversation %s: %s", conversation.id, event.kind)
    return [
        Reply(
            text=m.text,
            buttons=tuple(Button(b.id, b.title) for b in m.buttons),
            sender_kind=SenderKind.AGENT if m.sender_kind == "agent" else SenderKind.BOT,
            agent_id=m.agent_id,
            sender_name=m.sender_name,
        )
        for m in decision.messages
    ]
