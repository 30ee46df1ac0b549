"""Fixtures for the automations tests, and :class:`Chat`: the hub's side of a conversation
kept in memory, so whole conversations run through the real engine and survey runner.

``Chat`` is also the reference for the hub integration: it calls the public API in the
order the pipeline must (survey first, then rules; actions applied in order; events the
actions cause fed back; timers scheduled, cancelled and fired).
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from automations.actions import (
    AddLabel,
    AssignAgent,
    AssignTeam,
    ClearField,
    Escalate,
    Notify,
    PlannedAction,
    RemoveLabel,
    Resolve,
    SendMessage,
    SetField,
    SetLanguage,
    SetPriority,
    StartSurvey,
)
from automations.rules import Decision, Event, EventKind, Facts, RuleEngine, Sender, Timer
from automations.surveys import SurveyReply, SurveyRunner, SurveyState, SurveyStep
from config.automation_checks import AutomationConfig, load_automation_files
from config.hub import HubFile
from config.loader import load_config
from config.source import parse_yaml
from config.validation import validate_source

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


@dataclass
class Chat:
    """One conversation as the hub would hold it, driven through the public API."""

    engine: RuleEngine
    runner: SurveyRunner
    max_buttons: int = 10
    channel: str = "webchat"
    language: str = "en"
    now: datetime = MONDAY_10H_PARIS
    contact: dict[str, Any] = field(default_factory=lambda: {"name": "Ana"})
    fields: dict[str, Any] = field(default_factory=dict)
    conversation: dict[str, Any] = field(
        default_factory=lambda: {"status": "bot", "labels": (), "priority": "normal"}
    )
    sent: list[SendMessage] = field(default_factory=list)
    done: list[PlannedAction] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)
    fired: Counter[str] = field(default_factory=Counter)
    survey: SurveyState | None = None
    timers: dict[str, tuple[datetime, Timer]] = field(default_factory=dict)
    _pending: deque[Event] = field(default_factory=deque)

    # -- what the customer and the clock do ----------------------------------------------

    def open(self) -> None:
        self._run([Event(EventKind.CONVERSATION_OPENED, sender=Sender.SYSTEM)])

    def says(self, text: str) -> None:
        self._customer(SurveyReply(text=text))

    def presses(self, button: str) -> None:
        self._customer(SurveyReply(button=button))

    def wait(self, delta: timedelta) -> None:
        """Let time pass; fire due timers in time order, like the hub's job queue."""
        end = self.now + delta
        while True:
            due = sorted((at, key) for key, (at, _) in self.timers.items() if at <= end)
            if not due:
                break
            at, key = due[0]
            _, timer = self.timers.pop(key)
            self.now = at
            if timer.kind == "survey_timeout" and self.survey is not None:
                self._survey_step(self.runner.expire(self.survey, now=self.now))
            elif timer.event is not None:
                self._run([timer.event])
        self.now = end

    # -- what the hub does --------------------------------------------------------------

    def facts(self) -> Facts:
        return facts(
            channel=self.channel,
            language=self.language,
            now=self.now,
            contact=dict(self.contact),
            fields=dict(self.fields),
            conversation=dict(self.conversation),
            fired=dict(self.fired),
        )

    def _customer(self, reply: SurveyReply) -> None:
        for key in [k for k in self.timers if k.startswith("no_reply:")]:
            del self.timers[key]
        if self.survey is not None and self.survey.status == "active":
            step = self.runner.answer(
                self.survey,
                reply,
                language=self.language,
                now=self.now,
                max_buttons=self.max_buttons,
            )
            self._survey_step(step)
            if step.consumed:
                return
        if reply.button is not None:
            self._run([Event(EventKind.BUTTON_PRESSED, button=reply.button)])
        else:
            self._run([Event(EventKind.MESSAGE_RECEIVED, text=reply.text)])

    def _survey_step(self, step: SurveyStep) -> None:
        self.survey = step.state
        if step.timer is not None:
            self._schedule([step.timer])
        elif step.finished:
            self.timers.pop(f"survey_timeout:{step.state.survey}", None)
        self._apply(step.actions)
        self._run(list(step.events))

    def _run(self, events: Iterable[Event]) -> None:
        self._pending.extend(events)
        while self._pending:
            event = self._pending.popleft()
            decision = self.engine.evaluate(event, self.facts())
            self.decisions.append(decision)
            self.fired.update(decision.fired)
            for key in decision.cancel:
                self.timers.pop(key, None)
            self._schedule(decision.schedule)
            self._apply(decision.actions)

    def _schedule(self, timers: Iterable[Timer]) -> None:
        for timer in timers:
            if timer.restart or timer.key not in self.timers:
                self.timers[timer.key] = (self.now + timer.after, timer)

    def _apply(self, actions: Iterable[PlannedAction]) -> None:
        for action in actions:
            self.done.append(action)
            match action:
                case SendMessage():
                    self.sent.append(action)
                case SetField(field=name, value=value):
                    old = self.fields.get(name)
                    self.fields[name] = value
                    if old != value:
                        self._pending.append(
                            Event(
                                EventKind.FIELD_CHANGED,
                                sender=Sender.SYSTEM,
                                field=name,
                                old_value=old,
                                new_value=value,
                            )
                        )
                case ClearField(field=name):
                    self.fields.pop(name, None)
                case StartSurvey(survey=name):
                    self._survey_step(
                        self.runner.start(
                            name, language=self.language, now=self.now, max_buttons=self.max_buttons
                        )
                    )
                case SetLanguage(language=language):
                    self.language = language
                case AssignTeam(team=team):
                    self.conversation["team"] = team
                case AssignAgent(agent=agent):
                    self.conversation["assignee"] = agent
                case SetPriority(priority=priority):
                    self.conversation["priority"] = priority
                case AddLabel(label=label):
                    self.conversation["labels"] = (*self.conversation["labels"], label)
                case RemoveLabel(label=label):
                    self.conversation["labels"] = tuple(
                        x for x in self.conversation["labels"] if x != label
                    )
                case Escalate():
                    self.conversation["status"] = "queued"
                    self._pending.append(
                        Event(
                            EventKind.CONVERSATION_ESCALATED,
                            sender=Sender.SYSTEM,
                            reason=action.reason,
                        )
                    )
                case Resolve():
                    self.conversation["status"] = "resolved"
                case Notify():
                    pass
                case _:
                    raise AssertionError(f"unhandled action {action!r}")

    # -- what tests look at -------------------------------------------------------------

    @property
    def last(self) -> SendMessage:
        return self.sent[-1]

    def fired_rules(self) -> list[str]:
        return [name for d in self.decisions for name in d.fired]


@pytest.fixture
def chat(demo_engine: RuleEngine, demo_runner: SurveyRunner) -> Chat:
    return Chat(demo_engine, demo_runner)
