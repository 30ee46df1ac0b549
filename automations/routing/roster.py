"""``teams.yaml`` compiled for routing: each agent's effective languages, topics and
capacity, each team's members, calendar, strategy and SLA policy.

Compiled once per config load, so every decision is set lookups instead of walking the
file: the benchmark makes tens of thousands of decisions a second on one core.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from automations.routing.calendar import BusinessCalendar
from automations.routing.model import AgentState, Request
from config.sla import SlaPolicyDef
from config.teams import DEFAULT_CAPACITY, DEFAULT_STRATEGY, TOTAL, TeamsFile


@dataclass(frozen=True, slots=True)
class AgentProfile:
    email: str
    name: str
    #: empty: any language
    languages: frozenset[str]
    #: empty: any topic (a generalist)
    topics: frozenset[str]
    capacity: int
    #: per-channel limits under ``capacity``
    channel_capacity: Mapping[str, int]
    teams: tuple[str, ...]
    #: working hours, when configured (for wait estimates only)
    shift: BusinessCalendar | None = None

    def speaks(self, language: str) -> bool:
        return not self.languages or language in self.languages

    def handles(self, topic: str | None) -> bool:
        return topic is None or not self.topics or topic in self.topics

    def room(self, state: AgentState, channel: str) -> int:
        """Conversations this agent can still take on ``channel`` (0 when full)."""
        free = self.capacity - state.open_total
        limit = self.channel_capacity.get(channel)
        if limit is not None:
            free = min(free, limit - state.open_by_channel.get(channel, 0))
        return max(0, free)


@dataclass(frozen=True, slots=True)
class TeamProfile:
    name: str
    languages: frozenset[str]
    topics: frozenset[str]
    members: tuple[str, ...]
    calendar: BusinessCalendar | None
    strategy: str
    overflow: str | None
    offline: str
    sla: SlaPolicyDef | None
    typical_reply: timedelta | None
    #: notice target for team alerts, and the manager's address (the notice ladder)
    notify: str | None = None
    manager: str | None = None
    relax_topic_after: timedelta | None = None

    def relaxes(self, request: Request, now: datetime) -> bool:
        """Whether ``request`` has waited long enough here to drop its topic."""
        after = self.relax_topic_after
        since = request.waiting_since
        return (
            after is not None
            and since is not None
            and request.topic is not None
            and (now - since >= after)
        )

    def open_at(self, at: datetime) -> bool:
        return self.calendar is None or self.calendar.is_open(at)


@dataclass(frozen=True)
class Roster:
    teams: Mapping[str, TeamProfile]
    agents: Mapping[str, AgentProfile]
    default_team: str | None = None
    sla_warning: timedelta = timedelta(minutes=10)
    #: for :func:`automations.routing.eta.correction_due`
    correction_margin: timedelta = timedelta(minutes=10)
    handling_time: timedelta = timedelta(minutes=12)
    timezone: str = "UTC"
    #: the operator's wait texts (``messages`` in teams.yaml) for ``messages.py``
    texts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    _by_language: Mapping[str, str] = field(default_factory=dict, repr=False)
    #: memo of :meth:`qualified` (the roster never changes once built)
    _qualified: dict[tuple[str, str, str | None], tuple[AgentProfile, ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def from_config(cls, teams: TeamsFile, default_timezone: str = "UTC") -> Roster:
        calendars = {
            name: BusinessCalendar.from_config(name, spec, default_timezone)
            for name, spec in teams.calendars.items()
        }
        agents: dict[str, AgentProfile] = {}
        for email in sorted(teams.agent_emails):
            spec = teams.agent(email)
            team_names = teams.teams_of(email)
            team_defs = [t for t in teams.teams if t.name in team_names]
            languages = (spec.languages if spec else ()) or tuple(
                lang for t in team_defs for lang in t.languages
            )
            topics = (spec.topics if spec else ()) or tuple(
                topic for t in team_defs for topic in t.topics
            )
            capacity = (spec.capacity if spec else None) or next(
                (t.capacity for t in team_defs if t.capacity), None
            )
            limits = dict(capacity or {})
            total = limits.pop(TOTAL, None)
            if total is None:
                total = sum(limits.values()) if limits else DEFAULT_CAPACITY
            agents[email] = AgentProfile(
                email=email,
                name=(spec.name if spec else "") or email.split("@")[0],
                languages=frozenset(languages),
                topics=frozenset(topics),
                capacity=total,
                channel_capacity=MappingProxyType(limits),
                teams=team_names,
                shift=calendars.get(spec.hours) if spec and spec.hours else None,
            )
        profiles = {
            t.name: TeamProfile(
                name=t.name,
                languages=frozenset(t.languages),
                topics=frozenset(t.topics),
                members=teams.members(t.name),
                calendar=calendars.get(t.hours) if t.hours else None,
                strategy=t.strategy or DEFAULT_STRATEGY,
                overflow=t.overflow,
                offline=t.offline,
                sla=teams.sla_policy(t.sla) if t.sla else None,
                typical_reply=t.typical_reply,
                notify=t.notify,
                manager=t.manager,
                relax_topic_after=t.relax_topic_after,
            )
            for t in teams.teams
        }
        by_language: dict[str, str] = {}
        for t in teams.teams:
            for lang in t.languages:
                by_language.setdefault(lang, t.name)
        return cls(
            teams=MappingProxyType(profiles),
            agents=MappingProxyType(agents),
            default_team=teams.default_team,
            sla_warning=teams.sla_warning,
            correction_margin=teams.wait.correction_margin,
            handling_time=teams.wait.handling_time,
            timezone=default_timezone,
            texts=MappingProxyType({k: MappingProxyType(v) for k, v in teams.messages.items()}),
            _by_language=MappingProxyType(by_language),
        )

    @property
    def relaxing(self) -> bool:
        """Whether any team drops topics after a wait (drain then keys on it)."""
        return any(t.relax_topic_after is not None for t in self.teams.values())

    def team_for(self, request: Request) -> TeamProfile | None:
        """The request's team, else the first team speaking its language, else the default."""
        name = request.team or self._by_language.get(request.language) or self.default_team
        return self.teams.get(name) if name else None

    def qualified(self, team: TeamProfile, request: Request) -> tuple[AgentProfile, ...]:
        """Members who speak the language and handle the topic (presence and room aside)."""
        key = (team.name, request.language, request.topic)
        cached = self._qualified.get(key)
        if cached is not None:
            return cached
        found = []
        for email in team.members:
            agent = self.agents.get(email)
            if (
                agent is not None
                and agent.speaks(request.language)
                and agent.handles(request.topic)
            ):
                found.append(agent)
        self._qualified[key] = result = tuple(found)
        return result
