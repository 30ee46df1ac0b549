"""Wait estimates from the queue and the agents, bounded by business hours; corrections."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from automations.routing import AgentState, Request, Roster, correction_due, estimate_for
from automations.routing.eta import Capacity, estimate_wait

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 23, 10, 0, tzinfo=LONDON)
H = timedelta(minutes=12)
R = timedelta(minutes=1)


def test_room_now_means_only_the_first_reply_delay() -> None:
    estimate = estimate_wait(
        now=NOW, position=1, capacity=Capacity(2, 2, 5, frozenset()), handling_time=H, first_reply=R
    )
    assert estimate.wait == R
    assert estimate.reply_by == NOW + R


def test_a_full_team_waits_for_places_to_free() -> None:
    # position 4 with 1 free place: 4 places must free among 6, each ~12 min: 8 min + 1
    estimate = estimate_wait(
        now=NOW, position=4, capacity=Capacity(3, 1, 6, frozenset()), handling_time=H, first_reply=R
    )
    assert estimate.wait == timedelta(minutes=4 * 12 / 6 + 1)
    assert "4 place(s) to free among 6 (3 agents online)" in estimate.basis


def test_the_estimate_is_bounded_by_business_hours(roster: Roster) -> None:
    calendar = roster.teams["english"].calendar
    late = datetime(2026, 12, 24, 17, 55, tzinfo=LONDON)  # closes 18:00, then Christmas
    estimate = estimate_wait(
        now=late,
        position=2,
        capacity=Capacity(1, 0, 2, frozenset()),
        handling_time=H,
        first_reply=R,
        calendar=calendar,
    )
    # 3 * 12 / 2 + 1 = 19 min of business time: 5 tonight, 14 from Monday 08:00
    assert estimate.reply_by == datetime(2026, 12, 28, 8, 14, tzinfo=LONDON)


def test_closed_or_nobody_online_uses_the_typical_reply_and_says_so(roster: Roster) -> None:
    queue = [Request("f1", "fr", "webchat", topic="billing", waiting_since=NOW)]
    nobody = estimate_for(queue[0], queue, {}, roster, NOW)
    assert nobody.basis == "no qualified agent online: team's typical reply time"
    assert nobody.wait == timedelta(minutes=15)  # the french team's typical_reply
    night = datetime(2026, 12, 23, 20, 0, tzinfo=LONDON)
    closed = estimate_for(queue[0], queue, {}, roster, night)
    assert not closed.open_now
    assert closed.opens_at == datetime(2026, 12, 24, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert closed.reply_by == closed.opens_at + timedelta(minutes=15)


def test_position_counts_only_conversations_ahead_that_compete_for_the_same_agents(
    roster: Roster,
) -> None:
    agents = {
        "ann@x.example": AgentState("ann@x.example", "online", {"webchat": 2}),
        "ben@x.example": AgentState("ben@x.example", "online", {"webchat": 3}),
        "gus@x.example": AgentState("gus@x.example", "online", {"webchat": 2}),
    }
    mine = Request("me", "en", "webchat", topic="billing", waiting_since=NOW)
    queue = [
        Request(
            "urgent_en", "en", "webchat", topic="billing", priority="urgent", waiting_since=NOW
        ),
        Request(
            "older_en", "en", "webchat", topic="billing", waiting_since=NOW - timedelta(hours=1)
        ),
        Request(
            "later_en", "en", "webchat", topic="billing", waiting_since=NOW + timedelta(minutes=1)
        ),
        Request("french", "fr", "webchat", topic="technical", priority="urgent", waiting_since=NOW),
        mine,
    ]
    estimate = estimate_for(mine, queue, agents, roster, NOW, handling_time=H, first_reply=R)
    assert estimate.position == 2  # urgent_en and older_en; not later_en, not the French one
    assert (estimate.agents_online, estimate.free_slots, estimate.total_slots) == (2, 0, 5)
    assert estimate.wait == H * 3 / 5 + R


def test_a_correction_is_due_only_when_the_estimate_slips_past_the_margin() -> None:
    estimate = estimate_wait(
        now=NOW, position=9, capacity=Capacity(1, 0, 2, frozenset()), handling_time=H, first_reply=R
    )
    promised = estimate.reply_by - timedelta(minutes=11)
    assert correction_due(promised, estimate, timedelta(minutes=10))
    assert not correction_due(
        estimate.reply_by - timedelta(minutes=9), estimate, timedelta(minutes=10)
    )
    assert not correction_due(
        estimate.reply_by + timedelta(hours=1), estimate, timedelta(minutes=10)
    )


def test_busy_places_count_down_from_when_they_were_taken() -> None:
    # two places, taken 10 and 2 minutes ago, median 12 min: the first frees in 2 min,
    # the second in 10; position 1 with nothing free needs the second
    since = (NOW - timedelta(minutes=10), NOW - timedelta(minutes=2))
    capacity = Capacity(1, 0, 2, frozenset(), since)
    first = estimate_wait(now=NOW, position=0, capacity=capacity, handling_time=H, first_reply=R)
    second = estimate_wait(now=NOW, position=1, capacity=capacity, handling_time=H, first_reply=R)
    third = estimate_wait(now=NOW, position=2, capacity=capacity, handling_time=H, first_reply=R)
    assert first.wait == timedelta(minutes=2) + R
    assert second.wait == timedelta(minutes=10) + R
    assert third.wait == timedelta(minutes=2) + H + R  # a second round on the first place


def test_conversations_ahead_that_cannot_use_a_free_place_do_not_delay_this_one(
    roster: Roster,
) -> None:
    # ben is full; cat has room on web chat but not on WhatsApp (1 of 1 there). A technical
    # question on WhatsApp waits; one on web chat arriving after it is taken at once by cat
    agents = {
        "ben@x.example": AgentState("ben@x.example", "online", {"webchat": 3}),
        "cat@x.example": AgentState("cat@x.example", "online", {"whatsapp_cloud": 1}),
    }
    blocked = Request("wa", "en", "whatsapp_cloud", topic="technical", waiting_since=NOW)
    mine = Request("web", "en", "webchat", topic="technical", waiting_since=NOW)
    estimate = estimate_for(mine, [blocked, mine], agents, roster, NOW, first_reply=R)
    assert estimate.position == 0
    assert estimate.wait == R
