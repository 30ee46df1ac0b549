"""The simulated day behind ``python -m tests.bench.routing``: arrivals, shifts, handling.

A virtual clock runs a working day (08:00-20:00 UTC) as a heap of events: arrivals
(Poisson, thinned from a rate with a lunchtime peak), first replies, resolutions, and
agents' shift starts and ends. After every event a dispatcher decides: the routing
package's ``drain`` (every event, so freed capacity is used at once), or the baseline —
round robin over the team's online agents at each arrival only, first come first served,
as Chatwoot assigns (no retry when an agent frees up). Both see the same arrivals,
handling times and shifts (same seed), so their figures compare.
"""

from __future__ import annotations

import heapq
import math
import random
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from automations.routing import AgentState, Request, Roster, drain, estimate_for
from automations.routing.assign import pool, team_chain
from automations.routing.model import Assignment
from config.source import parse_yaml
from config.teams import TeamsFile
from config.validation import validate_source

DAY = datetime(2026, 12, 22, tzinfo=UTC)  # a Tuesday
OPEN, CLOSE = DAY + timedelta(hours=8), DAY + timedelta(hours=20)
TOPICS = ("billing", "technical", "sales")
PRIORITIES = (("urgent", 0.05), ("high", 0.15), ("normal", 0.70), ("low", 0.10))
#: (email, languages, topics, capacity, team, shift start h, shift end h)
AGENTS = (
    ("a1", "en", "billing,sales", 3, "english", 8, 16),
    ("a2", "en", "technical", 3, "english", 8, 16),
    ("a3", "en", "billing,technical", 2, "english", 9, 17),
    ("a4", "en", "sales,billing", 3, "english", 10, 18),
    ("a5", "en", "technical,billing", 3, "english", 11, 19),
    ("a6", "en", "billing,technical,sales", 2, "english", 12, 20),
    ("a7", "en", "technical", 3, "english", 12, 20),
    ("f1", "fr,en", "billing,sales", 3, "french", 8, 16),
    ("f2", "fr", "technical,billing", 2, "french", 10, 18),
    ("f3", "fr,en", "billing,technical,sales", 3, "french", 12, 20),
)


def roster(relax_topic_after: str | None = None) -> Roster:
    """The simulated teams; ``relax_topic_after`` (e.g. ``10m``) lets a long wait drop the
    topic."""
    relax = f", relax_topic_after: {relax_topic_after}" if relax_topic_after else ""
    agents = "\n".join(
        f"  - {{email: {e}@sim.example, languages: [{lang}], topics: [{topics}], "
        f"capacity: {cap}, hours: shift_{start}_{end}}}"
        for e, lang, topics, cap, _, start, end in AGENTS
    )
    shifts = "\n".join(
        f"  shift_{start}_{end}: {{timezone: UTC, "
        f'hours: {{daily: ["{start:02d}:00-{end:02d}:00"]}}}}'
        for start, end in sorted({(a[5], a[6]) for a in AGENTS})
    )
    members = {
        team: ", ".join(f"{a[0]}@sim.example" for a in AGENTS if a[4] == team)
        for team in ("english", "french")
    }
    text = f"""
agents:
{agents}
teams:
  - {{name: english, languages: [en], agents: [{members["english"]}], hours: day,
     overflow: french, typical_reply: 5m{relax}}}
  - {{name: french, languages: [fr], agents: [{members["french"]}], hours: day,
     typical_reply: 5m{relax}}}
calendars:
  day: {{timezone: UTC, hours: {{daily: ["08:00-20:00"]}}}}
{shifts}
"""
    teams, problems = validate_source(TeamsFile, parse_yaml(text, "sim/teams.yaml"))
    assert teams is not None, [str(p) for p in problems]
    return Roster.from_config(teams, "UTC")


def arrival_rate(at: datetime) -> float:
    """Conversations per minute: a base load and a lunchtime peak around 12:30."""
    hours = (at - DAY).total_seconds() / 3600
    return 0.8 + 1.6 * math.exp(-(((hours - 12.5) / 1.0) ** 2))


@dataclass
class Conversation:
    request: Request
    arrived: datetime
    handling: timedelta
    first_reply_delay: timedelta
    promised: datetime | None = None
    first_reply: datetime | None = None
    agent: str | None = None
    assigned_at: datetime = OPEN
    waited_with_room: bool = False


