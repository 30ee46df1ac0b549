"""Detectors over the shape of the conversation: repetition, bursts, out of scope, loops.

They read the turns the brain passes in (oldest first) and never the text's meaning beyond
what the NLU already computed: intents, the out-of-scope verdict and, when present, the
sentence vectors. A condition met scores 1.0; half-way there scores up to 0.5, so the
policy's combinations can count a near miss as a weak signal.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from rapidfuzz import fuzz

from automations.escalation.signals import DetectorInput, Evidence, Signal, Turn, quiet
from automations.escalation.text import fold, words

ANSWERED = frozenset({"answer", "article", "fallback"})
NEAR_MISS = 0.5
MIN_WORDS = 3


def _partial(count: int, needed: int) -> float:
    return 1.0 if count >= needed else NEAR_MISS * count / needed


def _similarity(a: Turn, b: Turn) -> float:
    if a.embedding is not None and b.embedding is not None:
        va, vb = (
            np.asarray(a.embedding, dtype=np.float32),
            np.asarray(b.embedding, dtype=np.float32),
        )
        norms = float(np.linalg.norm(va) * np.linalg.norm(vb))
        return float(va @ vb) / norms if norms > 0 else 0.0
    fa, fb = fold(a.text), fold(b.text)
    if len(words(fa)) < MIN_WORDS or len(words(fb)) < MIN_WORDS:
        return 0.0
    return float(fuzz.token_set_ratio(fa, fb)) / 100.0


def detect_repetition(
    inp: DetectorInput, turns: int, similarity: float, threshold: float
) -> Signal:
    """The same question again after the bot answered it: same intent, or a paraphrase."""
    current = inp.message
    intent = current.nlu.intent if current.nlu is not None else None
    best = quiet("repetition", threshold)
    answered = False
    seen = 0
    for turn in reversed(inp.history):
        if turn.sender == "bot" and turn.bot_kind in ANSWERED:
            answered = True
            continue
        if turn.sender != "customer" or not turn.text:
            continue
        seen += 1
        if seen > turns:
            break
        if not answered:
            continue
        if intent is not None and turn.nlu is not None and turn.nlu.intent == intent:
            ev = Evidence((turn.id, current.id), intent, "same intent after an answer")
            return Signal("repetition", 0.9, threshold, (ev,))
        score = _similarity(turn, current)
        if score >= similarity and score > best.score:
            ev = Evidence((turn.id, current.id), f"similarity {score:.2f}", "paraphrase")
            best = Signal("repetition", score, threshold, (ev,))
    return best


def detect_burst(
    inp: DetectorInput, messages: int, within: timedelta, max_chars: int, threshold: float
) -> Signal:
    """K short customer messages in a row within T seconds (the current one included)."""
    start = inp.message.at - within
    burst: list[Turn] = []
    for turn in reversed((*inp.history, inp.message)):
        if turn.sender != "customer":
            break
        if turn.at < start or len(turn.text) > max_chars:
            break
        burst.append(turn)
    if len(burst) < 2:
        return quiet("burst", threshold)
    ids = tuple(t.id for t in reversed(burst))
    ev = Evidence(ids, f"{len(burst)} messages in {within.total_seconds():g}s")
    return Signal("burst", _partial(len(burst), messages), threshold, (ev,))


def detect_out_of_scope(inp: DetectorInput, times: int, threshold: float) -> Signal:
    """The NLU's calibrated rejection N customer turns in a row."""
    run: list[Turn] = []
    for turn in reversed(inp.customer_turns):
        if turn.button is not None:
            continue  # a button press is neither in nor out of scope
        if turn.nlu is None or not turn.nlu.out_of_scope:
            break
        run.append(turn)
    if not run:
        return quiet("out_of_scope", threshold)
    ev = Evidence(tuple(t.id for t in reversed(run)), f"{len(run)} out of scope in a row")
    return Signal("out_of_scope", _partial(len(run), times), threshold, (ev,))


def detect_loop(inp: DetectorInput, times: int, turns: int, threshold: float) -> Signal:
    """The bot sent the same answer, article or question again, or "no" to "did this help?"
    came back ``times`` times."""
    recent = (*inp.history, inp.message)[-turns:]
    sent: dict[str, list[str]] = {}
    noes: list[str] = []
    for turn in recent:
        if turn.sender == "bot" and turn.answer_id and turn.bot_kind != "feedback_prompt":
            sent.setdefault(f"{turn.bot_kind or 'other'}:{turn.answer_id}", []).append(turn.id)
        if turn.sender == "customer" and turn.feedback == "no":
            noes.append(turn.id)
    best = quiet("loop", threshold)
    for answer, ids in sent.items():
        if len(ids) >= 2:
            score = _partial(len(ids), times)
            if score > best.score:
                best = Signal(
                    "loop", score, threshold, (Evidence(tuple(ids), answer, "sent again"),)
                )
    if noes:
        score = _partial(len(noes), times)
        if score > best.score:
            ev = Evidence(tuple(noes), "no", '"no" to "did this help?"')
            best = Signal("loop", score, threshold, (ev,))
    return best
