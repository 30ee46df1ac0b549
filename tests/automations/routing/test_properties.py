"""Properties over random agents and queues (hypothesis): drain never puts an agent over
capacity, never assigns twice, assigns only qualified agents, leaves nobody waiting while a
qualified agent has room, and gives the same answer twice; calendar add and between agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from automations.routing import AgentState, Request, Roster, drain
from automations.routing.assign import pool, team_chain
from automations.routing.messages import back_in_message, opening_message, promise
from automations.routing.sla import clocks, events_between

from .conftest import load_teams

ROSTER = Roster.from_config(load_teams(), "Europe/Paris")
EMAILS = sorted(ROSTER.agents)
CHANNELS = ("webchat", "whatsapp_cloud")
START = datetime(2026, 12, 21, tzinfo=UTC)

agent_states = st.fixed_dictionaries(
    {
        email: st.builds(
            lambda e, p, w, x: AgentState(e, p, {"webchat": w, "whatsapp_cloud": x}),
            st.just(email),
            st.sampled_from(("online", "online", "away", "offline")),
            st.integers(0, 2),
            st.integers(0, 1),
        )
        for email in EMAILS
    }
)
requests = st.lists(
    st.builds(
        Request,
        conversation_id=st.uuids().map(str),
        language=st.sampled_from(("en", "fr", "de")),
        channel=st.sampled_from(CHANNELS),
        team=st.sampled_from((None, "english", "french", "rota", "sticky")),
        topic=st.sampled_from((None, "billing", "technical")),
        priority=st.sampled_from(("low", "normal", "high", "urgent")),
        previous_agent=st.sampled_from((None, *EMAILS)),
        waiting_since=st.integers(0, 600).map(lambda m: START + timedelta(minutes=m)),
    ),
    max_size=30,
    unique_by=lambda r: r.conversation_id,
)
instants = st.integers(0, 14 * 24 * 60).map(lambda m: START + timedelta(minutes=m))


@settings(max_examples=150, deadline=None)
@given(agent_states, requests, instants)
def test_drain_invariants(
    agents: dict[str, AgentState], queue: list[Request], now: datetime
) -> None:
    drained = drain(queue, agents, ROSTER, now)
    assert drain(queue, agents, ROSTER, now) == drained
    ids = [a.conversation_id for a in drained.assignments]
    assert len(ids) == len(set(ids))
    assert len(ids) + len(drained.waiting) == len(queue)
    by_id = {r.conversation_id: r for r in queue}
    for assignment in drained.assignments:
        request = by_id[assignment.conversation_id]
        profile = ROSTER.agents[assignment.agent]
        assert agents[assignment.agent].presence == "online"
        assert profile.speaks(request.language)
        assert profile.handles(request.topic)
        home = ROSTER.team_for(request)
        assert home is not None
        chain = [t.name for t in team_chain(home, ROSTER)]
        assert assignment.team in chain
        assert assignment.agent in ROSTER.teams[assignment.team].members
    for email, state in drained.agents.items():
        profile = ROSTER.agents[email]
        grew = state.open_total - agents[email].open_total
        assert grew == 0 or state.open_total <= profile.capacity
        for channel, limit in profile.channel_capacity.items():
            before = agents[email].open_by_channel.get(channel, 0)
            after = state.open_by_channel.get(channel, 0)
            assert after == before or after <= limit
    for request, _ in drained.waiting:
        home = ROSTER.team_for(request)
        assert home is not None
        for team in team_chain(home, ROSTER):
            if team.open_at(now):
                assert pool(team, request, drained.agents, ROSTER).with_room == ()


@settings(max_examples=200, deadline=None)
@given(instants, st.integers(0, 3 * 24 * 60))
def test_between_undoes_add(start: datetime, minutes: int) -> None:
    for team in ("english", "french"):
        calendar = ROSTER.teams[team].calendar
        assert calendar is not None
        amount = timedelta(minutes=minutes)
        end = calendar.add(start, amount)
        assert end >= start
        assert calendar.between(start, end) == amount
        if minutes > 0:  # the last minute counted was business time
            assert calendar.is_open(end - timedelta(seconds=30))


zones = st.sampled_from(
    ("UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo", "Australia/Lord_Howe", "Asia/Kolkata")
)


@settings(max_examples=150, deadline=None)
@given(
    instants,
    st.integers(0, 3 * 24 * 60),
    st.sampled_from(("low", "urgent")),
    st.sampled_from((None, "vip")),
)
def test_sla_clocks_are_ordered(
    opened: datetime, minutes: int, priority: str, tier: str | None
) -> None:
    team = ROSTER.teams["english"]
    running = clocks(team, ROSTER, priority=priority, tier=tier, opened_at=opened)
    assert running
    for clock in running:
        assert clock.started_at <= clock.warn_at <= clock.due
    later = opened + timedelta(minutes=minutes)
    events = events_between(running, opened, later)
    assert [e.at for e in events] == sorted(e.at for e in events)
    assert all(opened < e.at <= later for e in events)


@settings(max_examples=150, deadline=None)
@given(
    instants,
    st.integers(0, 5 * 24 * 60),
    st.sampled_from(("en", "fr", "es", "zh", "de", "pt-BR", "")),
    zones,
)
def test_customer_messages_never_fail(
    now: datetime, minutes: int, language: str, zone: str
) -> None:
    later = now + timedelta(minutes=minutes)
    for message in (
        promise(later, language, zone, now),
        opening_message(later, language, zone, now),
        back_in_message(later, language, now),
    ):
        assert message.strip()
        assert "{" not in message
