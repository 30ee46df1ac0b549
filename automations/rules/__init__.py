"""The rule engine: ``rules.yaml`` compiled into closures, evaluated over facts.

The hub builds a :class:`RuleEngine` once per loaded config and calls
:meth:`RuleEngine.evaluate` with an :class:`Event` and :class:`Facts`; it gets back a
:class:`Decision` (planned actions, timers, explanation) and carries it out.
"""

from automations.rules.conditions import ConditionTrace, compile_condition
from automations.rules.engine import RuleEngine, no_reply_key
from automations.rules.explain import ActionFailure, Decision, Explanation, RuleTrace
from automations.rules.facts import Event, EventKind, Facts, Sender, Timer

__all__ = [
    "ActionFailure",
    "ConditionTrace",
    "Decision",
    "Event",
    "EventKind",
    "Explanation",
    "Facts",
    "RuleEngine",
    "RuleTrace",
    "Sender",
    "Timer",
    "compile_condition",
    "no_reply_key",
]
