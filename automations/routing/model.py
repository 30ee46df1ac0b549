"""The values routing decisions read and return: frozen, so a decision is a pure function
of them and the hub can log, replay and compare them.

The hub builds :class:`AgentState` from presence and the open conversations it counts in
the database, and a :class:`Request` from a conversation waiting for a person; routing
returns an :class:`Assignment` or says the conversation is :class:`Queued`, always with a
reason a supervisor can read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Literal

Presence = Literal["online", "away", "offline"]
Priority = Literal["low", "normal", "high", "urgent"]
#: queue rank of each priority (lower is served first)
PRIORITY_RANK: Mapping[str, int] = MappingProxyType({"urgent": 0, "high": 1, "normal": 2, "low": 3})
_EMPTY: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class AgentState:
    """One agent as routing sees them now: presence and open conversations per channel."""

    email: str
    presence: Presence = "offline"
    #: open (assigned, not resolved) conversations per channel (inbox kind)
    open_by_channel: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    last_assigned_at: datetime | None = None
    #: when each open conversation was assigned, if the hub knows: wait estimates then
    #: count down the busy places instead of assuming they all just started
    open_since: tuple[datetime, ...] = ()

    @property
    def open_total(self) -> int:
        return sum(self.open_by_channel.values())

    def with_load(self, channel: str, change: int, at: datetime | None = None) -> AgentState:
        """A copy with one more (``change=1``) or one fewer open conversation on ``channel``."""
        loads = dict(self.open_by_channel)
        loads[channel] = max(0, loads.get(channel, 0) + change)
        last = at if at is not None and change > 0 else self.last_assigned_at
        return replace(self, open_by_channel=MappingProxyType(loads), last_assigned_at=last)


@dataclass(frozen=True, slots=True)
class Request:
    """A conversation that needs a person (a handoff, a transfer, a released conversation)."""

    conversation_id: str
    language: str
    channel: str
    team: str | None = None
    topic: str | None = None
    priority: Priority = "normal"
    tier: str | None = None
    #: the agent who last served this contact, for the sticky strategy
    previous_agent: str | None = None
    #: when the conversation started waiting (queue order after priority and SLA)
    waiting_since: datetime | None = None
    #: the earliest SLA due time running on it (first or next response)
    sla_due: datetime | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    conversation_id: str
    agent: str
    team: str
    channel: str
    strategy: str
    reason: str


@dataclass(frozen=True, slots=True)
class Queued:
    conversation_id: str
    #: the queue the conversation waits in (its team, not an overflow team)
    team: str | None
    reason: str
    #: when the team opens, if it is closed now
    opens_at: datetime | None = None


Choice = Assignment | Queued
