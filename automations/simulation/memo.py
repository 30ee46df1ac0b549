"""The NLU with its answers remembered, for replays.

A month of history says "Hello", "yes", "thanks" and the same twenty questions thousands
of times; the local NLU is a pure function of the text (and the conversation's language),
so a replay may classify each distinct text once. :class:`MemoNlu` is the same trained
engine (it shares every trained part) whose ``classify`` and ``detect_language`` are
memoised; results are frozen values, safe to share between conversations. The live hub
does not use it: its texts rarely repeat within a process's memory budget.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from automations.conversation import Brain
from automations.nlu import NluEngine, NluResult

#: distinct (text, language) pairs remembered; beyond that the least recent are dropped
MAX_TEXTS = 100_000


class MemoNlu(NluEngine):
    """``inner`` with memoised classification (no retraining: its state is shared)."""

    def __init__(self, inner: NluEngine) -> None:  # no super().__init__: nothing to build
        self.__dict__.update(inner.__dict__)
        self._classify = lru_cache(maxsize=MAX_TEXTS)(inner.classify)
        self._detect = lru_cache(maxsize=MAX_TEXTS)(inner.detect_language)

    def classify(self, text: str, language: str | None = None) -> NluResult:
        return self._classify(text, language)

    def detect_language(self, text: str) -> str | None:
        return self._detect(text)


def remembering(brain: Brain) -> Brain:
    """``brain`` with a memoised local NLU (a remote provider's config is left as is)."""
    if brain.nlu is None or brain.remote_nlu or isinstance(brain.nlu, MemoNlu):
        return brain
    return replace(brain, nlu=MemoNlu(brain.nlu))


__all__ = ["MAX_TEXTS", "MemoNlu", "remembering"]
