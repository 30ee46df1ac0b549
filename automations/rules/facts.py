"""What the engine is given: the event that happened and the facts of its conversation.

Both are frozen values the hub builds from its rows; the engine never reads anything else,
which is what lets the simulation mode replay stored conversations through new rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal


class EventKind(StrEnum):
    CONVERSATION_OPENED = "conversation_opened"
    MESSAGE_RECEIVED = "message_received"
    FIELD_CHANGED = "field_changed"
    SURVEY_ANSWERED = "survey_answered"
    SURVEY_ABANDONED = "survey_abandoned"
    BUTTON_PRESSED = "button_pressed"
    INTENT_MATCHED = "intent_matched"
    NO_REPLY = "no_reply"
    CONVERSATION_ESCALATED = "conversation_escalated"
    CONVERSATION_RESOLVED = "conversation_resolved"


class Sender(StrEnum):
    """Who caused an event; rules only react to what the customer did (loop guard)."""

    CONTACT = "contact"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


#: events that are the customer's own doing; any other sender makes them inert
CUSTOMER_EVENTS = frozenset(
    {EventKind.MESSAGE_RECEIVED, EventKind.BUTTON_PRESSED, EventKind.INTENT_MATCHED}
)


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened in a conversation.

    Only the attributes of its kind are set: ``text`` for messages and intents, ``button``
    for presses, ``field``/``old_value``/``new_value`` for field changes, ``survey`` and
    ``reason`` for surveys, ``after_s`` for ``no_reply`` timers.
    """

    kind: EventKind
    sender: Sender = Sender.CONTACT
    text: str | None = None
    button: str | None = None
    field: str | None = None
    old_value: Any = None
    new_value: Any = None
    survey: str | None = None
    reason: str | None = None
    intent: str | None = None
    confidence: float | None = None
    after_s: int | None = None
    message_id: str | None = None

    @property
    def filter_value(self) -> str | None:
        """The value ``when: {kind: value}`` is compared with (see ``Trigger.filter_value``)."""
        kind = self.kind
        if kind is EventKind.FIELD_CHANGED:
            return self.field
        if kind is EventKind.SURVEY_ANSWERED or kind is EventKind.SURVEY_ABANDONED:
            return self.survey
        if kind is EventKind.BUTTON_PRESSED:
            return self.button
        if kind is EventKind.INTENT_MATCHED:
            return self.intent
        if kind is EventKind.NO_REPLY:
            return None if self.after_s is None else str(self.after_s)
        return None

    def summary(self) -> str:
        detail = self.filter_value
        return f"{self.kind.value}({detail})" if detail is not None else self.kind.value


@dataclass(frozen=True, slots=True)
class Facts:
    """The conversation as the hub knows it when the event is handled.

    ``conversation`` holds ``status``, ``priority``, ``team``, ``assignee``, ``topic``,
    ``labels`` (a tuple); ``contact`` holds ``name``, ``email``, ``phone``, ``language``,
    ``tier``; ``fields`` the custom field values. ``fired`` counts how often each rule fired
    in this conversation so far (the hub keeps it from previous decisions). ``now`` must be
    timezone-aware; ``timezone`` is the inbox's (else the hub's).
    """

    conversation_id: str
    inbox: str
    channel: str
    language: str
    now: datetime
    timezone: str = "UTC"
    contact: Mapping[str, Any] = field(default_factory=dict)
    fields: Mapping[str, Any] = field(default_factory=dict)
    conversation: Mapping[str, Any] = field(default_factory=dict)
    fired: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Timer:
    """A job the hub must schedule (and persist, so it survives restarts).

    ``no_reply`` timers deliver ``event`` to the engine when due; ``survey_timeout`` timers
    call ``SurveyRunner.expire``. Keys are per conversation. With ``restart`` a pending job
    of the same key is replaced (a survey question asked again); without it a pending job is
    kept, so "no reply for 1h" counts from when the hub started waiting, not from the last
    reminder. A customer message cancels the ``no_reply`` keys (``Decision.cancel``).
    """

    kind: Literal["no_reply", "survey_timeout"]
    key: str
    after: timedelta
    event: Event | None = None
    restart: bool = False
