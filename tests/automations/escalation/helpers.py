"""Small builders for escalation tests: turns, NLU results and detector inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from automations.escalation import ContactView, ConversationView, DetectorInput, Turn
from automations.nlu import NluResult

T0 = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def nlu(intent: str | None, confidence: float = 0.9) -> NluResult:
    return NluResult(
        intent=intent,
        confidence=confidence if intent else 0.1,
        runner_up=None,
        provider="local",
        language="en",
        out_of_scope=intent is None,
    )


def turn(id: str, text: str, *, sender: str = "customer", s: float = 0, **kw: Any) -> Turn:
    return Turn(id, sender, text, T0 + timedelta(seconds=s), **kw)  # type: ignore[arg-type]


def inp(
    text: str,
    language: str = "en",
    history: tuple[Turn, ...] = (),
    *,
    at: float = 0,
    contact: ContactView | None = None,
    inbox: str = "demo",
    **kw: Any,
) -> DetectorInput:
    message = turn("m", text, s=at, **kw)
    return DetectorInput(
        message,
        language,
        history,
        contact or ContactView(),
        ConversationView("c1", "webchat", inbox),
    )
