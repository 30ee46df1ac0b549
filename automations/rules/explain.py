"""The record of one decision: which rules were considered, what their conditions
evaluated to, which actions were planned and which failed.

The hub stores it per event (JSON through :meth:`Explanation.to_dict`) and the agent API
returns it per conversation; the simulation mode compares two of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from automations.actions import PlannedAction
from automations.rules.conditions import ConditionTrace, show
from automations.rules.facts import Timer
from automations.rules.text_gate import EVENT_TEXT


class RuleTrace(NamedTuple):
    """One candidate rule. ``skipped`` says why it was not evaluated (fire limit...).

    A named tuple for the same reason as :class:`ConditionTrace`: one per candidate rule.
    """

    rule: str
    matched: bool
    fired: bool
    conditions: tuple[ConditionTrace, ...] = ()
    actions: tuple[PlannedAction, ...] = ()
    skipped: str | None = None


@dataclass(frozen=True, slots=True)
class ActionFailure:
    """An action that could not be planned; the rule's other actions still ran."""

    rule: str
    action: str
    error: str


@dataclass(frozen=True, slots=True)
class Explanation:
    event: str
    at: datetime
    rules: tuple[RuleTrace, ...] = ()
    failures: tuple[ActionFailure, ...] = ()
    #: set when the event was ignored as a whole (e.g. a message the hub itself sent)
    ignored: str | None = None
    #: the message text the conditions saw (traces of text leaves skipped by the keyword
    #: index hold ``EVENT_TEXT`` instead of a copy)
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "at": self.at.isoformat(),
            "ignored": self.ignored,
            "text": self.text,
            "rules": [
                {
                    "rule": r.rule,
                    "matched": r.matched,
                    "fired": r.fired,
                    "skipped": r.skipped,
                    "conditions": [
                        {
                            "path": c.path,
                            "test": c.test,
                            "actual": show(self.text if c.actual is EVENT_TEXT else c.actual),
                            "value": c.value,
                        }
                        for c in r.conditions
                    ],
                    "actions": [a.describe() for a in r.actions],
                }
                for r in self.rules
            ],
            "failures": [
                {"rule": f.rule, "action": f.action, "error": f.error} for f in self.failures
            ],
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """What the engine decided for one event: the hub carries it out in order.

    ``fired`` lists the rules that fired (the hub adds them to ``Facts.fired``);
    ``schedule``/``cancel`` are timer keys to (re)schedule or drop.
    """

    actions: tuple[PlannedAction, ...]
    explanation: Explanation
    fired: tuple[str, ...] = ()
    schedule: tuple[Timer, ...] = ()
    cancel: tuple[str, ...] = ()
