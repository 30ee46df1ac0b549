"""What the signals of one input lead to: ``evaluate_policy(signals, context)``.

Each strong signal proposes its configured action; a sensitive topic in an ``escalate``
category (a legal threat) proposes ``escalate`` whatever the action says; each combination
whose signals were seen often enough within its window proposes its own. The strongest
proposal wins (escalate > offer > priority > record) and the priority is the highest any
deciding signal asks for. Outside the rollout nothing acts: the signals are recorded and the
outcome says it was held back, so a report can compare both halves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from automations.escalation.rollout import in_rollout, percent_for
from automations.escalation.signals import Signal
from config.escalation import ACTIONS, Action, EscalationFile
from config.rules import Priority

Outcome = Literal["escalate", "offer", "priority", "record", "none"]
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")


@dataclass(frozen=True, slots=True)
class PastSignal:
    """A signal raised earlier in the conversation (for combinations within a window)."""

    kind: str
    score: float
    at: datetime


@dataclass(frozen=True)
class PolicyContext:
    conversation_id: str
    now: datetime
    channel: str = "webchat"
    inbox: str = ""
    topic: str | None = None
    team: str | None = None
    language: str = "en"
    priority: Priority | None = None
    earlier: tuple[PastSignal, ...] = ()


@dataclass(frozen=True, slots=True)
class Reason:
    """One proposal: a signal or a combination, the action it asks for and why."""

    source: Literal["signal", "combination", "button"]
    name: str
    action: Action
    score: float
    priority: Priority | None = None
    detail: str = ""


@dataclass(frozen=True)
class PolicyOutcome:
    action: Outcome
    #: the priority to raise the conversation to (None: leave it)
    priority: Priority | None
    reasons: tuple[Reason, ...]
    #: every signal with a score, to record whether or not it acted
    signals: tuple[Signal, ...]
    in_rollout: bool
    rollout_percent: float
    #: what would have happened inside the rollout (equal to ``action`` inside it)
    would: Outcome

    @property
    def escalates(self) -> bool:
        return self.action == "escalate"


def _rank(action: str) -> int:
    return len(ACTIONS) - ACTIONS.index(action) if action in ACTIONS else 0


def _signal_reasons(signals: tuple[Signal, ...], file: EscalationFile) -> list[Reason]:
    reasons = []
    for signal in signals:
        if not signal.strong:
            continue
        policy = file.signals.of(signal.kind)
        action: Action = policy.action
        detail = ", ".join(e.matched for e in signal.evidence)[:200]
        if signal.kind == "sensitive":
            urgent = [
                e.detail for e in signal.evidence if e.detail in file.signals.sensitive.escalate
            ]
            if urgent:
                action, detail = "escalate", f"{urgent[0]}: {detail}"
        reasons.append(Reason("signal", signal.kind, action, signal.score, policy.priority, detail))
    return reasons


def _combination_reasons(
    signals: tuple[Signal, ...], context: PolicyContext, file: EscalationFile
) -> list[Reason]:
    reasons = []
    for index, combo in enumerate(file.combinations):
        allowed = set(combo.signals)
        kinds: set[str] = {
            s.kind
            for s in signals
            if s.score >= combo.min_score and s.score > 0 and (not allowed or s.kind in allowed)
        }
        kinds |= {
            p.kind
            for p in context.earlier
            if p.score >= combo.min_score
            and context.now - p.at <= combo.within
            and (not allowed or p.kind in allowed)
        }
        if len(kinds) >= combo.at_least:
            name = combo.name or f"combination {index + 1}"
            detail = " + ".join(sorted(kinds))
            reasons.append(Reason("combination", name, combo.action, 1.0, combo.priority, detail))
    return reasons


def _highest(priorities: list[Priority], current: Priority | None) -> Priority | None:
    if not priorities:
        return None
    best = max(priorities, key=PRIORITIES.index)
    if current is not None and PRIORITIES.index(current) >= PRIORITIES.index(best):
        return None
    return best


def evaluate_policy(
    signals: tuple[Signal, ...], context: PolicyContext, file: EscalationFile | None = None
) -> PolicyOutcome:
    """The action the policy takes on these signals, in this conversation, now."""
    file = file or EscalationFile()
    reasons = _signal_reasons(signals, file) + _combination_reasons(signals, context, file)
    reasons.sort(key=lambda r: (-_rank(r.action), -r.score, r.name))
    would: Outcome = reasons[0].action if reasons else "none"
    deciding = [r for r in reasons if r.action != "record"]
    priority = _highest([r.priority for r in deciding if r.priority is not None], context.priority)
    percent = percent_for(file.rollout, context.channel, context.inbox, context.topic, context.team)
    live = in_rollout(context.conversation_id, percent)
    recorded = tuple(s for s in signals if s.score > 0)
    if not live:
        held: Outcome = "record" if recorded else "none"
        return PolicyOutcome(held, None, tuple(reasons), recorded, False, percent, would)
    return PolicyOutcome(would, priority, tuple(reasons), recorded, True, percent, would)
