"""The complete list of effects of one decision, as frozen values for the applier.

The hub writes a :class:`Decision` in the round's transaction (messages and their outbox
rows, row updates, timers, explanation records, notifications); ``Chat`` in the tests and
replays apply it to an in-memory state (``automations.conversation.memory``). Nothing here
is a partial effect: whoever applies it needs no rule, survey or config to do so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from automations.actions import MessageButton, PlannedAction
from automations.conversation.state import BotState
from automations.conversation.transitions import Status
from automations.rules import Event


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A message to store and send, rendered: text and buttons in the customer's language."""

    text: str
    buttons: tuple[MessageButton, ...] = ()
    sender_kind: Literal["bot", "agent"] = "bot"
    agent_id: int | None = None
    sender_name: str | None = None


@dataclass(frozen=True, slots=True)
class ContactChanges:
    """The contact's new values; only the names in ``changed`` are written."""

    changed: frozenset[str] = frozenset()
    language: str | None = None
    #: the whole custom-field map as stored after the writes (already validated)
    custom_fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ConversationChanges:
    """The conversation's new values (column names of the row); only ``changed`` are written.

    ``assignee_id`` with ``assignee_email`` / ``assignee_name`` so an applier in memory
    knows who it is without a lookup.
    """

    changed: frozenset[str] = frozenset()
    status: Status = Status.BOT
    team: str | None = None
    assignee_id: int | None = None
    assignee_email: str | None = None
    assignee_name: str | None = None
    priority: int = 0
    language: str | None = None
    topic: str | None = None
    labels: tuple[str, ...] = ()
    handoff: Mapping[str, Any] | None = None
    escalated_at: datetime | None = None
    resolved_at: datetime | None = None
    assigned_at: datetime | None = None
    first_response_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TimerSet:
    """Write timer ``key`` due at ``due_at``. ``restart``: replace a pending one of the same
    key; otherwise a pending one is kept (insert without conflict)."""

    key: str
    kind: str
    due_at: datetime
    scheduled_at: datetime
    event: Event | None = None
    restart: bool = False


@dataclass(frozen=True, slots=True)
class TimerCancel:
    """Timers to drop, applied before :attr:`Decision.timers_set`."""

    keys: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()
    all: bool = False

    def __bool__(self) -> bool:
        return bool(self.keys or self.prefixes or self.all)

    def matches(self, key: str) -> bool:
        return self.all or key in self.keys or any(key.startswith(p) for p in self.prefixes)


@dataclass(frozen=True, slots=True)
class NluAnnotation:
    """The JSON to store in ``Message.nlu`` of inbound message ``message_id``."""

    message_id: int
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class NotificationRecord:
    """A ``notify`` action: recorded with the conversation, delivered by ``via``."""

    rule: str
    via: str
    to: str | None
    text: str


@dataclass(frozen=True, slots=True)
class ExplanationRecord:
    """One entry of the explanation log (the hub's ``RuleRun`` row, field for field)."""

    source: str  #: rules, survey, nlu, agent
    event: str
    at: datetime
    fired: tuple[str, ...] = ()
    explanation: Mapping[str, Any] = field(default_factory=dict)
    actions: tuple[Mapping[str, Any], ...] = ()
    failures: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Signal:
    """Something a detector noticed (the escalation issue fills these in)."""

    kind: str
    score: float
    evidence: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReportingEvent:
    """A fact the metrics count (escalated, assigned, resolved, handed back...)."""

    kind: str
    at: datetime
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decision:
    """Everything one call of ``decide`` wants done, in the order an applier does it:
    row changes, messages, NLU annotations, timers (cancel, then set), records."""

    messages: tuple[OutgoingMessage, ...] = ()
    contact: ContactChanges = ContactChanges()
    conversation: ConversationChanges = ConversationChanges()
    #: the bot state to store; None when it did not change
    bot_state: BotState | None = None
    timers_cancel: TimerCancel = TimerCancel()
    timers_set: tuple[TimerSet, ...] = ()
    nlu: tuple[NluAnnotation, ...] = ()
    notifications: tuple[NotificationRecord, ...] = ()
    explanations: tuple[ExplanationRecord, ...] = ()
    #: the actions carried out, in order (what the bot did, for replays and tests)
    actions: tuple[PlannedAction, ...] = ()
    signals: tuple[Signal, ...] = ()
    reporting_events: tuple[ReportingEvent, ...] = ()

    @property
    def fired(self) -> tuple[str, ...]:
        """The rules that fired, in order."""
        return tuple(name for record in self.explanations for name in record.fired)


__all__ = [
    "ContactChanges",
    "ConversationChanges",
    "Decision",
    "ExplanationRecord",
    "NluAnnotation",
    "NotificationRecord",
    "OutgoingMessage",
    "ReportingEvent",
    "Signal",
    "TimerCancel",
    "TimerSet",
]
