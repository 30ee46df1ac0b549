"""Frustration as a trend over the last customer turns, not one word.

Each turn gets a mood score from what can be seen in it: strong and mild cues of its
language (``lexicon_mood.py``), shouting (most letters upper case) and repeated "!!" / "??".
The signal is the recency-weighted mean over the last ``turns`` customer turns (weights
1, 2, 3... up to the current one), so a single "again" after calm turns stays weak while
three irritated messages in a row add up. With no earlier turns the trend is the message's
own score, which is what a single-message evaluation measures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from automations.escalation.settings import LanguagePack
from automations.escalation.signals import DetectorInput, Evidence, Signal, Turn, quiet
from automations.escalation.text import letters_upper_ratio

STRONG_WEIGHT = 0.6
MILD_WEIGHT = 0.15
SHOUT_WEIGHT = 0.35
PUNCT_WEIGHT = 0.15
LONG_PUNCT_WEIGHT = 0.25
SHOUT_MIN_LETTERS = 8
SHOUT_RATIO = 0.7
_REPEATED = re.compile(r"[!?！？]{2,}")
_LONG = re.compile(r"[!?！？]{3,}")


@dataclass(frozen=True, slots=True)
class Mood:
    score: float
    cues: tuple[str, ...]


def mood(text: str, packs: tuple[LanguagePack, ...]) -> Mood:
    """The frustration score of one message in [0, 1] and the cues that made it."""
    cues: list[str] = []
    score = 0.0
    for pack in packs:
        hay = pack.strong.haystack(text)
        strong = [p for p in pack.strong.count(hay) if p not in cues]
        mild = [p for p in pack.mild.count(hay) if p not in cues]
        score += STRONG_WEIGHT * len(strong) + MILD_WEIGHT * len(mild)
        cues += strong + mild
    letters, upper = letters_upper_ratio(text)
    if letters >= SHOUT_MIN_LETTERS and upper >= SHOUT_RATIO:
        score += SHOUT_WEIGHT
        cues.append("shouting")
    head = text[:600]
    if _LONG.search(head):
        score += LONG_PUNCT_WEIGHT
        cues.append("repeated punctuation")
    elif _REPEATED.search(head):
        score += PUNCT_WEIGHT
        cues.append("repeated punctuation")
    return Mood(min(1.0, score), tuple(cues))


def detect_frustration(
    inp: DetectorInput, packs: tuple[LanguagePack, ...], turns: int, threshold: float
) -> Signal:
    recent: tuple[Turn, ...] = inp.customer_turns[-turns:]
    moods = [mood(t.text, packs) for t in recent]
    weights = range(1, len(moods) + 1)
    total = sum(w * m.score for w, m in zip(weights, moods, strict=True))
    score = total / sum(weights)
    if score <= 0:
        return quiet("frustration", threshold)
    evidence = tuple(
        Evidence((t.id,), ", ".join(m.cues), f"turn score {m.score:.2f}")
        for t, m in zip(recent, moods, strict=True)
        if m.score > 0
    )
    return Signal("frustration", min(1.0, score), threshold, evidence)
