"""What detectors read and what they return, as frozen values.

``DetectorInput`` is the snapshot one customer input is judged on: the message, the recent
turns (customer and bot, oldest first) with their NLU results, the contact and the
conversation. The brain (``decide``) builds it from its own state; tests and the evaluation
build it directly. ``Signal`` is recorded whether or not it escalates, so a replay or a report
sees every detector's opinion and why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from automations.nlu import NluResult
from config.escalation import SignalKind

Sender = Literal["customer", "bot", "agent"]
#: what a bot turn was: an intent's answer, a knowledge article, a survey question, a
#: "did this help?" prompt, the fallback ("I don't know"), or anything else
BotKind = Literal["answer", "article", "survey_question", "feedback_prompt", "fallback", "other"]


@dataclass(frozen=True)
class Turn:
    """One message of the transcript."""

    id: str
    sender: Sender
    text: str
    at: datetime
    nlu: NluResult | None = None
    #: bot turns: what was sent (intent name, article URL, survey question id, snippet name)
    answer_id: str | None = None
    bot_kind: BotKind | None = None
    #: customer turns: the button pressed (its payload id), if the turn is a button press
    button: str | None = None
    #: customer turns: the answer to "did this help?"
    feedback: Literal["yes", "no"] | None = None
    #: the NLU's sentence vector of ``text`` when it computed one (never recomputed here)
    embedding: NDArray[np.float32] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ContactView:
    name: str | None = None
    language: str | None = None
    tier: str | None = None
    fields: Mapping[str, object] = field(default_factory=dict)
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class ConversationView:
    id: str
    channel: str = "webchat"
    inbox: str = ""
    topic: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class DetectorInput:
    """Everything the detectors may read about one customer input."""

    message: Turn
    language: str
    history: tuple[Turn, ...] = ()
    contact: ContactView = ContactView()
    conversation: ConversationView = ConversationView(id="")
    #: providers or actions that failed while handling this input (``dialogflow_cx``)
    integration_failures: tuple[str, ...] = ()

    @property
    def customer_turns(self) -> tuple[Turn, ...]:
        """Earlier customer turns and the current message, oldest first."""
        earlier = tuple(t for t in self.history if t.sender == "customer")
        return (*earlier, self.message)


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a detector scored what it did: the messages and the phrase or feature."""

    message_ids: tuple[str, ...]
    matched: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Signal:
    kind: SignalKind
    score: float
    threshold: float
    evidence: tuple[Evidence, ...] = ()

    @property
    def strong(self) -> bool:
        """Strong enough to act under its threshold (a zero score never is)."""
        return self.score > 0 and self.score >= self.threshold

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "score": round(self.score, 4),
            "threshold": self.threshold,
            "strong": self.strong,
            "evidence": [
                {"message_ids": list(e.message_ids), "matched": e.matched, "detail": e.detail}
                for e in self.evidence
            ],
        }


def quiet(kind: SignalKind, threshold: float) -> Signal:
    """The signal of a detector that found nothing."""
    return Signal(kind, 0.0, threshold)
