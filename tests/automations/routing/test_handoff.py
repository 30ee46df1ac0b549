"""route_handoff: the whole answer for a conversation handed to a person, frozen clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from automations.routing import AgentState, Assignment, Queued, Request, Roster
from automations.routing.handoff import route_handoff

LONDON = ZoneInfo("Europe/London")


def test_assigned_at_once_with_sla_clocks_running(roster: Roster) -> None:
    now = datetime(2026, 12, 23, 10, 0, tzinfo=LONDON)
    agents = {"ben@x.example": AgentState("ben@x.example", "online")}
    routed = route_handoff(
        Request("c", "en", "webchat", topic="billing", waiting_since=now),
        queue=[],
        agents=agents,
        roster=roster,
        now=now,
        language="en",
        timezone="Europe/London",
    )
    assert isinstance(routed.choice, Assignment)
    assert routed.message == "A person will reply in a moment."
    assert routed.request.sla_due == now + timedelta(hours=1)
    assert routed.wake_at == now + timedelta(minutes=50)  # the first-response warning
    assert routed.callback is None


def test_after_hours_tells_the_opening_in_the_customer_zone_and_wakes_at_it(
    roster: Roster,
) -> None:
    # Christmas Eve 19:00 in London: English closed until Monday 28th 08:00, the French
    # overflow team opens Saturday 26th 10:00 Paris (09:00 London, 04:00 in New York)
    now = datetime(2026, 12, 24, 19, 0, tzinfo=LONDON)
    routed = route_handoff(
        Request("c", "en", "webchat", topic="billing", waiting_since=now),
        queue=[],
        agents={},
        roster=roster,
        now=now,
        language="en",
        timezone="America/New_York",
    )
    assert isinstance(routed.choice, Queued)
    assert routed.choice.opens_at == datetime(2026, 12, 26, 9, 0, tzinfo=LONDON)
    # the estimate is the home team's: London opens Monday 08:00 (03:00 in New York)
    assert routed.message == (
        "We're closed right now. We open on Mon, December 28 at 3:00 AM (your time)."
    )
    assert routed.callback is not None
    assert routed.callback.startswith("Leave your email address or phone number")
    # the first-response clock starts at the opening: warning at 08:50 on Monday, but the
    # French team opening on Saturday comes first
    assert routed.wake_at == datetime(2026, 12, 26, 9, 0, tzinfo=LONDON)
    assert routed.request.sla_due == datetime(2026, 12, 28, 9, 0, tzinfo=LONDON)
