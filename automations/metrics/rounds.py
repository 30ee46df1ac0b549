"""Conversation rounds and their one outcome each.

A round runs from a conversation's opening (or a reopening) to its resolution. Counting
per round, not per conversation or per event, is what makes the shares add up: Chatwoot's
bot-resolution and handoff rates summed past 100 % because one conversation could count as
both. Here each round gets exactly one :class:`Outcome`, first match wins:

1. ``escalated``: the round left the bot (whatever happened after: a person took it);
2. ``open``: not resolved by the end of the log;
3. ``came_back``: resolved, but the same contact wrote again (on any channel, in any
   conversation) within the window (72 h by default): it was not really resolved;
4. ``pending``: resolved, no return yet, but the window has not passed by the log's end;
5. ``bot_resolved``: resolved by the bot and nobody came back within the window.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from automations.metrics.events import Kind, LoggedEvent

#: "resolved" means the contact did not come back within this
DEFAULT_WINDOW = timedelta(hours=72)


class Outcome(StrEnum):
    BOT_RESOLVED = "bot_resolved"
    ESCALATED = "escalated"
    CAME_BACK = "came_back"
    PENDING = "pending"
    OPEN = "open"


@dataclass(frozen=True, slots=True)
class Round:
    conversation: str
    number: int  #: 0 for the first round of a conversation
    contact: str | None
    started_at: datetime
    events: tuple[LoggedEvent, ...]

    def first(self, kind: Kind, after: datetime | None = None) -> LoggedEvent | None:
        for event in self.events:
            if event.kind is kind and (after is None or event.at >= after):
                return event
        return None

    def all(self, kind: Kind) -> tuple[LoggedEvent, ...]:
        return tuple(e for e in self.events if e.kind is kind)

    @property
    def escalation(self) -> LoggedEvent | None:
        return self.first(Kind.ESCALATED)

    @property
    def resolution(self) -> LoggedEvent | None:
        return self.first(Kind.RESOLVED)

    @property
    def key(self) -> tuple[str, int]:
        return (self.conversation, self.number)


def _ordered(log: Iterable[LoggedEvent]) -> list[LoggedEvent]:
    # stable: events at one instant keep the order the log wrote them in
    return sorted(log, key=lambda e: e.at)


def rounds(log: Iterable[LoggedEvent]) -> tuple[Round, ...]:
    """The log cut into rounds: a conversation's events up to its resolution are one round;
    ``reopened`` (or anything after a resolution) starts the next."""
    by_conversation: dict[str, list[LoggedEvent]] = defaultdict(list)
    for event in _ordered(log):
        by_conversation[event.conversation].append(event)
    found: list[Round] = []
    for conversation in sorted(by_conversation):
        current: list[LoggedEvent] = []
        number = 0
        closed = False  #: the current round has a resolution
        for event in by_conversation[conversation]:
            # a CSAT answer after the resolution still belongs to the round it rates
            after = closed and event.kind is not Kind.CSAT
            if current and (event.kind is Kind.REOPENED or after):
                found.append(_round(conversation, number, current))
                number += 1
                current = []
                closed = False
            current.append(event)
            closed = closed or event.kind is Kind.RESOLVED
        if current:
            found.append(_round(conversation, number, current))
    return tuple(found)


def _round(conversation: str, number: int, events: list[LoggedEvent]) -> Round:
    contact = next((e.contact for e in events if e.contact is not None), None)
    return Round(conversation, number, contact, events[0].at, tuple(events))


def _arrivals(log: Sequence[Round]) -> dict[str, list[datetime]]:
    """When each contact started a round, in time order (the "came back" test)."""
    starts: dict[str, list[datetime]] = defaultdict(list)
    for item in log:
        if item.contact is not None:
            starts[item.contact].append(item.started_at)
    for times in starts.values():
        times.sort()
    return starts


def outcomes(
    log: Iterable[LoggedEvent],
    *,
    window: timedelta = DEFAULT_WINDOW,
    until: datetime | None = None,
) -> dict[tuple[str, int], Outcome]:
    """Each round's one outcome. ``until``: the end of the log (default: its last event)."""
    events = list(log)
    cut = rounds(events)
    if until is None:
        until = max((e.at for e in events), default=None)
    arrivals = _arrivals(cut)
    result: dict[tuple[str, int], Outcome] = {}
    for item in cut:
        result[item.key] = _outcome(item, arrivals, window, until)
    return result


def _outcome(
    item: Round, arrivals: dict[str, list[datetime]], window: timedelta, until: datetime | None
) -> Outcome:
    if item.escalation is not None:
        return Outcome.ESCALATED
    resolved = item.resolution
    if resolved is None:
        return Outcome.OPEN
    if item.contact is not None:
        times = arrivals.get(item.contact, [])
        later = times[bisect_right(times, resolved.at) :]
        if later and later[0] - resolved.at <= window:
            return Outcome.CAME_BACK
    if until is not None and until - resolved.at < window:
        return Outcome.PENDING
    return Outcome.BOT_RESOLVED


__all__ = ["DEFAULT_WINDOW", "Outcome", "Round", "outcomes", "rounds"]
