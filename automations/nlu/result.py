"""The value every NLU provider returns, stored on the message as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Provider = Literal["local", "dialogflow_cx", "knowledge", "none"]


@dataclass(frozen=True, slots=True)
class Candidate:
    intent: str
    confidence: float


@dataclass(frozen=True, slots=True)
class KnowledgeHit:
    """A passage of a knowledge article offered when no intent matched."""

    title: str
    url: str
    passage: str
    score: float
    threshold: float


@dataclass(frozen=True, slots=True)
class NluResult:
    """One classification. ``intent`` is None when the message is out of scope.

    ``candidates`` are the top intents, best first, even when rejected, so the inbox can show
    what the bot considered. ``fallback_reason`` is set when a remote provider failed and the
    local classifier answered instead.
    """

    intent: str | None
    confidence: float
    runner_up: Candidate | None
    provider: Provider
    language: str | None
    out_of_scope: bool
    candidates: tuple[Candidate, ...] = ()
    threshold: float | None = None
    article: KnowledgeHit | None = None
    fallback_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data for the message's NLU column."""
        return asdict(self)


def out_of_scope(
    provider: Provider, language: str | None, threshold: float | None = None
) -> NluResult:
    """The result for a message nothing can answer (empty text, no known words)."""
    return NluResult(
        intent=None,
        confidence=0.0,
        runner_up=None,
        provider=provider,
        language=language,
        out_of_scope=True,
        threshold=threshold,
    )
