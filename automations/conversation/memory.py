"""A decision applied to a state in memory: the hub's applier without a database.

What the tests' ``Chat``, the property tests, the benchmark and replays use to carry a
conversation from one input to the next. It does what the hub's applier does to its rows,
in the same order (row changes, timers cancelled then set, NLU annotations, messages), so
a conversation replayed here goes where the live hub would take it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from automations.conversation.brain import Brain
from automations.conversation.decision import Decision
from automations.conversation.inputs import CustomerMessage
from automations.conversation.state import (
    AgentRef,
    ConversationState,
    PendingTimer,
    TranscriptMessage,
)
from automations.conversation.working import Working

#: messages kept in memory per conversation (the hub loads a recent window too)
TRANSCRIPT_WINDOW = 50


def _next_id(state: ConversationState) -> int:
    return (state.transcript[-1].id + 1) if state.transcript else 1


def _window(messages: tuple[TranscriptMessage, ...]) -> tuple[TranscriptMessage, ...]:
    if len(messages) <= TRANSCRIPT_WINDOW:
        return messages
    return messages[-TRANSCRIPT_WINDOW:]


def receive(
    state: ConversationState,
    now: datetime,
    *,
    text: str | None = None,
    button: str | None = None,
    opened: bool = False,
) -> tuple[ConversationState, CustomerMessage]:
    """Store a customer message as the hub's ingest does; returns the input for it."""
    message = TranscriptMessage(_next_id(state), "in", "contact", text=text)
    state = replace(
        state,
        transcript=_window((*state.transcript, message)),
        conversation=replace(state.conversation, last_customer_message_at=now),
    )
    return state, CustomerMessage(message.id, text=text, button=button, opened=opened)


def apply(state: ConversationState, decision: Decision) -> ConversationState:
    """``state`` after ``decision``'s effects."""
    conversation, contact = state.conversation, state.contact
    changes = decision.conversation
    if changes.changed:
        values: dict[str, Any] = {
            name: getattr(changes, name) for name in changes.changed if name != "assignee_id"
        }
        if "assignee_id" in changes.changed:
            values["assignee"] = (
                AgentRef(changes.assignee_id, changes.assignee_email or "", changes.assignee_name)
                if changes.assignee_id is not None
                else None
            )
        conversation = replace(conversation, **values)
    if decision.bot_state is not None:
        conversation = replace(conversation, bot_state=decision.bot_state)
    if decision.contact.changed:
        contact = replace(
            contact,
            **{name: getattr(decision.contact, name) for name in decision.contact.changed},
        )
    timers = {t.key: t for t in state.timers if not decision.timers_cancel.matches(t.key)}
    for timer in decision.timers_set:
        if timer.restart or timer.key not in timers:
            timers[timer.key] = PendingTimer(
                timer.key, timer.kind, timer.scheduled_at, timer.due_at, timer.event
            )
    notes = {a.message_id: a.data for a in decision.nlu}
    transcript = [replace(m, nlu=notes[m.id]) if m.id in notes else m for m in state.transcript]
    next_id = _next_id(state)
    for offset, message in enumerate(decision.messages):
        transcript.append(
            TranscriptMessage(
                next_id + offset,
                "out",
                message.sender_kind,
                text=message.text,
                buttons=message.buttons,
            )
        )
    return replace(
        state,
        conversation=conversation,
        contact=contact,
        timers=tuple(sorted(timers.values(), key=lambda t: (t.due_at, t.key))),
        transcript=_window(tuple(transcript)),
    )


def field_values(state: ConversationState, brain: Brain, now: datetime) -> dict[str, Any]:
    """The contact's custom fields as rules compare them (dates, tuples)."""
    return Working(state, brain, now).fields()


def due_timers(state: ConversationState, until: datetime) -> list[PendingTimer]:
    """Pending timers due by ``until``, in the order the hub's queue fires them."""
    return sorted((t for t in state.timers if t.due_at <= until), key=lambda t: (t.due_at, t.key))


__all__ = ["TRANSCRIPT_WINDOW", "apply", "due_timers", "field_values", "receive"]
