"""Run every enabled detector on one customer input.

The one entry point ``decide`` calls: ``detect(inp, settings)`` returns a signal per enabled
detector, zero scores included, in a fixed order, so two runs over the same input give the
same tuple and the explanation shows which detectors looked and found nothing.
"""

from __future__ import annotations

from automations.escalation.business import (
    detect_integration_failure,
    detect_sales_moment,
    detect_sensitive,
    detect_vip,
)
from automations.escalation.errors import EscalationError
from automations.escalation.explicit import detect_explicit_request
from automations.escalation.frustration import detect_frustration
from automations.escalation.settings import DetectorSettings
from automations.escalation.signals import DetectorInput, Signal
from automations.escalation.turns import (
    detect_burst,
    detect_loop,
    detect_out_of_scope,
    detect_repetition,
)
from config.escalation import SIGNAL_KINDS


def detect_one(kind: str, inp: DetectorInput, settings: DetectorSettings) -> Signal:
    """One detector by name (the evaluation scores them one at a time)."""
    s = settings.file.signals
    packs = settings.languages_for(inp.language)
    if kind == "explicit_request":
        matchers = tuple(p.request for p in packs)
        return detect_explicit_request(inp, matchers, s.explicit_request.threshold)
    if kind == "frustration":
        f = s.frustration
        return detect_frustration(inp, packs, f.turns, f.threshold)
    if kind == "repetition":
        r = s.repetition
        return detect_repetition(inp, r.turns, r.similarity, r.threshold)
    if kind == "burst":
        b = s.burst
        return detect_burst(inp, b.messages, b.within, b.max_chars, b.threshold)
    if kind == "out_of_scope":
        return detect_out_of_scope(inp, s.out_of_scope.times, s.out_of_scope.threshold)
    if kind == "loop":
        return detect_loop(inp, s.loop.times, s.loop.turns, s.loop.threshold)
    if kind == "integration_failure":
        return detect_integration_failure(inp, s.integration_failure.threshold)
    if kind == "vip":
        return detect_vip(inp, s.vip.tiers, s.vip.fields, s.vip.threshold)
    if kind == "sales_moment":
        m = s.sales_moment
        return detect_sales_moment(inp, packs, m.intents, m.buttons, m.threshold)
    if kind == "sensitive":
        return detect_sensitive(inp, packs, s.sensitive.intents, s.sensitive.threshold)
    raise EscalationError(f"unknown signal '{kind}'")


def detect(inp: DetectorInput, settings: DetectorSettings) -> tuple[Signal, ...]:
    inbox = inp.conversation.inbox
    return tuple(
        detect_one(kind, inp, settings) for kind in SIGNAL_KINDS if settings.enabled(kind, inbox)
    )