@dataclass
class World:
    conversations: list[Conversation]
    shifts: list[tuple[datetime, str, str]]


def make_world(seed: int, scale: float = 1.0) -> World:
    rng = random.Random(seed)
    peak = 2.4 * scale
    conversations: list[Conversation] = []
    at = OPEN
    while True:  # thinning: candidate arrivals at the peak rate, kept with rate/peak
        at += timedelta(minutes=rng.expovariate(peak))
        if at >= CLOSE - timedelta(hours=1):
            break
        if rng.random() > arrival_rate(at) * scale / peak:
            continue
        language = "fr" if rng.random() < 0.3 else "en"
        priority = rng.choices([p for p, _ in PRIORITIES], [w for _, w in PRIORITIES])[0]
        cid = f"c{len(conversations):05d}"
        request = Request(
            cid,
            language,
            "whatsapp_cloud" if rng.random() < 0.3 else "webchat",
            topic=rng.choice(TOPICS),
            priority=priority,  # type: ignore[arg-type]
            waiting_since=at,
        )
        conversations.append(
            Conversation(
                request,
                at,
                handling=timedelta(minutes=rng.lognormvariate(math.log(10), 0.5)),
                first_reply_delay=timedelta(seconds=rng.lognormvariate(math.log(45), 0.4)),
            )
        )
    shifts = []
    for email, *_, start, end in AGENTS:
        shifts.append((DAY + timedelta(hours=start), f"{email}@sim.example", "online"))
        shifts.append((DAY + timedelta(hours=end), f"{email}@sim.example", "offline"))
    return World(conversations, shifts)


@dataclass
class Outcome:
    waits: list[float] = field(default_factory=list)
    eta_errors: list[float] = field(default_factory=list)
    #: the same, for conversations that waited in the queue five minutes or more
    eta_errors_queued: list[float] = field(default_factory=list)
    waited_with_room: int = 0
    served: int = 0
    unqualified: int = 0
    occupancy: dict[str, float] = field(default_factory=dict)


Dispatcher = Callable[
    [dict[str, Request], dict[str, AgentState], Roster, datetime, str], list[Assignment]
]


def simulate(world: World, dispatch: Dispatcher, eta: str, rost: Roster) -> Outcome:
    """Run one day; ``eta`` is ``estimate`` (routing's estimate) or ``typical`` (a label)."""
    events: list[tuple[datetime, int, str, Any]] = []
    seq = 0

    def push(at: datetime, kind: str, payload: Any) -> None:
        nonlocal seq
        heapq.heappush(events, (at, seq, kind, payload))
        seq += 1

    for conv in world.conversations:
        push(conv.arrived, "arrive", conv)
    for at, email, presence in world.shifts:
        push(at, "presence", (email, presence))
    agents = {email: AgentState(email, "offline") for email in rost.agents}
    queue: dict[str, Request] = {}
    by_id = {c.request.conversation_id: c for c in world.conversations}
    handled: list[float] = []
    busy = dict.fromkeys(agents, 0.0)
    online_time = dict.fromkeys(agents, 0.0)
    last = OPEN
    outcome = Outcome()
    while events:
        at, _, kind, payload = heapq.heappop(events)
        span = (at - last).total_seconds()
        for email, state in agents.items():
            if state.presence == "online" and span:
                online_time[email] += span
                busy[email] += span * state.open_total / rost.agents[email].capacity
        last = at
        if kind == "arrive":
            conv = payload
            queue[conv.request.conversation_id] = conv.request
            conv.promised = _promise(conv, queue, agents, rost, at, handled, eta)
        elif kind == "presence":
            email, presence = payload
            agents[email] = replace(agents[email], presence=presence)
        elif kind == "reply":
            payload.first_reply = at
        elif kind == "resolve":
            conv = payload
            state = agents[conv.agent].with_load(conv.request.channel, -1)
            since = list(state.open_since)
            since.remove(conv.assigned_at)
            agents[conv.agent] = replace(state, open_since=tuple(since))
            handled.append((at - conv.assigned_at).total_seconds())  # place occupied
        for assignment in dispatch(queue, agents, rost, at, kind):
            conv = by_id[assignment.conversation_id]
            del queue[assignment.conversation_id]
            state = agents[assignment.agent].with_load(assignment.channel, 1, at)
            agents[assignment.agent] = replace(state, open_since=(*state.open_since, at))
            conv.assigned_at = at
            conv.agent = assignment.agent
            profile = rost.agents[assignment.agent]
            if not (profile.speaks(conv.request.language) and profile.handles(conv.request.topic)):
                outcome.unqualified += 1
            push(at + conv.first_reply_delay, "reply", conv)
            push(at + conv.first_reply_delay + conv.handling, "resolve", conv)
        for request in queue.values():
            conv = by_id[request.conversation_id]
            if not conv.waited_with_room and _has_room(request, agents, rost, at):
                conv.waited_with_room = True
    for conv in world.conversations:
        outcome.waited_with_room += conv.waited_with_room
        if conv.first_reply is None or conv.promised is None:
            continue
        outcome.served += 1
        actual = (conv.first_reply - conv.arrived).total_seconds()
        promised = (conv.promised - conv.arrived).total_seconds()
        outcome.waits.append(actual)
        outcome.eta_errors.append(abs(promised - actual) / actual)
        if (conv.assigned_at - conv.arrived) >= timedelta(minutes=5):
            outcome.eta_errors_queued.append(abs(promised - actual) / actual)
    outcome.occupancy = {e: busy[e] / online_time[e] for e in agents if online_time[e]}
    return outcome


