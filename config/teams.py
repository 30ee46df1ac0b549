"""Model of ``teams.yaml`` (first version): teams, their languages, topics and agents.

Capacity, business hours and the assignment strategy arrive with the escalation issue;
their keys are reserved here as optional so existing files keep loading then.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from config.automation_types import LocalText, Name
from config.validation import StrictModel

AgentEmail = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class TeamDef(StrictModel):
    name: Name
    title: LocalText = ""
    languages: tuple[str, ...] = ()
    topics: tuple[Name, ...] = ()
    #: emails of agents created with ``hub agents add``
    agents: tuple[AgentEmail, ...] = ()
    #: reserved for the escalation issue: max open conversations per agent
    capacity: int | None = Field(default=None, ge=1)
    #: reserved for the escalation issue: name of a business-hours schedule
    hours: Name | None = None
    #: reserved for the escalation issue
    strategy: Literal["round_robin", "least_busy"] | None = None


class TeamsFile(StrictModel):
    teams: tuple[TeamDef, ...] = ()
    #: where conversations go when no rule picked a team
    default_team: Name | None = None

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
        return frozenset(a.lower() for t in self.teams for a in t.agents)
