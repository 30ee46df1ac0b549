"""The demo's teams.yaml compiles for routing and routes as its comments say."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from automations.routing import AgentState, Assignment, Request, Roster, choose
from config.loader import load_config

from .conftest import DEMO


def test_demo_roster() -> None:
    config = load_config(DEMO)
    roster = Roster.from_config(config.automation.teams, config.hub.timezone)
    assert set(roster.teams) == {"english", "french", "spanish", "chinese"}
    alice = roster.agents["alice@demo.example"]
    assert (alice.capacity, dict(alice.channel_capacity)) == (4, {"whatsapp_cloud": 2})
    assert roster.agents["diego@demo.example"].languages == frozenset({"es"})
    assert roster.agents["diego@demo.example"].capacity == 3  # the default
    # Alice and Bob full: an English billing question overflows to Chloé, who speaks English
    now = datetime(2026, 12, 23, 11, 0, tzinfo=ZoneInfo("Europe/London"))
    agents = {
        "alice@demo.example": AgentState("alice@demo.example", "online", {"webchat": 4}),
        "bob@demo.example": AgentState("bob@demo.example", "online", {"webchat": 3}),
        "chloe@demo.example": AgentState("chloe@demo.example", "online"),
    }
    choice = choose(Request("c", "en", "webchat", topic="billing"), agents, roster, now)
    assert isinstance(choice, Assignment)
    assert (choice.agent, choice.team) == ("chloe@demo.example", "french")
    assert config.automation.teams.notices.env_names == ("DEMO_SLACK_WEBHOOK_URL", "DEMO_SMTP_HOST")
