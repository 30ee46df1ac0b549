"""Knowledge-article retrieval with BM25 over passages, for messages no intent matches.

BM25 rather than embeddings: it needs no model (no multilingual sentence encoder ships inside
a PyPI package), handles French and English alike, answers in well under a millisecond for a
help centre's worth of passages, and its scores are explainable (the words that matched).

The acceptance threshold is calibrated per configuration, like the intents': it rejects 95 % of
messages known *not* to be about an article (the operator's out-of-scope examples and the
intents' own examples, which other answers cover), but never so high that fewer than 80 % of
the passages' own headings would find their passage.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from automations.nlu.result import KnowledgeHit
from automations.nlu.text import normalize

_WORD = re.compile(r"\w+", re.UNICODE)
_STOP_WORDS = (
    "a an and are as at be but by can do does for from has have how i if in is it its me my "
    "of on or our so that the their there this to was we what when where which who why will "
    "with you your au aux avec ce ces comment dans de des du elle en est et il je la le les "
    "leur mais me mon ne nous on ou par pas pour qu que qui sa se ses son sur ta te tu un une "
    "vos votre vous"
)
_STOP = frozenset(_STOP_WORDS.split(" "))
MAX_PASSAGE_CHARS = 600


@dataclass(frozen=True, slots=True)
class Passage:
    title: str
    url: str
    language: str
    text: str


@dataclass(frozen=True, slots=True)
class ArticleText:
    """What retrieval needs of an article; ``config.knowledge.KnowledgeArticle`` fits it."""

    title: str
    url: str
    language: str
    body: str


def tokens(text: str) -> list[str]:
    """Content words, with a crude plural strip so "invoices" finds "invoice"."""
    words = [w for w in _WORD.findall(normalize(text)) if w not in _STOP and len(w) > 1]
    return [w[:-1] if len(w) > 4 and w.endswith("s") else w for w in words]


def split_passages(title: str, url: str, language: str, body: str) -> list[Passage]:
    """Paragraphs grouped under their heading, each at most ~MAX_PASSAGE_CHARS."""
    passages: list[Passage] = []
    heading = title
    buffer: list[str] = []

    def flush() -> None:
        text = " ".join(buffer).strip()
        if text:
            passages.append(Passage(title, url, language, f"{heading}: {text}"))
        buffer.clear()

    for block in re.split(r"\n\s*\n", body):
        block = block.strip()
        if not block:
            continue
        if block.startswith("#"):
            flush()
            first, _, rest = block.partition("\n")
            heading = first.lstrip("#").strip() or title
            block = rest.strip()
            if not block:
                continue
        if buffer and sum(len(b) for b in buffer) + len(block) > MAX_PASSAGE_CHARS:
            flush()
        buffer.append(" ".join(block.split()))
    flush()
    return passages


class KnowledgeIndex:
    """BM25 (k1=1.2, b=0.75) over the passages of every article."""

    def __init__(
        self,
        articles: Sequence[ArticleText],
        negatives: Sequence[str] = (),
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        self.passages: list[Passage] = []
        for article in articles:
            self.passages += split_passages(
                article.title, article.url, article.language, article.body
            )
        self.k1, self.b = k1, b
        self._docs = [Counter(tokens(p.text)) for p in self.passages]
        lengths = [sum(d.values()) for d in self._docs]
        self._lengths = np.array(lengths, dtype=np.float64)
        self._avg = float(self._lengths.mean()) if lengths else 1.0
        df: Counter[str] = Counter()
        for doc in self._docs:
            df.update(doc.keys())
        n = len(self._docs)
        self._idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in df.items()}
        self.threshold = self._calibrate(negatives)

    def _scores(self, query: str) -> np.ndarray:
        scores = np.zeros(len(self._docs))
        for word in set(tokens(query)):
            idf = self._idf.get(word)
            if idf is None:
                continue
            for i, doc in enumerate(self._docs):
                tf = doc.get(word, 0)
                if tf:
                    norm = self.k1 * (1 - self.b + self.b * self._lengths[i] / self._avg)
                    scores[i] += idf * tf * (self.k1 + 1) / (tf + norm)
        return scores

    def _calibrate(self, negatives: Sequence[str]) -> float:
        if not self.passages:
            return math.inf
        positives = [
            float(self._scores(p.text.split(":", 1)[0] + " " + p.text[:120]).max())
            for p in self.passages
        ]
        ceiling = float(np.quantile(positives, 0.2))
        negative = [float(self._scores(q).max()) for q in negatives if q.strip()]
        if not negative:
            return ceiling
        return min(float(np.quantile(negative, 0.95)) + 1e-9, ceiling)

    def search(self, text: str, language: str | None = None) -> KnowledgeHit | None:
        """The best passage if its score passes the calibrated threshold, else None."""
        if not self.passages:
            return None
        scores = self._scores(text)
        if language is not None and any(p.language == language for p in self.passages):
            mask = np.array([p.language == language for p in self.passages])
            scores = np.where(mask, scores, 0.0)
        best = int(np.argmax(scores))
        score = float(scores[best])
        if score <= 0 or score < self.threshold:
            return None
        passage = self.passages[best]
        return KnowledgeHit(
            title=passage.title,
            url=passage.url,
            passage=passage.text,
            score=round(score, 4),
            threshold=round(self.threshold, 4),
        )
