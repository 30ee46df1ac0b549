"""Decision values of one message without scikit-learn's per-call overhead, and small.

``FeatureUnion.transform`` + ``decision_function`` cost ~1 ms per message, nearly all of it
input validation and joblib dispatch. :class:`FastScorer` recomputes the same TF-IDF
(sublinear tf, idf, l2 per block) and dense columns and multiplies by the linear model's
coefficients directly; ``tests/automations/nlu/test_local.py`` checks it matches the slow
path.

It is also what a trained classifier keeps to serve: the coefficients as feature-major float32
blocks (the float64 ``coef_`` of scikit-learn, twice the size, is dropped after training:
on BANKING77 that is ~100 MiB), the vectorizers' vocabularies and idf, and the dense steps
(which reload their model files from ``data/`` when unpickled).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer

from automations.nlu.embeddings import EmbeddingFeatures
from automations.nlu.encoder import TransformerFeatures

FloatArray = NDArray[np.float64]
Float32Array = NDArray[np.float32]
Dense = EmbeddingFeatures | TransformerFeatures


def _block(coef: Any, offset: int, size: int) -> Float32Array:
    """Feature-major float32 copy of some coefficient columns (row lookups by feature)."""
    return np.ascontiguousarray(coef[:, offset : offset + size].T, dtype=np.float32)


def _slim(step: TfidfVectorizer) -> TfidfVectorizer:
    """The vectorizer without what only training needs (the terms it dropped)."""
    if hasattr(step, "stop_words_"):
        del step.stop_words_
    return step


class FastScorer:
    """The serving half of a trained linear model over a ``FeatureUnion``."""

    def __init__(self, steps: Sequence[tuple[str, Any]], coef: Any, intercept: Any) -> None:
        self.binary = coef.shape[0] == 1
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.tfidf: list[tuple[TfidfVectorizer, FloatArray, Float32Array]] = []
        self.dense: list[tuple[Dense, Float32Array]] = []
        offset = 0
        for _name, step in steps:
            if isinstance(step, TfidfVectorizer):
                size = len(step.vocabulary_)
                idf = np.asarray(step.idf_, dtype=np.float64)
                self.tfidf.append((_slim(step), idf, _block(coef, offset, size)))
            else:
                size = step.transform(["x"]).shape[1]
                self.dense.append((step, _block(coef, offset, size)))
            offset += size
        self._analyzers: list[Any] | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_analyzers"] = None  # closures: rebuilt on first use
        return state

    def _analyzer_list(self) -> list[Any]:
        if self._analyzers is None:
            self._analyzers = [step.build_analyzer() for step, _idf, _block in self.tfidf]
        return self._analyzers

    def decide(self, text: str) -> tuple[FloatArray, int]:
        """Decision row (n_classes,) and the number of known words and character n-grams.

        The embeddings do not count: a message sharing not one n-gram with the training
        examples (another script, say) is out of scope whatever its vectors look like.
        """
        total = self.intercept.copy()
        nonzero = 0
        for step, block in self.dense:
            total += step.encode_one(text) @ block
        for analyzer, (step, idf, block) in zip(self._analyzer_list(), self.tfidf, strict=True):
            vocabulary = step.vocabulary_
            counts: dict[int, int] = {}
            for gram in analyzer(text):
                index = vocabulary.get(gram)
                if index is not None:
                    counts[index] = counts.get(index, 0) + 1
            if not counts:
                continue
            nonzero += len(counts)
            indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            values = (1.0 + np.log(tf)) * idf[indices]
            values /= np.sqrt(values @ values)
            total += values @ block[indices]
        if self.binary:
            return np.array([-total[0], total[0]]), nonzero
        return total, nonzero
