"""Knowledge gaps: the customer questions the bot could not answer, clustered.

The texts are embedded with the NLU's own static sentence embeddings
(``automations.nlu.embeddings.StaticEmbeddings``, no second encoder; TF-IDF when the
vectors are not installed) and grouped by scikit-learn's agglomerative clustering on
cosine distance with a distance threshold, so the number of clusters follows the data.
Agglomerative clustering has no random start, which keeps the report deterministic.
Clusters come largest first, each with a few examples: candidate new intents.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: at most this many distinct questions are clustered (the most frequent first)
MAX_TEXTS = 2000
DISTANCE = 0.35


@dataclass(frozen=True, slots=True)
class Gap:
    size: int
    examples: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"size": self.size, "examples": list(self.examples)}


def _vectors(texts: Sequence[str]) -> Any:
    from automations.nlu.embeddings import StaticEmbeddings

    if StaticEmbeddings.available():
        matrix = np.asarray(StaticEmbeddings.load().encode(texts), dtype=np.float64)
        if matrix.shape[1] and np.any(matrix):
            return matrix
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit_transform(texts).toarray()


def knowledge_gaps(questions: Sequence[str], *, top: int = 10, examples: int = 3) -> list[Gap]:
    counts = Counter(q.strip() for q in questions if q.strip())
    if not counts:
        return []
    texts = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:MAX_TEXTS]
    if len(texts) == 1:
        return [Gap(counts[texts[0]], (texts[0],))]
    from sklearn.cluster import AgglomerativeClustering

    matrix = _vectors(texts)
    norms = np.linalg.norm(matrix, axis=1)
    matrix = matrix[:, :] / np.where(norms == 0, 1, norms)[:, None]
    labels = AgglomerativeClustering(
        n_clusters=None, distance_threshold=DISTANCE, metric="cosine", linkage="average"
    ).fit_predict(np.nan_to_num(matrix) + 1e-12)
    groups: dict[int, list[str]] = {}
    for text, label in zip(texts, labels, strict=True):
        groups.setdefault(int(label), []).append(text)
    gaps = [
        Gap(sum(counts[t] for t in members), tuple(members[:examples]))
        for members in groups.values()
    ]
    gaps.sort(key=lambda g: (-g.size, g.examples))
    return gaps[:top]


__all__ = ["Gap", "knowledge_gaps"]
