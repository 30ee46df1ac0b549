"""A small teams.yaml for the routing tests: an English and a French team with hours."""

from __future__ import annotations

from pathlib import Path

import pytest

from automations.routing import Roster
from config.source import parse_yaml
from config.teams import TeamsFile
from config.validation import validate_source

TEAMS_YAML = """
default_team: english
agents:
  - {email: ann@x.example, languages: [en], topics: [billing], capacity: 2}
  - {email: ben@x.example, languages: [en], topics: [billing, technical], capacity: 3}
  - email: cat@x.example
    languages: [en]
    topics: [technical]
    capacity: {total: 2, whatsapp_cloud: 1}
  - {email: fay@x.example, languages: [fr, en], topics: [billing], capacity: 2}
  - {email: gus@x.example, languages: [fr], topics: [billing, technical], capacity: 2}
teams:
  - name: english
    languages: [en]
    agents: [ann@x.example, ben@x.example, cat@x.example]
    hours: london
    sla: standard
    overflow: french
    offline: release
  - name: french
    languages: [fr]
    agents: [fay@x.example, gus@x.example]
    hours: paris
    sla: standard
    typical_reply: 15m
  - name: rota
    languages: [en]
    agents: [ann@x.example, ben@x.example]
    strategy: round_robin
  - name: relaxed
    languages: [en]
    topics: [billing, technical]
    agents: [ann@x.example, cat@x.example]
    relax_topic_after: 10m
  - name: sticky
    languages: [en]
    agents: [ann@x.example, ben@x.example]
    strategy: sticky
calendars:
  london:
    timezone: Europe/London
    hours: {mon-fri: ["08:00-18:00"]}
    holidays: [2026-12-25]
  paris:
    timezone: Europe/Paris
    hours:
      mon-fri: ["09:00-12:30", "13:30-18:00"]
      sat: ["10:00-13:00"]
    holidays: [2026-12-25, 2027-01-01]
sla_warning: 10m
sla_policies:
  - name: standard
    business_hours: true
    targets:
      - {first_response: 1h, next_response: 2h, resolution: 1d}
      - {when: {priority: [urgent]}, first_response: 15m}
      - {when: {tier: [vip]}, first_response: 30m, next_response: 1h}
wait: {correction_margin: 10m, handling_time: 12m}
"""


def load_teams(text: str = TEAMS_YAML) -> TeamsFile:
    teams, problems = validate_source(TeamsFile, parse_yaml(text, "teams.yaml"))
    assert teams is not None, [str(p) for p in problems]
    return teams


@pytest.fixture(scope="session")
def roster() -> Roster:
    return Roster.from_config(load_teams(), "Europe/Paris")


DEMO = Path(__file__).resolve().parents[3] / "config" / "demo"
