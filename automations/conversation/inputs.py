"""What can happen to a conversation: the typed inputs of ``decide``.

Each input is a frozen value the hub builds from what arrived (a stored customer message,
a claimed timer, an agent's API call). Anything that needs I/O to be known is resolved
before: a remote NLU provider's answer travels in :attr:`CustomerMessage.remote_nlu`, so
``decide`` never awaits. New kinds (presence changes, SLA clocks, routing) are new
dataclasses in :data:`Input` and one handler each in ``automations.conversation.decide``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from automations.conversation.state import AgentRef
from automations.nlu import NluResult
from automations.rules import Event


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: str
    url: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True, slots=True)
class CustomerMessage:
    """A customer's message or button press, already stored as message ``message_id``.

    ``opened``: this message opened the conversation. ``remote_nlu``: the remote
    provider's result for the text (None: no remote provider, or it could not be created;
    the local engine answers).
    """

    message_id: int
    text: str | None = None
    button: str | None = None
    attachments: tuple[Attachment, ...] = ()
    opened: bool = False
    remote_nlu: NluResult | None = None


@dataclass(frozen=True, slots=True)
class ConversationOpened:
    """A conversation began without a customer message yet (a widget opened, a test).

    A conversation opened by a message is :class:`CustomerMessage` with ``opened``."""


@dataclass(frozen=True, slots=True)
class TimerFired:
    """A due timer the hub claimed (its row is gone); ``event`` for ``no_reply`` timers."""

    key: str
    kind: str
    scheduled_at: datetime
    event: Event | None = None
    due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FieldsChanged:
    """An agent wrote custom fields (already validated and in the state's contact):
    ``name -> (old, new)`` as stored."""

    changes: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AgentReplied:
    """An agent's reply; it goes out with the decision's messages."""

    agent: AgentRef
    text: str


@dataclass(frozen=True, slots=True)
class AgentTookOver:
    agent: AgentRef


@dataclass(frozen=True, slots=True)
class HandedBack:
    """The person gives the conversation back to the bot."""

    agent: AgentRef | None = None


@dataclass(frozen=True, slots=True)
class ResolvedByAgent:
    agent: AgentRef | None = None


Input = (
    ConversationOpened
    | CustomerMessage
    | TimerFired
    | FieldsChanged
    | AgentReplied
    | AgentTookOver
    | HandedBack
    | ResolvedByAgent
)

__all__ = [
    "AgentReplied",
    "AgentTookOver",
    "Attachment",
    "ConversationOpened",
    "CustomerMessage",
    "FieldsChanged",
    "HandedBack",
    "Input",
    "ResolvedByAgent",
    "TimerFired",
]
