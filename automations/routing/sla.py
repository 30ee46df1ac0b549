"""SLA clocks: when first response, next response and resolution are due, when to warn.

Targets come from the team's policy (``config/sla.py`` picks one per priority and tier).
With ``business_hours`` on, a target is business time on the team's calendar (a team
without hours is always open, so it is wall-clock time there): a one-hour
first-response target for a message at 17:30 on a calendar that closes at 18:00 is due
half an hour after the next opening. The warning instant is the due time less the lead
time, in the same time; a target shorter than the lead warns as the clock starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from automations.routing.calendar import BusinessCalendar
from automations.routing.roster import Roster, TeamProfile

Clock = Literal["first_response", "next_response", "resolution"]
SlaEventKind = Literal["sla_warning", "sla_breached"]


@dataclass(frozen=True, slots=True)
class SlaClock:
    clock: Clock
    started_at: datetime
    due: datetime
    warn_at: datetime


@dataclass(frozen=True, slots=True)
class SlaEvent:
    clock: Clock
    kind: SlaEventKind
    at: datetime


def clocks(
    team: TeamProfile,
    roster: Roster,
    *,
    priority: str,
    tier: str | None,
    opened_at: datetime,
    first_response_at: datetime | None = None,
    awaiting_reply_since: datetime | None = None,
    resolved_at: datetime | None = None,
) -> tuple[SlaClock, ...]:
    """The clocks running on one conversation (none without a policy).

    ``opened_at`` starts first response and resolution (the hub passes the escalation
    time); ``awaiting_reply_since`` is the first customer message since the last agent
    reply, and starts next response once a first response was given.
    """
    policy = team.sla
    if policy is None or resolved_at is not None:
        return ()
    calendar = team.calendar if policy.business_hours else None
    lead = policy.warning or roster.sla_warning
    starts: list[tuple[Clock, datetime]] = [("resolution", opened_at)]
    if first_response_at is None:
        starts.insert(0, ("first_response", opened_at))
    elif awaiting_reply_since is not None:
        starts.insert(0, ("next_response", awaiting_reply_since))
    found = []
    for clock, start in starts:
        target = policy.target(clock, priority, tier)
        if target is None:
            continue
        due = _add(calendar, start, target)
        warn_at = _add(calendar, start, max(target - lead, timedelta(0)))
        found.append(SlaClock(clock, start, due, warn_at))
    return tuple(found)


def events_between(
    running: tuple[SlaClock, ...], since: datetime, until: datetime
) -> tuple[SlaEvent, ...]:
    """Warnings and breaches falling in ``(since, until]``, in time order: what a timer
    firing at ``until`` must raise (and nothing twice when timers fire back to back)."""
    found = []
    for clock in running:
        for kind, at in (("sla_warning", clock.warn_at), ("sla_breached", clock.due)):
            if since < at <= until:
                found.append(SlaEvent(clock.clock, kind, at))  # type: ignore[arg-type]
    return tuple(sorted(found, key=lambda e: (e.at, e.kind != "sla_warning", e.clock)))


def next_wakeup(running: tuple[SlaClock, ...], now: datetime) -> datetime | None:
    """The next warning or breach instant after ``now``: when the hub's timer should fire."""
    upcoming = [at for c in running for at in (c.warn_at, c.due) if at > now]
    return min(upcoming, default=None)


def earliest_due(running: tuple[SlaClock, ...]) -> datetime | None:
    """The response due time that orders the queue (resolution does not)."""
    return min((c.due for c in running if c.clock != "resolution"), default=None)


def _add(calendar: BusinessCalendar | None, start: datetime, amount: timedelta) -> datetime:
    return calendar.add(start, amount) if calendar is not None else start + amount
