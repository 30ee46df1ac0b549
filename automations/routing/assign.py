"""The choice of agent for one conversation, as a pure function with a readable reason.

Qualified means: a member of the team who speaks the conversation's language and handles
its topic. Among qualified agents who are online and have room on the conversation's
channel, the team's strategy picks one:

- ``least_loaded`` (default): the lowest share of capacity in use, then the fewest open
  conversations, then whoever waited longest since their last assignment;
- ``round_robin``: whoever waited longest since their last assignment (capacity still
  respected, unlike a plain rotation over online agents);
- ``sticky``: the contact's previous agent when they are qualified, online and have room,
  else ``least_loaded``.

When nobody in the team can take it (or the team is closed), its overflow teams are tried
in turn; when none can, the conversation is queued in its own team and the reason says
who was full, away or offline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from babel import Locale, UnknownLocaleError

from automations.routing.model import AgentState, Assignment, Choice, Queued, Request
from automations.routing.roster import AgentProfile, Roster, TeamProfile

_NEVER = datetime.min.replace(tzinfo=UTC)
_OFFLINE = AgentState(email="", presence="offline")


@dataclass(frozen=True, slots=True)
class Pool:
    """Qualified members of one team for one request, split by why they can or cannot."""

    team: TeamProfile
    with_room: tuple[tuple[AgentProfile, AgentState], ...]
    full: int
    away: int
    offline: int
    qualified: int

    def excluded(self, chosen: bool = True) -> str:
        """``2 others full, 1 other away`` beside a chosen agent; ``2 full, 1 away`` when
        nobody was chosen."""
        parts = []
        for count, what in ((self.full, "full"), (self.away, "away"), (self.offline, "offline")):
            if not count:
                continue
            if chosen:
                parts.append(f"{count} {'other' if count == 1 else 'others'} {what}")
            else:
                parts.append(f"{count} {what}")
        return ", ".join(parts)


def pool(
    team: TeamProfile,
    request: Request,
    agents: Mapping[str, AgentState],
    roster: Roster,
    *,
    any_topic: bool = False,
) -> Pool:
    with_room = []
    full = away = offline = 0
    qualified = roster.qualified(team, replace(request, topic=None) if any_topic else request)
    for profile in qualified:
        state = agents.get(profile.email, _OFFLINE)
        if state.presence == "offline":
            offline += 1
        elif state.presence == "away":
            away += 1
        elif profile.room(state, request.channel) <= 0:
            full += 1
        else:
            with_room.append((profile, state))
    return Pool(team, tuple(with_room), full, away, offline, len(qualified))


def choose(
    request: Request, agents: Mapping[str, AgentState], roster: Roster, now: datetime
) -> Choice:
    """Assign ``request`` to a qualified agent with room, or say why it waits."""
    home = roster.team_for(request)
    if home is None:
        return Queued(
            request.conversation_id, None, f"no team answers in {language_name(request.language)}"
        )
    notes: list[str] = []
    opens_at = None
    for team in team_chain(home, roster):
        if not team.open_at(now):
            assert team.calendar is not None
            opening = team.calendar.next_opening(now)
            opens_at = opening if opens_at is None else min(opens_at, opening)
            notes.append(f"{team.name} is closed until {_utc_label(opening)}")
            continue
        found = pool(team, request, agents, roster)
        relaxed = ""
        if not found.with_room and team.relaxes(request, now):
            strict = found
            found = pool(team, request, agents, roster, any_topic=True)
            if found.with_room:
                after = _minutes(team.relax_topic_after)
                why = _nobody(strict, request)
                relaxed = f" (topic {request.topic} dropped after {after} waiting: {why})"
        if found.with_room:
            picked = pick(found, replace(request, topic=None) if relaxed else request)
            reason = picked.reason + relaxed
            if team is not home:
                reason = f"{reason} in overflow team {team.name} ({'; '.join(notes)})"
            return replace(picked, reason=reason)
        notes.append(f"{team.name}: {_nobody(found, request)}")
    return Queued(request.conversation_id, home.name, "; ".join(notes), opens_at)


def pick(found: Pool, request: Request) -> Assignment:
    """The agent the team's strategy takes among ``found.with_room`` (not empty)."""
    what = describe(request)
    others = found.excluded()
    tail = f"; {others}" if others else ""
    strategy = found.team.strategy
    prefix = ""
    if strategy == "sticky" and request.previous_agent:
        previous = request.previous_agent.lower()
        for profile, _state in found.with_room:
            if profile.email == previous:
                reason = f"previous agent of this contact, online with room{tail}"
                return _assignment(request, profile, found.team, "sticky", reason)
        prefix = f"previous agent {previous} not available; "
    if strategy == "round_robin":
        profile, state = min(found.with_room, key=_turn_key)
        reason = f"next {what} agent in turn with room ({_load(profile, state)}){tail}"
        return _assignment(request, profile, found.team, "round_robin", reason)
    profile, state = min(found.with_room, key=_load_key)
    reason = f"{prefix}least loaded {what} agent with room ({_load(profile, state)}){tail}"
    return _assignment(request, profile, found.team, "least_loaded", reason)


def describe(request: Request) -> str:
    """``French billing`` for a French conversation about billing."""
    topic = f" {request.topic}" if request.topic else ""
    return f"{language_name(request.language)}{topic}"


@lru_cache(maxsize=256)
def language_name(code: str) -> str:
    """The English name of a language code (``fr`` -> ``French``), for reasons in logs."""
    try:
        name = Locale.parse("en").languages.get(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        name = None
    return str(name) if name else code


def team_chain(home: TeamProfile, roster: Roster) -> list[TeamProfile]:
    teams = [home]
    current = home.overflow
    while current is not None and current not in {t.name for t in teams}:
        team = roster.teams.get(current)
        if team is None:
            break
        teams.append(team)
        current = team.overflow
    return teams


def _nobody(found: Pool, request: Request) -> str:
    what = describe(request)
    if not found.qualified:
        return f"no {what} agent in the team"
    return f"no {what} agent with room ({found.excluded(chosen=False)})"


def _load_key(item: tuple[AgentProfile, AgentState]) -> tuple[float, int, datetime, str]:
    profile, state = item
    used = state.open_total
    return (used / profile.capacity, used, state.last_assigned_at or _NEVER, profile.email)


def _turn_key(item: tuple[AgentProfile, AgentState]) -> tuple[datetime, str]:
    profile, state = item
    return (state.last_assigned_at or _NEVER, profile.email)


def _load(profile: AgentProfile, state: AgentState) -> str:
    return f"{state.open_total} of {profile.capacity} open"


def _assignment(
    request: Request, profile: AgentProfile, team: TeamProfile, strategy: str, reason: str
) -> Assignment:
    return Assignment(
        request.conversation_id, profile.email, team.name, request.channel, strategy, reason
    )


def _minutes(amount: timedelta | None) -> str:
    return f"{round(amount.total_seconds() / 60)} min" if amount is not None else ""


def _utc_label(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%a %H:%M UTC")
