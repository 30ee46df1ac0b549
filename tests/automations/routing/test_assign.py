"""The choice of agent: qualification, capacity, strategies, overflow, and the reason."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from automations.routing import AgentState, Assignment, Queued, Request, Roster, choose, drain
from automations.routing.changes import (
    Refused,
    assigned,
    reassign,
    released,
    released_by_offline,
    transfer_to_agent,
    transfer_to_team,
    unassign,
    with_presence,
)
from automations.routing.errors import RoutingError

LONDON = ZoneInfo("Europe/London")
OPEN = datetime(2026, 12, 23, 10, 0, tzinfo=LONDON)  # both teams open (Paris 11:00)
EARLY = datetime(2026, 12, 23, 8, 30, tzinfo=LONDON)  # London open, Paris not yet (9:30 < ...)


def agents(**spec: tuple[str, int] | tuple[str, int, datetime]) -> dict[str, AgentState]:
    """``ann=("online", 1)``: presence and open webchat conversations."""
    found = {}
    for name, values in spec.items():
        presence, load, *last = values
        email = f"{name}@x.example"
        found[email] = AgentState(
            email,
            presence,  # type: ignore[arg-type]
            {"webchat": load} if load else {},
            last[0] if last else None,
        )
    return found


def request(**overrides: object) -> Request:
    values: dict[str, object] = {"conversation_id": "c1", "language": "en", "channel": "webchat"}
    values.update(overrides)
    return Request(**values)  # type: ignore[arg-type]


def test_least_loaded_qualified_agent_with_room_and_the_reason(roster: Roster) -> None:
    state = agents(ann=("online", 2), ben=("online", 1), cat=("online", 0))
    choice = choose(request(topic="billing"), state, roster, OPEN)
    assert isinstance(choice, Assignment)
    # cat handles technical only; ann is full (2 of 2): ben it is
    assert choice.agent == "ben@x.example"
    assert (
        choice.reason == "least loaded English billing agent with room (1 of 3 open); 1 other full"
    )


def test_load_is_a_share_of_capacity(roster: Roster) -> None:
    # ann 1 of 2 (50 %), ben 1 of 3 (33 %): ben
    state = agents(ann=("online", 1), ben=("online", 1))
    choice = choose(request(topic="billing"), state, roster, OPEN)
    assert isinstance(choice, Assignment)
    assert choice.agent == "ben@x.example"


def test_language_matters_and_away_or_offline_agents_get_nothing(roster: Roster) -> None:
    state = agents(fay=("away", 0), gus=("online", 2))
    choice = choose(request(language="fr", topic="billing"), state, roster, OPEN)
    assert isinstance(choice, Queued)
    assert choice.team == "french"
    assert choice.reason == "french: no French billing agent with room (1 full, 1 away)"


def test_per_channel_capacity(roster: Roster) -> None:
    cat = AgentState("cat@x.example", "online", {"whatsapp_cloud": 1})
    on_whatsapp = choose(
        request(topic="technical", channel="whatsapp_cloud"), {cat.email: cat}, roster, OPEN
    )
    assert isinstance(on_whatsapp, Queued)  # 1 of 1 on WhatsApp, though 1 of 2 in total
    on_webchat = choose(request(topic="technical"), {cat.email: cat}, roster, OPEN)
    assert isinstance(on_webchat, Assignment)
    assert on_webchat.agent == "cat@x.example"


def test_round_robin_takes_whoever_waited_longest_but_respects_capacity(roster: Roster) -> None:
    state = agents(
        ann=("online", 0, OPEN - timedelta(minutes=1)), ben=("online", 2, OPEN - timedelta(hours=1))
    )
    first = choose(request(team="rota"), state, roster, OPEN)
    assert isinstance(first, Assignment)
    assert first.agent == "ben@x.example"  # more loaded, but longest since an assignment
    assert first.reason == "next English agent in turn with room (2 of 3 open)"
    state = dict(assigned(state, first, OPEN))
    second = choose(request(conversation_id="c2", team="rota"), state, roster, OPEN)
    assert isinstance(second, Assignment)
    assert second.agent == "ann@x.example"
    state = dict(assigned(state, second, OPEN))
    state = dict(assigned(state, second, OPEN))  # ann now 2 of 2, ben 3 of 3
    third = choose(request(conversation_id="c3", team="rota"), state, roster, OPEN)
    assert isinstance(third, Queued)


def test_sticky_goes_back_to_the_previous_agent_when_available(roster: Roster) -> None:
    state = agents(ann=("online", 1), ben=("online", 0))
    back = choose(request(team="sticky", previous_agent="Ann@x.example"), state, roster, OPEN)
    assert isinstance(back, Assignment)
    assert (back.agent, back.strategy) == ("ann@x.example", "sticky")
    assert back.reason == "previous agent of this contact, online with room"
    state["ann@x.example"] = AgentState("ann@x.example", "away")
    other = choose(request(team="sticky", previous_agent="ann@x.example"), state, roster, OPEN)
    assert isinstance(other, Assignment)
    assert other.agent == "ben@x.example"
    assert other.reason == (
        "previous agent ann@x.example not available; "
        "least loaded English agent with room (0 of 3 open); 1 other away"
    )


def test_overflow_when_the_team_is_full(roster: Roster) -> None:
    state = agents(ann=("online", 2), ben=("online", 3), fay=("online", 0))
    choice = choose(request(topic="billing"), state, roster, OPEN)
    assert isinstance(choice, Assignment)
    assert (choice.agent, choice.team) == ("fay@x.example", "french")  # fay speaks English
    assert choice.reason == (
        "least loaded English billing agent with room (0 of 2 open) in overflow team french "
        "(english: no English billing agent with room (2 full))"
    )


def test_closed_team_queues_with_its_opening_even_when_agents_are_online(roster: Roster) -> None:
    christmas = datetime(2026, 12, 25, 10, 0, tzinfo=LONDON)
    state = agents(ann=("online", 0), fay=("online", 0))
    choice = choose(request(topic="billing"), state, roster, christmas)
    assert isinstance(choice, Queued)
    # London reopens Monday 28th 08:00; Paris on Saturday 26th 10:00 (09:00 London): the
    # overflow team opens first, so that is when a person can answer
    assert choice.opens_at == datetime(2026, 12, 26, 9, 0, tzinfo=LONDON)
    assert choice.reason.startswith("english is closed until Mon 08:00 UTC; french is closed")


def test_no_team_for_the_language_falls_back_to_the_default_team(roster: Roster) -> None:
    choice = choose(request(language="de"), agents(ann=("online", 0)), roster, OPEN)
    assert isinstance(choice, Queued)
    assert (
        choice.reason == "english: no German agent in the team; french: no German agent in the team"
    )


def test_transfers_and_unassign_are_pure_state_changes(roster: Roster) -> None:
    state = agents(ann=("online", 0), gus=("online", 2))
    req = request(team="english", topic="billing")
    moved = transfer_to_agent(req, "ann@x.example", state, roster, by="ben@x.example")
    assert isinstance(moved, Assignment)
    assert moved.reason == "transferred by ben@x.example"
    assert transfer_to_agent(req, "gus@x.example", state, roster) == Refused(
        "c1", "gus@x.example", "gus@x.example has no room on webchat"
    )
    forced = transfer_to_agent(req, "gus@x.example", state, roster, force=True)
    assert isinstance(forced, Assignment)
    with pytest.raises(RoutingError, match=r"no agent 'zed@x\.example'"):
        transfer_to_agent(req, "zed@x.example", state, roster)
    with pytest.raises(RoutingError, match="no team 'sales'"):
        transfer_to_team(req, "sales", roster)
    moved_team = transfer_to_team(req, "sticky", roster, current_agent="Ann@x.example")
    assert (moved_team.team, moved_team.previous_agent) == ("sticky", "ann@x.example")
    after = assigned(state, moved, OPEN)
    assert after["ann@x.example"].open_total == 1
    assert after["ann@x.example"].last_assigned_at == OPEN
    assert released(after, "ann@x.example", "webchat")["ann@x.example"].open_total == 0
    assert state["ann@x.example"].open_total == 0  # the input is untouched
    result, moved_agents = reassign(req, "gus@x.example", "ann@x.example", state, roster, OPEN)
    assert isinstance(result, Assignment)
    assert moved_agents["ann@x.example"].open_total == 1
    assert moved_agents["gus@x.example"].open_total == 1
    full_ann = dict(moved_agents)
    full_ann["ann@x.example"] = AgentState("ann@x.example", "online", {"webchat": 2})
    refused, unchanged = reassign(req, "gus@x.example", "ann@x.example", full_ann, roster, OPEN)
    assert isinstance(refused, Refused)
    assert unchanged is full_ann
    back = unassign(req, "ann@x.example", OPEN)
    assert (back.previous_agent, back.waiting_since) == ("ann@x.example", OPEN)
    assert with_presence(state, "ann@x.example", "away")["ann@x.example"].presence == "away"


def test_going_offline_releases_by_team_policy(roster: Roster) -> None:
    open_ones = [
        request(conversation_id="e", team="english"),  # offline: release
        request(conversation_id="f", team="french", language="fr"),  # offline: keep
    ]
    released_ones = released_by_offline("ann@x.example", open_ones, roster, OPEN)
    assert [r.conversation_id for r in released_ones] == ["e"]
    assert released_ones[0].previous_agent == "ann@x.example"


def test_a_long_wait_drops_the_topic_but_never_the_language(roster: Roster) -> None:
    # cat handles technical only; a billing question for the relaxed team waits for ann
    state = agents(ann=("online", 2), cat=("online", 0))
    fresh = request(team="relaxed", topic="billing", waiting_since=OPEN - timedelta(minutes=9))
    assert isinstance(choose(fresh, state, roster, OPEN), Queued)
    waited = request(team="relaxed", topic="billing", waiting_since=OPEN - timedelta(minutes=10))
    choice = choose(waited, state, roster, OPEN)
    assert isinstance(choice, Assignment)
    assert choice.agent == "cat@x.example"
    assert choice.reason == (
        "least loaded English agent with room (0 of 2 open); 1 other full (topic billing "
        "dropped after 10 min waiting: no English billing agent with room (1 full))"
    )
    french = request(
        team="relaxed", language="fr", topic="billing", waiting_since=OPEN - timedelta(hours=1)
    )
    assert isinstance(choose(french, state, roster, OPEN), Queued)
    # the drain treats a relaxed and a fresh request of the same shape apart
    urgent_fresh = replace(fresh, priority="urgent")  # first in line, and finds nobody
    drained = drain([urgent_fresh, replace(waited, conversation_id="c2")], state, roster, OPEN)
    assert [a.conversation_id for a in drained.assignments] == ["c2"]
