"""Handoffs on the virtual clock: which team, after hours or not, when the queue sees them,
and the projected queue load per hour against each team's configured hours.

Routing's own pure functions decide (``automations.routing``): the team is the
conversation's or the one its language goes to, the calendar says whether it is open, the
SLA policy when the first response is due. A handoff out of hours enters the queue at the
next opening, so the load of 09:00 includes the night's handoffs: that is what the team
must staff for.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from automations.conversation import priority_name
from automations.routing import Request, Roster
from automations.routing.model import Priority
from automations.routing.sla import clocks, earliest_due
from automations.simulation.replay import Replayed


@dataclass(frozen=True, slots=True)
class Handoff:
    conversation: str
    team: str | None
    at: datetime
    after_hours: bool
    enters_queue_at: datetime
    first_response_due: datetime | None


def handoff(item: Replayed, roster: Roster) -> Handoff | None:
    if item.escalated_at is None:
        return None
    priority = cast(Priority, priority_name(item.priority))  # names PRIORITIES' keys
    request = Request(
        item.id,
        item.language,
        item.channel,
        team=item.team,
        topic=None,
        priority=priority,
    )
    team = roster.team_for(request)
    at = item.escalated_at
    if team is None:
        return Handoff(item.id, None, at, False, at, None)
    calendar = team.calendar
    open_now = calendar is None or calendar.is_open(at)
    enters = at if open_now or calendar is None else calendar.next_opening(at)
    due = earliest_due(clocks(team, roster, priority=priority, tier=item.tier, opened_at=at))
    return Handoff(item.id, team.name, at, not open_now, enters, due)


def queue_load(handoffs: Iterable[Handoff], roster: Roster, timezone: str) -> dict[str, Any]:
    """Per team: handoffs per local hour of arrival and of entering the queue, and on how
    many of the days seen the team is open in each hour (its configured hours)."""
    zone = ZoneInfo(timezone)
    arrivals: dict[str, Counter[int]] = defaultdict(Counter)
    entering: dict[str, Counter[int]] = defaultdict(Counter)
    days: dict[str, set[Any]] = defaultdict(set)
    for item in handoffs:
        team = item.team or "none"
        arrivals[team][item.at.astimezone(zone).hour] += 1
        entering[team][item.enters_queue_at.astimezone(zone).hour] += 1
        days[team].add(item.at.astimezone(zone).date())
    result: dict[str, Any] = {}
    for team in sorted(arrivals):
        profile = roster.teams.get(team)
        calendar = profile.calendar if profile is not None else None
        open_days = [0] * 24
        for day in sorted(days[team]):
            for hour in range(24):
                instant = datetime(day.year, day.month, day.day, hour, 30, tzinfo=zone)
                open_days[hour] += calendar is None or calendar.is_open(instant)
        result[team] = {
            "arrivals": [arrivals[team][h] for h in range(24)],
            "enter_queue": [entering[team][h] for h in range(24)],
            "open_days": open_days,
            "days": len(days[team]),
        }
    return result


__all__ = ["Handoff", "handoff", "queue_load"]
