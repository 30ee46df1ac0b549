"""The frozen snapshot a decision reads: contact, conversation, transcript, timers, agents.

The hub loads it from its rows in a few queries per batch; tests and replays build it in
memory (``automations.conversation.memory``). ``decide`` reads nothing else, which is what
makes a replay of stored history predict what the live hub does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from automations.actions import MessageButton
from automations.conversation.transitions import Status
from automations.rules import Event
from automations.surveys import SurveyState

Direction = Literal["in", "out"]
SenderKind = Literal["contact", "bot", "agent", "system"]


@dataclass(frozen=True, slots=True)
class AgentRef:
    """A person who can hold conversations (an ``Agent`` row, without credentials)."""

    id: int
    email: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Identity:
    """One channel address of the contact."""

    inbox: str
    source_id: str


@dataclass(frozen=True, slots=True)
class ContactSnapshot:
    """The person. ``custom_fields`` are as stored (JSON values: lists for multi_choice)."""

    id: int
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    tier: str | None = None
    custom_fields: Mapping[str, Any] = field(default_factory=dict)
    identities: tuple[Identity, ...] = ()


@dataclass(frozen=True, slots=True)
class Channel:
    """The inbox's channel and what it can show (0 buttons: a numbered list in the text)."""

    kind: str
    max_buttons: int = 0


@dataclass(frozen=True, slots=True)
class BotState:
    """What the bot keeps on the conversation between steps (``Conversation.bot_state``).

    ``extra`` holds keys this version does not know, written back untouched.
    """

    survey: SurveyState | None = None
    fired: Mapping[str, int] = field(default_factory=dict)
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None) -> BotState:
        data = dict(raw or {})
        survey_raw = data.pop("survey", None)
        fired_raw = data.pop("fired", None)
        survey = None
        if isinstance(survey_raw, Mapping):
            try:
                survey = SurveyState.from_dict(survey_raw)
            except (KeyError, TypeError, ValueError):
                survey = None  # unreadable: the survey is forgotten, as if it never ran
        fired = (
            {str(k): int(v) for k, v in fired_raw.items()} if isinstance(fired_raw, Mapping) else {}
        )
        return cls(survey=survey, fired=fired, extra=data)

    def to_json(self) -> dict[str, Any]:
        state = dict(self.extra)
        if self.fired:
            state["fired"] = dict(self.fired)
        if self.survey is not None:
            state["survey"] = self.survey.to_dict()
        return state


@dataclass(frozen=True, slots=True)
class ConversationSnapshot:
    """The conversation row as the decision sees it. ``priority`` is the stored integer."""

    id: int
    inbox: str
    channel: Channel
    status: Status = Status.BOT
    team: str | None = None
    assignee: AgentRef | None = None
    priority: int = 0
    language: str | None = None
    topic: str | None = None
    labels: tuple[str, ...] = ()
    handoff: Mapping[str, Any] | None = None
    bot_state: BotState = field(default_factory=BotState)
    last_customer_message_at: datetime | None = None
    first_response_at: datetime | None = None
    escalated_at: datetime | None = None
    assigned_at: datetime | None = None
    resolved_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TranscriptMessage:
    """One stored message: what the bot offered, and the NLU data kept on inbound ones."""

    id: int
    direction: Direction
    sender_kind: SenderKind
    text: str | None = None
    buttons: tuple[MessageButton, ...] = ()
    nlu: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class PendingTimer:
    """A timer waiting in the hub's table; ``event`` is what a ``no_reply`` one delivers."""

    key: str
    kind: str
    scheduled_at: datetime
    due_at: datetime
    event: Event | None = None


@dataclass(frozen=True, slots=True)
class ConversationState:
    """Everything one decision may read.

    ``transcript`` is in id order and holds at least the last outbound message (typed
    confirmations read its buttons) and the last inbound message carrying NLU data (a
    "was it helpful?" verdict is written onto it); the current inbound message is in it
    too. ``agents`` maps lower-cased e-mail to agent, for ``assign_agent`` (the hub loads
    the ones the rules name: ``Brain.agent_emails``).
    """

    contact: ContactSnapshot
    conversation: ConversationSnapshot
    transcript: tuple[TranscriptMessage, ...] = ()
    timers: tuple[PendingTimer, ...] = ()
    agents: Mapping[str, AgentRef] = field(default_factory=dict)

    def last_outbound(self) -> TranscriptMessage | None:
        for message in reversed(self.transcript):
            if message.direction == "out":
                return message
        return None

    def last_nlu_before(self, message_id: int) -> TranscriptMessage | None:
        """The latest inbound message before ``message_id`` that carries NLU data."""
        for message in reversed(self.transcript):
            if message.direction == "in" and message.id < message_id and message.nlu is not None:
                return message
        return None

    def agent(self, email: str) -> AgentRef | None:
        return self.agents.get(email.casefold())


__all__ = [
    "AgentRef",
    "BotState",
    "Channel",
    "ContactSnapshot",
    "ConversationSnapshot",
    "ConversationState",
    "Identity",
    "PendingTimer",
    "TranscriptMessage",
]
