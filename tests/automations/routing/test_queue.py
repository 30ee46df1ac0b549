"""Queue order and drain: priority, then SLA due time, then waiting since; nobody waits
while a qualified agent has room."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from automations.routing import AgentState, Request, Roster, drain, ordered
from automations.routing.assign import pool

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 23, 10, 0, tzinfo=LONDON)


def waiting(
    cid: str, priority: str = "normal", due: int | None = None, since: int = 0, **kw: str
) -> Request:
    return Request(
        conversation_id=cid,
        language=kw.get("language", "en"),
        channel="webchat",
        team=kw.get("team"),
        topic=kw.get("topic"),
        priority=priority,  # type: ignore[arg-type]
        sla_due=NOW + timedelta(minutes=due) if due is not None else None,
        waiting_since=NOW - timedelta(minutes=since),
    )


def test_order_is_priority_then_sla_due_then_waiting_since() -> None:
    queue = [
        waiting("low_old", "low", since=90),
        waiting("normal_no_sla", since=60),
        waiting("normal_due_later", due=30, since=5),
        waiting("normal_due_soon", due=10, since=1),
        waiting("urgent", "urgent", since=0),
        waiting("normal_due_soon_older", due=10, since=20),
    ]
    assert [r.conversation_id for r in ordered(queue)] == [
        "urgent",
        "normal_due_soon_older",
        "normal_due_soon",
        "normal_due_later",
        "normal_no_sla",
        "low_old",
    ]


def test_drain_serves_in_order_until_room_runs_out(roster: Roster) -> None:
    # the rota team: ann (2) and ben (3) with 1 and 3 open: 1 place left in all
    agents = {
        "ann@x.example": AgentState("ann@x.example", "online", {"webchat": 1}),
        "ben@x.example": AgentState("ben@x.example", "online", {"webchat": 3}),
    }
    queue = [
        waiting("b", due=30, team="rota"),
        waiting("a", "high", due=50, team="rota"),
        waiting("c", due=10, team="rota"),
    ]
    drained = drain(queue, agents, roster, NOW)
    assert [a.conversation_id for a in drained.assignments] == ["a"]
    assert [r.conversation_id for r, _ in drained.waiting] == ["c", "b"]
    # ben frees a place: the next drain takes c (due sooner than b)
    freed = dict(drained.agents)
    freed["ben@x.example"] = freed["ben@x.example"].with_load("webchat", -1)
    again = drain([r for r, _ in drained.waiting], freed, roster, NOW)
    assert [a.conversation_id for a in again.assignments] == ["c"]
    assert again.agents["ben@x.example"].open_total == 3


def test_a_blocked_conversation_does_not_hold_up_others(roster: Roster) -> None:
    agents = {
        "gus@x.example": AgentState("gus@x.example", "online", {"webchat": 2}),  # full
        "ben@x.example": AgentState("ben@x.example", "online"),
    }
    queue = [
        waiting("fr_urgent", "urgent", language="fr", team="french", topic="billing"),
        waiting("en_normal", team="english", topic="technical"),
    ]
    drained = drain(queue, agents, roster, NOW)
    assert [a.conversation_id for a in drained.assignments] == ["en_normal"]
    assert [r.conversation_id for r, _ in drained.waiting] == ["fr_urgent"]


def test_after_a_drain_no_waiting_conversation_has_a_qualified_agent_with_room(
    roster: Roster,
) -> None:
    agents = {
        e: AgentState(e, "online")
        for e in ("ann@x.example", "ben@x.example", "cat@x.example", "fay@x.example")
    }
    topics = ("billing", "technical", None)
    queue = [
        waiting(
            f"c{i}",
            ("low", "normal", "high", "urgent")[i % 4],
            due=i % 7,
            since=i,
            language=("en", "fr")[i % 2],
            topic=topics[i % 3],  # type: ignore[arg-type]
        )
        for i in range(40)
    ]
    drained = drain(queue, agents, roster, NOW)
    assert len(drained.assignments) == 2 + 3 + 2 + 2  # every place of every agent
    for request, _ in drained.waiting:
        team = roster.team_for(request)
        assert team is not None
        assert pool(team, request, drained.agents, roster).with_room == ()
    for email, state in drained.agents.items():
        assert state.open_total <= roster.agents[email].capacity
