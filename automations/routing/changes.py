"""Transfers, unassignment and presence changes as pure state changes.

Each function takes the agents' states (and the conversation as a :class:`Request`) and
returns new values; the hub writes them in one transaction and then drains the queue,
because every change here can free or use capacity.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from types import MappingProxyType

from automations.routing.assign import describe
from automations.routing.errors import RoutingError
from automations.routing.model import AgentState, Assignment, Presence, Request
from automations.routing.roster import Roster

Agents = Mapping[str, AgentState]


@dataclass(frozen=True, slots=True)
class Refused:
    """A transfer that cannot land, with why (shown to the agent who asked)."""

    conversation_id: str
    agent: str
    reason: str


def assigned(agents: Agents, assignment: Assignment, now: datetime) -> Agents:
    """``agents`` with ``assignment`` counted on its agent."""
    state = agents.get(assignment.agent, AgentState(assignment.agent, "online"))
    return _with(agents, state.with_load(assignment.channel, 1, now))


def released(agents: Agents, agent: str, channel: str) -> Agents:
    """``agents`` after ``agent`` resolved or handed back one conversation on ``channel``."""
    state = agents.get(agent.lower())
    if state is None:
        return agents
    return _with(agents, state.with_load(channel, -1))


def with_presence(agents: Agents, agent: str, presence: Presence) -> Agents:
    key = agent.lower()
    state = agents.get(key, AgentState(key))
    return _with(agents, replace(state, presence=presence))


def transfer_to_agent(
    request: Request,
    target: str,
    agents: Agents,
    roster: Roster,
    *,
    by: str | None = None,
    force: bool = False,
) -> Assignment | Refused:
    """Hand ``request`` to ``target``. Without ``force`` (a supervisor's override) the
    target must be online, have room on the channel and speak the language."""
    key = target.lower()
    profile = roster.agents.get(key)
    if profile is None:
        raise RoutingError(f"no agent '{target}' in teams.yaml")
    state = agents.get(key, AgentState(key))
    team = request.team or (profile.teams[0] if profile.teams else "")
    who = f" by {by}" if by else ""
    if not force:
        if state.presence != "online":
            return Refused(request.conversation_id, key, f"{key} is {state.presence}")
        if profile.room(state, request.channel) <= 0:
            return Refused(request.conversation_id, key, f"{key} has no room on {request.channel}")
        if not profile.speaks(request.language):
            return Refused(
                request.conversation_id, key, f"{key} does not answer in {describe(request)}"
            )
    reason = f"transferred{who}" + (" (override)" if force else "")
    return Assignment(request.conversation_id, key, team, request.channel, "transfer", reason)


def reassign(
    request: Request,
    current: str,
    target: str,
    agents: Agents,
    roster: Roster,
    now: datetime,
    *,
    by: str | None = None,
    force: bool = False,
) -> tuple[Assignment | Refused, Agents]:
    """Move an assigned conversation from ``current`` to ``target``: the new assignment and
    the agents with ``current``'s place freed and ``target``'s taken (unchanged if refused).
    The target's room is judged before the current agent's place is freed, so moving a
    conversation to oneself is refused when full rather than counted twice."""
    result = transfer_to_agent(request, target, agents, roster, by=by, force=force)
    if isinstance(result, Refused):
        return result, agents
    moved = assigned(released(agents, current, request.channel), result, now)
    return result, moved


def transfer_to_team(
    request: Request, team: str, roster: Roster, *, current_agent: str | None = None
) -> Request:
    """The request as it enters ``team``'s queue; the current agent, if any, becomes the
    previous one (a sticky team gives it back to them when they are a member with room)."""
    if team not in roster.teams:
        raise RoutingError(f"no team '{team}' in teams.yaml")
    previous = current_agent.lower() if current_agent else request.previous_agent
    return replace(request, team=team, previous_agent=previous)


def unassign(request: Request, agent: str, now: datetime) -> Request:
    """The request back in its queue; it keeps its place (its original waiting time)."""
    return replace(
        request, previous_agent=agent.lower(), waiting_since=request.waiting_since or now
    )


def released_by_offline(
    agent: str, open_requests: Iterable[Request], roster: Roster, now: datetime
) -> tuple[Request, ...]:
    """The conversations ``agent`` gives back on going offline: those of teams whose
    ``offline`` policy is ``release`` (the others stay with them)."""
    released_requests = []
    for request in open_requests:
        team = roster.teams.get(request.team or "")
        if team is not None and team.offline == "release":
            released_requests.append(unassign(request, agent, now))
    return tuple(released_requests)


def _with(agents: Agents, state: AgentState) -> Agents:
    updated = dict(agents)
    updated[state.email] = state
    return MappingProxyType(updated)
