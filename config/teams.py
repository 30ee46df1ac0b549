"""Model of ``teams.yaml``: agents, teams, business hours, SLA policies and notices.

What the routing layer (``automations/routing``) needs to pick a qualified agent with room,
order the queue, run SLA clocks in business time and tell customers the truth about the
wait. Every key added since the first version is optional, so a file with only ``teams``
(name, languages, topics, agents) still loads as it did.

An agent's languages, topics and capacity default to those of their teams; an agent who is
not in ``agents`` at all is still a member of the teams that list their email.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from config.automation_types import Duration, LocalText, Name
from config.calendars import CalendarDef
from config.notices import Email, NoticesDef
from config.sla import SlaPolicyDef
from config.validation import StrictModel

AgentEmail = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
Strategy = Literal["least_loaded", "round_robin", "sticky"]
#: key of the whole-agent limit in a per-channel capacity mapping
TOTAL = "total"


def _capacity(value: Any) -> Any:
    """``3`` or ``{total: 4, whatsapp_cloud: 2}`` -> a mapping; every limit at least 1."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = {TOTAL: value}
    if not isinstance(value, dict):
        raise ValueError(
            "capacity is a number of open conversations (e.g. 3) or a mapping such as "
            "{total: 4, whatsapp_cloud: 2}"
        )
    for key, limit in value.items():
        if not isinstance(limit, int) or isinstance(limit, bool):
            raise ValueError(f"capacity '{key}' must be a whole number, not '{limit}'")
        if limit < 1:
            raise ValueError(
                f"capacity must be at least 1, not {limit} (an agent who should take no "
                "conversations is left out of the team, or set away)"
            )
    return value


#: max open conversations: ``total`` and optionally one limit per channel (inbox kind)
Capacity = Annotated[dict[str, int], BeforeValidator(_capacity)]


def _strategy(value: Any) -> Any:
    return "least_loaded" if value == "least_busy" else value  # the first version's spelling


class AgentDef(StrictModel):
    #: the login created with ``hub agents add`` (credentials live in the database)
    email: AgentEmail
    name: str = ""
    #: languages the agent answers in (default: their teams' languages)
    languages: tuple[str, ...] = ()
    #: topics / skills (default: their teams' topics)
    topics: tuple[Name, ...] = ()
    capacity: Capacity | None = None
    teams: tuple[Name, ...] = ()
    #: the agent's working hours (a calendar): wait estimates count the places of
    #: agents whose shift is about to start
    hours: Name | None = None


class TeamDef(StrictModel):
    name: Name
    title: LocalText = ""
    languages: tuple[str, ...] = ()
    topics: tuple[Name, ...] = ()
    #: emails of member agents (agents may also name their teams themselves)
    agents: tuple[AgentEmail, ...] = ()
    #: default capacity of members who set none
    capacity: Capacity | None = None
    #: name of a calendar in ``calendars`` (none: always open)
    hours: Name | None = None
    strategy: Annotated[Strategy | None, BeforeValidator(_strategy)] = None
    #: name of an SLA policy in ``sla_policies``
    sla: Name | None = None
    #: team tried when no qualified member has room (or this team is closed)
    overflow: Name | None = None
    #: an agent going offline keeps their conversations, or releases them to the queue
    offline: Literal["keep", "release"] = "keep"
    #: what customers are told before enough replies were measured
    typical_reply: Duration | None = None
    #: after waiting this long, any member who speaks the language may take the
    #: conversation, whatever its topic (none: the topic is always required)
    relax_topic_after: Duration | None = None
    #: notice target (in ``notices.targets``) for team alerts and the ``here`` rung
    notify: Name | None = None
    #: address for the ``manager`` rung of the notice ladder
    manager: Email | None = None


class WaitDef(StrictModel):
    """How wait-time promises are made and corrected."""

    #: a corrected message is sent when the estimate slips by more than this
    correction_margin: Duration = timedelta(minutes=10)
    #: handling time assumed until the team's median is measured
    handling_time: Duration = timedelta(minutes=12)


DEFAULT_STRATEGY: Strategy = "least_loaded"
DEFAULT_CAPACITY = 3


class TeamsFile(StrictModel):
    teams: tuple[TeamDef, ...] = ()
    #: where conversations go when no rule picked a team
    default_team: Name | None = None
    agents: tuple[AgentDef, ...] = ()
    calendars: dict[Name, CalendarDef] = Field(default_factory=dict)
    sla_policies: tuple[SlaPolicyDef, ...] = ()
    #: default lead time of the ``sla_warning`` event before a breach
    sla_warning: Duration = timedelta(minutes=10)
    notices: NoticesDef = Field(default_factory=NoticesDef)
    wait: WaitDef = Field(default_factory=WaitDef)
    #: customer-facing wait texts: key (``within``, ``closed_day``...) -> language -> text
    messages: dict[str, dict[str, str]] = Field(default_factory=dict)

    def get(self, name: str) -> TeamDef | None:
        return next((t for t in self.teams if t.name == name), None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.teams)

    def for_language(self, language: str) -> TeamDef | None:
        """First team that speaks ``language`` (file order is the operator's preference)."""
        return next((t for t in self.teams if language in t.languages), None)

    @property
    def agent_emails(self) -> frozenset[str]:
        listed = {a.lower() for t in self.teams for a in t.agents}
        return frozenset(listed | {a.email.lower() for a in self.agents})

    def agent(self, email: str) -> AgentDef | None:
        key = email.lower()
        return next((a for a in self.agents if a.email.lower() == key), None)

    def members(self, team: str) -> tuple[str, ...]:
        """Emails (lower case) of the team's agents: listed by the team or naming it."""
        found = self.get(team)
        listed = [a.lower() for a in found.agents] if found is not None else []
        listed += [a.email.lower() for a in self.agents if team in a.teams]
        return tuple(dict.fromkeys(listed))

    def teams_of(self, email: str) -> tuple[str, ...]:
        key = email.lower()
        return tuple(t.name for t in self.teams if key in self.members(t.name))

    def sla_policy(self, name: str) -> SlaPolicyDef | None:
        return next((p for p in self.sla_policies if p.name == name), None)
