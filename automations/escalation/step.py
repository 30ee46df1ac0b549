"""The escalation part of one brain step, in one call: ``assess(inp, context, settings)``.

What ``decide`` needs from this package per customer input: every detector's signal, the
policy's outcome, and the answer to a pending offer (the customer pressed "Talk to a person"
or "No thanks"), so plugging escalation into the brain is one call and one ``match`` on
``outcome.action``.
"""

from __future__ import annotations

from dataclasses import dataclass

from automations.escalation.detect import detect
from automations.escalation.policy import PolicyContext, PolicyOutcome, Reason, evaluate_policy
from automations.escalation.settings import DetectorSettings
from automations.escalation.signals import DetectorInput, Signal
from automations.escalation.texts import OFFER_NO, OFFER_YES


@dataclass(frozen=True)
class Assessment:
    signals: tuple[Signal, ...]
    outcome: PolicyOutcome
    #: the customer answered an offer of a person: True (yes), False (no thanks), None
    offer_answer: bool | None = None


def assess(inp: DetectorInput, context: PolicyContext, settings: DetectorSettings) -> Assessment:
    """Signals and outcome for one customer input; an accepted offer escalates."""
    signals = detect(inp, settings)
    outcome = evaluate_policy(signals, context, settings.file)
    button = inp.message.button
    if button == OFFER_YES:
        accepted = Reason("button", "offer_accepted", "escalate", 1.0, None, "Talk to a person")
        escalate = PolicyOutcome(
            "escalate",
            outcome.priority,
            (accepted, *outcome.reasons),
            outcome.signals,
            outcome.in_rollout,
            outcome.rollout_percent,
            "escalate",
        )
        return Assessment(signals, escalate, True)
    if button == OFFER_NO:
        return Assessment(signals, outcome, False)
    return Assessment(signals, outcome)
