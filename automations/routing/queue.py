"""The queue of conversations waiting for a person, and draining it into free capacity.

Order: priority (urgent first), then the SLA due time (soonest first, none last), then
how long the conversation has waited (longest first), then its id so the order is total
and the same in every process.

``drain`` walks the queue in that order and assigns each conversation that a qualified
agent with room can take, updating the agents' loads as it goes. A conversation it skips
has no qualified agent with room at that point, and later assignments only use room up,
so when it returns no conversation waits while a qualified agent has room. The hub calls
it whenever capacity appears: an agent resolves, comes online, or a transfer lands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

from automations.routing.assign import choose, team_chain
from automations.routing.model import PRIORITY_RANK, AgentState, Assignment, Queued, Request
from automations.routing.roster import Roster

_LATEST = datetime.max.replace(tzinfo=UTC)


def queue_key(request: Request) -> tuple[int, datetime, datetime, str]:
    return (
        PRIORITY_RANK.get(request.priority, 2),
        request.sla_due or _LATEST,
        request.waiting_since or _LATEST,
        request.conversation_id,
    )


def ordered(queue: Iterable[Request]) -> tuple[Request, ...]:
    return tuple(sorted(queue, key=queue_key))


@dataclass(frozen=True)
class Drained:
    assignments: tuple[Assignment, ...]
    #: what is still waiting, in queue order, each with why
    waiting: tuple[tuple[Request, Queued], ...]
    #: the agents after the assignments (loads and last assignment times updated)
    agents: Mapping[str, AgentState]


def drain(
    queue: Iterable[Request], agents: Mapping[str, AgentState], roster: Roster, now: datetime
) -> Drained:
    """Assign every queued conversation that a qualified agent with room can take."""
    states = dict(agents)
    assignments: list[Assignment] = []
    waiting: list[tuple[Request, Queued]] = []
    #: (team, language, topic, channel, teams that drop its topic) that found nobody: the
    #: same request shape later in the queue cannot find anybody either (room only
    #: shrinks during a drain)
    exhausted: dict[tuple[str | None, str, str | None, str, tuple[str, ...]], Queued] = {}
    for request in ordered(queue):
        shape = (
            request.team,
            request.language,
            request.topic,
            request.channel,
            _relaxed(request, roster, now),
        )
        known = exhausted.get(shape)
        if known is not None:
            waiting.append(
                (request, Queued(request.conversation_id, known.team, known.reason, known.opens_at))
            )
            continue
        choice = choose(request, states, roster, now)
        if isinstance(choice, Assignment):
            state = states.get(choice.agent, AgentState(choice.agent, "online"))
            states[choice.agent] = state.with_load(request.channel, 1, now)
            assignments.append(choice)
        else:
            exhausted[shape] = choice
            waiting.append((request, choice))
    return Drained(tuple(assignments), tuple(waiting), MappingProxyType(states))


def _relaxed(request: Request, roster: Roster, now: datetime) -> tuple[str, ...]:
    """The teams that would drop this request's topic now (part of its shape in a drain)."""
    if not roster.relaxing:
        return ()
    home = roster.team_for(request)
    if home is None:
        return ()
    return tuple(t.name for t in team_chain(home, roster) if t.relaxes(request, now))
