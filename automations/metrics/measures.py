"""The metric definitions, each a pure function over the event log (README, "Metrics").

All of them cut the log into rounds first (:mod:`automations.metrics.rounds`), so a
reopened conversation counts twice (it was two problems) and a transfer between agents
counts once (it was one problem, handed on). Durations are :class:`Distribution`, never
a mean alone. Where a team has business hours, pass ``calendars`` (team -> calendar) and
durations count business time only: a handoff at 19:00 on Friday answered at 09:30 on
Monday waited 30 minutes of the team's time, 62.5 hours of the customer's; both are true,
so the reports show both.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from automations.metrics.events import REPLIES, Kind, LoggedEvent
from automations.metrics.rounds import DEFAULT_WINDOW, Outcome, Round, outcomes, rounds
from automations.metrics.stats import Distribution, share
from automations.routing import BusinessCalendar

Calendars = Mapping[str, BusinessCalendar]


@dataclass(frozen=True, slots=True)
class Rates:
    """Rounds by outcome; the shares sum to 1 (to 100 %) whenever there is a round."""

    rounds: int
    counts: Mapping[str, int]

    def rate(self, outcome: Outcome) -> float:
        return share(self.counts.get(outcome.value, 0), self.rounds)

    @property
    def bot_resolution_rate(self) -> float:
        return self.rate(Outcome.BOT_RESOLVED)

    @property
    def escalation_rate(self) -> float:
        return self.rate(Outcome.ESCALATED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rounds": self.rounds,
            "counts": {o.value: self.counts.get(o.value, 0) for o in Outcome},
            "shares": {o.value: round(self.rate(o), 6) for o in Outcome},
        }


def rates(
    log: Iterable[LoggedEvent], *, window: timedelta = DEFAULT_WINDOW, until: datetime | None = None
) -> Rates:
    found = outcomes(log, window=window, until=until)
    return Rates(len(found), dict(Counter(o.value for o in found.values())))


def escalation_by_reason(log: Iterable[LoggedEvent]) -> dict[str, int]:
    """Escalated rounds by the reason of their (first) escalation, largest first."""
    counts = Counter(
        (r.escalation.reason or "unknown") for r in rounds(log) if r.escalation is not None
    )
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _elapsed(
    start: datetime, end: datetime, team: str | None, calendars: Calendars | None
) -> timedelta:
    calendar = calendars.get(team) if calendars is not None and team is not None else None
    return calendar.between(start, end) if calendar is not None else end - start


def _team(item: Round, at: datetime) -> str | None:
    """The team holding the round at ``at`` (the last one named before it)."""
    team = None
    for event in item.events:
        if event.at > at:
            break
        if event.team is not None:
            team = event.team
    return team


def first_response_times(
    log: Iterable[LoggedEvent], calendars: Calendars | None = None
) -> Distribution:
    """From the handoff (the round's escalation, not its creation: bot time is not the
    team's) to the first agent reply after it. A transfer does not restart the clock."""
    values = []
    for item in rounds(log):
        handoff = item.escalation
        if handoff is None:
            continue
        reply = next((e for e in item.events if e.kind in REPLIES and e.at >= handoff.at), None)
        if reply is not None:
            values.append(_elapsed(handoff.at, reply.at, _team(item, reply.at), calendars))
    return Distribution.of(values)


def resolution_times_after_escalation(
    log: Iterable[LoggedEvent], calendars: Calendars | None = None
) -> Distribution:
    """From the handoff to the round's resolution (escalated rounds that were resolved)."""
    values = []
    for item in rounds(log):
        handoff, resolved = item.escalation, item.resolution
        if handoff is not None and resolved is not None and resolved.at >= handoff.at:
            values.append(_elapsed(handoff.at, resolved.at, _team(item, resolved.at), calendars))
    return Distribution.of(values)


@dataclass(frozen=True, slots=True)
class Csat:
    """Satisfied answers (4 or 5) over answers, overall and per agent and team."""

    answers: int
    satisfied: int
    by_agent: Mapping[str, tuple[int, int]]  #: agent -> (satisfied, answers)
    by_team: Mapping[str, tuple[int, int]]

    @property
    def score(self) -> float:
        return share(self.satisfied, self.answers)

    def to_dict(self) -> dict[str, Any]:
        def table(rows: Mapping[str, tuple[int, int]]) -> dict[str, Any]:
            return {
                k: {"satisfied": s, "answers": a, "csat": round(share(s, a), 6)}
                for k, (s, a) in sorted(rows.items())
            }

        return {
            "answers": self.answers,
            "satisfied": self.satisfied,
            "csat": round(self.score, 6),
            "by_agent": table(self.by_agent),
            "by_team": table(self.by_team),
        }


def csat(log: Iterable[LoggedEvent]) -> Csat:
    """An answer counts for the agent and team it names, else the round's last assignee
    (after a transfer: the agent who finished the conversation)."""
    agents: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    teams: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    answers = satisfied = 0
    for item in rounds(log):
        for answer in item.all(Kind.CSAT):
            good = int(answer.value is not None and answer.value >= 4)
            answers += 1
            satisfied += good
            assigned = [e for e in item.events if e.kind is Kind.ASSIGNED and e.at <= answer.at]
            agent = answer.agent or (assigned[-1].agent if assigned else None)
            team = answer.team or _team(item, answer.at)
            for key, table in ((agent, agents), (team, teams)):
                if key is not None:
                    table[key][0] += good
                    table[key][1] += 1
    return Csat(
        answers,
        satisfied,
        {k: (v[0], v[1]) for k, v in agents.items()},
        {k: (v[0], v[1]) for k, v in teams.items()},
    )


def sla_breaches(log: Iterable[LoggedEvent]) -> dict[str, Any]:
    """Breaches by clock and team, and the share of escalated rounds with any breach."""
    by_clock: Counter[str] = Counter()
    by_team: Counter[str] = Counter()
    breached = escalated = warnings = 0
    for item in rounds(log):
        escalated += item.escalation is not None
        warnings += len(item.all(Kind.SLA_WARNING))
        found = item.all(Kind.SLA_BREACHED)
        breached += bool(found)
        for event in found:
            by_clock[event.reason or "unknown"] += 1
            by_team[_team(item, event.at) or "none"] += 1
    return {
        "breaches": sum(by_clock.values()),
        "warnings": warnings,
        "by_clock": dict(sorted(by_clock.items())),
        "by_team": dict(sorted(by_team.items())),
        "breached_rounds": breached,
        "breach_rate": round(share(breached, escalated), 6),
    }


@dataclass(frozen=True, slots=True)
class PromiseAccuracy:
    promises: int
    kept: int
    broken: int
    unanswered: int  #: no agent reply yet: neither kept nor broken
    error: Distribution  #: reply time minus promised time (negative: early)

    @property
    def accuracy(self) -> float:
        return share(self.kept, self.kept + self.broken)

    def to_dict(self) -> dict[str, Any]:
        return {
            "promises": self.promises,
            "kept": self.kept,
            "broken": self.broken,
            "unanswered": self.unanswered,
            "accuracy": round(self.accuracy, 6),
            "error": self.error.to_dict(),
        }


def promise_accuracy(log: Iterable[LoggedEvent]) -> PromiseAccuracy:
    """A promise is kept when the first agent reply after it came by its ``due`` time. A
    corrected promise replaces the one before it (the customer was told the new time)."""
    promises = kept = broken = unanswered = 0
    errors = []
    for item in rounds(log):
        made = item.all(Kind.PROMISE)
        if not made:
            continue
        promise = made[-1]
        assert promise.due is not None  # LoggedEvent refuses a promise without one
        promises += 1
        reply = next((e for e in item.events if e.kind in REPLIES and e.at >= promise.at), None)
        if reply is None:
            unanswered += 1
            continue
        errors.append((reply.at - promise.due).total_seconds())
        if reply.at <= promise.due:
            kept += 1
        else:
            broken += 1
    return PromiseAccuracy(promises, kept, broken, unanswered, Distribution.of(errors))


__all__ = [
    "Csat",
    "PromiseAccuracy",
    "Rates",
    "csat",
    "escalation_by_reason",
    "first_response_times",
    "promise_accuracy",
    "rates",
    "resolution_times_after_escalation",
    "sla_breaches",
]
