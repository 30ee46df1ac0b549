"""SLA clocks in business time: due and warning instants with a frozen clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from automations.routing import Roster
from automations.routing.sla import clocks, earliest_due, events_between, next_wakeup

from .conftest import load_teams

LONDON = ZoneInfo("Europe/London")


def test_first_response_due_and_warning_counted_in_business_hours(roster: Roster) -> None:
    team = roster.teams["english"]
    # Thursday 24 Dec 17:30 London; closes 18:00, Christmas is a holiday, then Saturday and
    # Sunday closed: 30 min on Thursday, the other 30 min from Monday 08:00
    opened = datetime(2026, 12, 24, 17, 30, tzinfo=LONDON)
    running = clocks(team, roster, priority="normal", tier=None, opened_at=opened)
    first = next(c for c in running if c.clock == "first_response")
    assert first.due == datetime(2026, 12, 28, 8, 30, tzinfo=LONDON)
    assert first.warn_at == datetime(2026, 12, 28, 8, 20, tzinfo=LONDON)  # 10 min lead


def test_events_fire_once_at_the_right_instants(roster: Roster) -> None:
    team = roster.teams["english"]
    opened = datetime(2026, 12, 24, 17, 30, tzinfo=LONDON)
    running = clocks(team, roster, priority="normal", tier=None, opened_at=opened)
    assert next_wakeup(running, opened) == datetime(2026, 12, 28, 8, 20, tzinfo=LONDON)
    nothing = events_between(running, opened, datetime(2026, 12, 28, 8, 19, tzinfo=LONDON))
    assert nothing == ()
    warned = events_between(running, opened, datetime(2026, 12, 28, 8, 20, tzinfo=LONDON))
    assert [(e.clock, e.kind) for e in warned] == [("first_response", "sla_warning")]
    later = events_between(
        running,
        datetime(2026, 12, 28, 8, 20, tzinfo=LONDON),
        datetime(2026, 12, 28, 8, 30, tzinfo=LONDON),
    )
    assert [(e.clock, e.kind) for e in later] == [("first_response", "sla_breached")]


def test_priority_and_tier_pick_their_targets(roster: Roster) -> None:
    team = roster.teams["english"]
    opened = datetime(2026, 12, 23, 10, 0, tzinfo=LONDON)  # open all day
    urgent = clocks(team, roster, priority="urgent", tier=None, opened_at=opened)
    vip = clocks(team, roster, priority="normal", tier="vip", opened_at=opened)
    assert earliest_due(urgent) == opened + timedelta(minutes=15)
    assert earliest_due(vip) == opened + timedelta(minutes=30)
    # a 15-minute target with a 10-minute lead warns after 5 minutes
    assert urgent[0].warn_at == opened + timedelta(minutes=5)
    # resolution comes from the catch-all target: 1d is 24 hours of business time, here
    # 8 h on the 23rd, 10 h on the 24th, Christmas and the weekend closed, 6 h on the 28th
    resolution = next(c for c in urgent if c.clock == "resolution")
    assert resolution.due == datetime(2026, 12, 28, 14, 0, tzinfo=LONDON)


def test_next_response_runs_after_a_first_reply(roster: Roster) -> None:
    team = roster.teams["english"]
    opened = datetime(2026, 12, 23, 10, 0, tzinfo=LONDON)
    asked = datetime(2026, 12, 23, 17, 0, tzinfo=LONDON)
    running = clocks(
        team,
        roster,
        priority="normal",
        tier=None,
        opened_at=opened,
        first_response_at=opened + timedelta(minutes=5),
        awaiting_reply_since=asked,
    )
    assert [c.clock for c in running] == ["next_response", "resolution"]
    assert running[0].due == datetime(2026, 12, 24, 9, 0, tzinfo=LONDON)  # 1h today, 1h tomorrow
    assert (
        clocks(team, roster, priority="normal", tier=None, opened_at=opened, resolved_at=asked)
        == ()
    )


def test_wall_clock_policy_and_no_policy() -> None:
    teams = load_teams(
        """
teams:
  - {name: a, sla: fast, hours: office}
  - {name: b}
calendars:
  office: {timezone: UTC, hours: {mon-fri: ["09:00-17:00"]}}
sla_policies:
  - name: fast
    business_hours: false
    warning: 2m
    targets: [{first_response: 5m}]
"""
    )
    roster = Roster.from_config(teams, "UTC")
    night = datetime(2026, 12, 23, 23, 0, tzinfo=ZoneInfo("UTC"))
    (first,) = clocks(roster.teams["a"], roster, priority="low", tier=None, opened_at=night)
    assert first.due == night + timedelta(minutes=5)
    assert first.warn_at == night + timedelta(minutes=3)
    assert clocks(roster.teams["b"], roster, priority="low", tier=None, opened_at=night) == ()
