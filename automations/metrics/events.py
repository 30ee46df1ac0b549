"""The reporting event log: one frozen :class:`LoggedEvent` per fact the metrics count.

The brain already says what happened in :class:`automations.conversation.ReportingEvent`
(``kind``, ``at``, ``detail``), but a decision does not know where it is stored: which
conversation, contact, channel, inbox. A log row needs those, so this module adds them
(:func:`logged`) instead of defining a second, conflicting event type; the kinds the brain
reports keep their names. The live hub's table and ``hub simulate`` both hold these rows,
which is why the live reports and a replay can agree: the metrics read nothing else.

"Kept" for a wait-time promise is not stored: it is derived from the promise and the first
agent reply after it (:func:`automations.metrics.measures.promise_accuracy`), so the two can
never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from automations.conversation import ReportingEvent
from automations.metrics.errors import MetricsError


class Kind(StrEnum):
    OPENED = "opened"  #: a conversation began (its first round)
    SIGNAL = "signal"  #: a detector noticed something (``reason``: the signal kind)
    ESCALATED = "escalated"  #: left the bot for a person (``reason``)
    QUEUED = "queued"  #: waits for a person (``team``)
    ASSIGNED = "assigned"  #: a person holds it (``agent``; a second one is a transfer)
    FIRST_REPLY = "first_reply"  #: the first agent reply of the round
    REPLY = "reply"  #: any agent reply
    RESOLVED = "resolved"
    REOPENED = "reopened"  #: the customer wrote again in a resolved conversation: a new round
    HANDED_BACK = "handed_back"  #: the person gave it back to the bot
    CSAT = "csat"  #: a satisfaction answer (``value``: 1-5)
    SLA_WARNING = "sla_warning"  #: ``reason``: the clock (first_response, ...)
    SLA_BREACHED = "sla_breached"
    PROMISE = "promise"  #: a wait promised to the customer (``due``: "reply by")


#: agent replies, whichever the log wrote (the first is a reply too)
REPLIES = frozenset({Kind.FIRST_REPLY, Kind.REPLY})


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One row of the log. ``contact`` ties conversations on every channel to one person
    (the "did they come back" test); ``value`` is the CSAT score; ``due`` a promise's time."""

    kind: Kind
    at: datetime
    conversation: str
    contact: str | None = None
    channel: str | None = None
    inbox: str | None = None
    team: str | None = None
    agent: str | None = None
    reason: str | None = None
    value: float | None = None
    due: datetime | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise MetricsError(f"event {self.kind} of {self.conversation}: naive timestamp")
        if self.kind is Kind.CSAT and (self.value is None or not 1 <= self.value <= 5):
            raise MetricsError(f"CSAT of {self.conversation} must be 1-5, got {self.value}")
        if self.kind is Kind.PROMISE and self.due is None:
            raise MetricsError(f"promise of {self.conversation} has no due time")


@dataclass(frozen=True, slots=True)
class Where:
    """Where a decision's events happened (what the brain's events do not carry)."""

    conversation: str
    contact: str | None = None
    channel: str | None = None
    inbox: str | None = None
    team: str | None = None


def logged(event: ReportingEvent, where: Where) -> LoggedEvent | None:
    """The log row for one of the brain's reporting events; None for a kind not logged."""
    try:
        kind = Kind(event.kind)
    except ValueError:
        return None
    detail = dict(event.detail)
    reason = detail.get("reason")
    return LoggedEvent(
        kind=kind,
        at=event.at,
        conversation=where.conversation,
        contact=where.contact,
        channel=where.channel,
        inbox=where.inbox,
        team=detail.get("team") or where.team,
        agent=detail.get("agent"),
        reason=str(reason) if reason is not None else None,
        detail=detail,
    )


__all__ = ["REPLIES", "Kind", "LoggedEvent", "Where", "logged"]
