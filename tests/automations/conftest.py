"""Fixtures for the automations tests, and :class:`Chat`: a conversation kept in memory
and driven through the real brain (``automations.conversation.decide``), so whole
conversations run exactly as the hub runs them, without a database.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from automations.actions import PlannedAction
from automations.conversation import (
    Brain,
    ConversationOpened,
    ConversationState,
    Decision,
    Input,
    OutgoingMessage,
    PendingTimer,
    TimerFired,
    decide,
    memory,
    priority_name,
)
from automations.rules import Facts, RuleEngine
from automations.surveys import SurveyRunner, SurveyState
from config.automation_checks import AutomationConfig, load_automation_files
from config.hub import HubFile
from config.loader import load_config
from config.source import parse_yaml
from config.validation import validate_source
from tests.support.brain import brain_around, demo_config, empty_state

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "config" / "demo"
#: a Monday, 10:00 in Paris
MONDAY_10H_PARIS = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo_hub() -> HubFile:
    return load_config(DEMO).hub


@pytest.fixture(scope="session")
def demo_automation() -> AutomationConfig:
    config, problems = load_automation_files(DEMO)
    assert config is not None, problems
    return config


@pytest.fixture(scope="session")
def demo_engine(demo_hub: HubFile, demo_automation: AutomationConfig) -> RuleEngine:
    return RuleEngine.from_config(demo_hub, demo_automation)


@pytest.fixture(scope="session")
def demo_runner(demo_hub: HubFile, demo_automation: AutomationConfig) -> SurveyRunner:
    return SurveyRunner(
        demo_automation.surveys, demo_automation.fields, default_language=demo_hub.default_language
    )


def model_from_yaml(model: Any, text: str) -> Any:
    """Validate a YAML snippet against a config model; fail the test on any problem."""
    loaded, problems = validate_source(model, parse_yaml(text, "test.yaml"))
    assert loaded is not None, [str(p) for p in problems]
    return loaded


def facts(**overrides: Any) -> Facts:
    base: dict[str, Any] = {
        "conversation_id": "c1",
        "inbox": "demo",
        "channel": "webchat",
        "language": "en",
        "now": MONDAY_10H_PARIS,
        "timezone": "Europe/Paris",
    }
    base.update(overrides)
    return Facts(**base)


class Chat:
    """One conversation driven through the real brain: ``decide`` on every input, its
    Decision applied to an in-memory state (``automations.conversation.memory``), as the
    hub applies it to rows. Built over an engine and survey runner (the demo config's by
    default) without NLU, or over any ``brain``."""

    def __init__(
        self,
        engine: RuleEngine | None = None,
        runner: SurveyRunner | None = None,
        *,
        max_buttons: int = 10,
        channel: str = "webchat",
        language: str | None = "en",
        now: datetime = MONDAY_10H_PARIS,
        name: str | None = "Ana",
        brain: Brain | None = None,
    ) -> None:
        if brain is None:
            assert engine is not None
            assert runner is not None
            brain = brain_around(demo_config(), engine, runner)
        self.brain = brain
        self.now = now
        self.state: ConversationState = empty_state(
            channel=channel, max_buttons=max_buttons, name=name, language=language
        )
        self.sent: list[OutgoingMessage] = []
        self.done: list[PlannedAction] = []
        self.decisions: list[Decision] = []

    # -- what the customer, the agents and the clock do -----------------------------------

    def open(self) -> Decision:
        return self.run(ConversationOpened())

    def says(self, text: str, *, opened: bool = False) -> Decision:
        self.state, message = memory.receive(self.state, self.now, text=text, opened=opened)
        return self.run(message)

    def presses(self, button: str) -> Decision:
        self.state, message = memory.receive(self.state, self.now, button=button)
        return self.run(message)

    def wait(self, delta: timedelta) -> None:
        """Let time pass; fire due timers in time order, like the hub's job queue."""
        end = self.now + delta
        while due := memory.due_timers(self.state, end):
            timer = due[0]
            self.now = timer.due_at
            self.run(TimerFired(timer.key, timer.kind, timer.scheduled_at, timer.event))
        self.now = end

    def run(self, item: Input) -> Decision:
        """``decide`` on one input, and its effects applied."""
        decision = decide(self.state, item, self.brain, self.now)
        self.decisions.append(decision)
        self.sent.extend(decision.messages)
        self.done.extend(decision.actions)
        self.state = memory.apply(self.state, decision)
        return decision

    # -- what tests look at -------------------------------------------------------------

    @property
    def survey(self) -> SurveyState | None:
        return self.state.conversation.bot_state.survey

    @property
    def fields(self) -> dict[str, Any]:
        return memory.field_values(self.state, self.brain, self.now)

    @property
    def language(self) -> str | None:
        conversation = self.state.conversation
        return conversation.language or self.state.contact.language

    @property
    def conversation(self) -> dict[str, Any]:
        conversation = self.state.conversation
        assignee = conversation.assignee
        return {
            "status": conversation.status,
            "team": conversation.team,
            "assignee": assignee.email if assignee is not None else None,
            "priority": priority_name(conversation.priority),
            "labels": conversation.labels,
            "language": conversation.language,
        }

    @property
    def timers(self) -> dict[str, PendingTimer]:
        return {t.key: t for t in self.state.timers}

    @property
    def last(self) -> OutgoingMessage:
        return self.sent[-1]

    def fired_rules(self) -> list[str]:
        return [name for d in self.decisions for name in d.fired]


@pytest.fixture
def chat(demo_engine: RuleEngine, demo_runner: SurveyRunner) -> Chat:
    return Chat(demo_engine, demo_runner)