def _promise(
    conv: Conversation,
    queue: dict[str, Request],
    agents: dict[str, AgentState],
    rost: Roster,
    at: datetime,
    handled: list[float],
    eta: str,
) -> datetime:
    team = rost.team_for(conv.request)
    if eta == "typical":
        assert team is not None
        assert team.typical_reply is not None
        return at + team.typical_reply
    median = timedelta(seconds=statistics.median(handled[-200:])) if handled else None
    estimate = estimate_for(
        conv.request,
        queue.values(),
        agents,
        rost,
        at,
        handling_time=median,
        first_reply=timedelta(seconds=45),
        handling_times=[timedelta(seconds=s) for s in handled[-200:]],
    )
    return estimate.reply_by


def _has_room(request: Request, agents: dict[str, AgentState], rost: Roster, at: datetime) -> bool:
    home = rost.team_for(request)
    if home is None:
        return False
    return any(
        team.open_at(at) and pool(team, request, agents, rost).with_room
        for team in team_chain(home, rost)
    )


def routed(
    queue: dict[str, Request], agents: dict[str, AgentState], rost: Roster, at: datetime, kind: str
) -> list[Assignment]:
    """The routing package: drain the whole queue after every event."""
    if not queue:
        return []
    return list(drain(queue.values(), agents, rost, at).assignments)


class RoundRobin:
    """Baseline: at each arrival, the queue first come first served, each to the next
    online member of its language team with room, in turn; topics ignored."""

    def __init__(self) -> None:
        self.turn: dict[str, int] = {}

    def __call__(
        self,
        queue: dict[str, Request],
        agents: dict[str, AgentState],
        rost: Roster,
        at: datetime,
        kind: str,
    ) -> list[Assignment]:
        if kind != "arrive":
            return []
        out = []
        loads = {e: s.open_total for e, s in agents.items()}
        for request in sorted(queue.values(), key=lambda r: (r.waiting_since, r.conversation_id)):
            choice = self.pick(request, agents, loads, rost)
            if choice is not None:
                loads[choice.agent] += 1
                out.append(choice)
        return out

    def pick(
        self, request: Request, agents: dict[str, AgentState], loads: dict[str, int], rost: Roster
    ) -> Assignment | None:
        team = rost.team_for(request)
        if team is None:
            return None
        members = team.members
        start = self.turn.get(team.name, 0)
        for step in range(len(members)):
            email = members[(start + step) % len(members)]
            state = agents.get(email)
            online = state is not None and state.presence == "online"
            if online and loads[email] < rost.agents[email].capacity:
                self.turn[team.name] = (start + step + 1) % len(members)
                return Assignment(
                    request.conversation_id, email, team.name, request.channel, "rr", "rr"
                )
        return None
