"""Fitting the linear model, and the held-out decisions calibration is made from.

Training-time only: the vectorizers, scikit-learn's LinearSVC and its float64 coefficients
live here until ``LocalClassifier`` keeps the serving half (``fast.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from automations.nlu.calibration import softmax
from automations.nlu.embeddings import EmbeddingFeatures, StaticEmbeddings
from automations.nlu.encoder import TransformerFeatures
from automations.nlu.options import OOS_LABEL, ClassifierOptions, Progress, uses_encoder

FloatArray = NDArray[np.float64]


def features(options: ClassifierOptions) -> FeatureUnion:
    token = r"(?u)\b\w+\b"
    steps: list[tuple[str, Any]] = []
    if uses_encoder(options):
        step = TransformerFeatures(options.transformer_weight, options.transformer_pooling)
        steps.append(("transformer", step))
    if options.embedding_weight > 0 and StaticEmbeddings.available():
        steps.append(("embedding", EmbeddingFeatures(options.embedding_weight)))
    return FeatureUnion(
        [
            *steps,
            (
                "word",
                TfidfVectorizer(
                    ngram_range=options.word_ngrams, sublinear_tf=True, token_pattern=token
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=options.char_ngrams, sublinear_tf=True
                ),
            ),
        ]
    )


@dataclass
class Fitted:
    """A vectorizer and a linear model trained on one set of examples."""

    features: FeatureUnion
    model: LinearSVC | None
    labels: tuple[str, ...]
    centroid: Any = None  # single-class case: the examples' matrix (cosine to the nearest)

    def decision(self, texts: Sequence[str]) -> FloatArray:
        return self.decide(self.features.transform(texts))

    def decide(self, matrix: Any) -> FloatArray:
        """Decision values of an already vectorised batch."""
        if self.model is None:
            sims = (matrix @ self.centroid.T).toarray().max(axis=1)
            return np.asarray(sims, dtype=np.float64).reshape(-1, 1)
        values = np.asarray(self.model.decision_function(matrix), dtype=np.float64)
        if values.ndim == 1:  # binary: sklearn returns one column for the second class
            values = np.stack([-values, values], axis=1)
        return values


def fit(texts: Sequence[str], labels: Sequence[str], options: ClassifierOptions) -> Fitted:
    union = features(options)
    matrix = union.fit_transform(texts)
    names = tuple(sorted(set(labels)))
    if len(names) == 1:
        return Fitted(union, None, names, matrix)
    model = LinearSVC(C=options.c, random_state=options.seed)
    model.fit(matrix, labels)
    return Fitted(union, model, tuple(str(c) for c in model.classes_))


def fold_ids(labels: Sequence[str], options: ClassifierOptions) -> tuple[list[int], int]:
    """Assign each example a fold (-1: always trained on) and return the number of folds.

    Stratified by hand so intents with one example stay in training and the split is stable.
    """
    rng = np.random.default_rng(options.seed)
    by_label: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        by_label.setdefault(label, []).append(index)
    folds = [-1] * len(labels)
    if len(labels) <= options.small_data:
        k = options.max_folds
        for members in by_label.values():
            if len(members) < 2:
                continue
            order = rng.permutation(len(members))
            for rank, pos in enumerate(order):
                folds[members[pos]] = rank % k
        return folds, k
    for members in by_label.values():
        if len(members) < 2:
            continue
        count = max(1, round(len(members) * options.holdout_fraction))
        for pos in rng.permutation(len(members))[:count]:
            folds[members[pos]] = 0
    return folds, 1


def row_scores(
    labels: tuple[str, ...], single: bool, decision: FloatArray, temperature: float
) -> tuple[FloatArray, FloatArray, NDArray[np.int64]]:
    """Per row: the best in-scope confidence, the out-of-scope class's lead over the best
    intent (-inf without that class) and the best intent's column."""
    rows = len(decision)
    if single:
        return (
            decision[:, 0].astype(np.float64),
            np.full(rows, -math.inf),
            np.zeros(rows, dtype=np.int64),
        )
    probs = softmax(decision, temperature)
    if OOS_LABEL not in labels:
        best = np.argmax(probs, axis=1)
        return probs[np.arange(rows), best], np.full(rows, -math.inf), best.astype(np.int64)
    oos = labels.index(OOS_LABEL)
    masked = probs.copy()
    masked[:, oos] = -1.0
    best = np.argmax(masked, axis=1)
    gaps = decision[:, oos] - decision[np.arange(rows), best]
    return masked[np.arange(rows), best], gaps.astype(np.float64), best.astype(np.int64)


def heldout(
    pairs: Sequence[tuple[str, str]],
    oos_train: Sequence[str],
    oos_all: Sequence[str],
    always: Sequence[tuple[str, str]],
    options: ClassifierOptions,
    report: Progress,
) -> tuple[FloatArray | None, FloatArray | None, list[str], Fitted | None]:
    """Decision values of every held-out example, from models that did not see it, and
    the one split's model when there is a single split (it may serve: ``refit``)."""
    texts = [t for t, _ in pairs] + list(oos_train)
    labels = [label for _, label in pairs] + [OOS_LABEL] * len(oos_train)
    folds, k = fold_ids(labels, options)
    # ``always`` (the background, the intents' names) is trained in every fold and never
    # scored: it is not the operator's examples, so it must not shape the threshold
    texts += [t for t, _ in always]
    labels += [label for _, label in always]
    folds += [-1] * len(always)
    # out-of-scope examples not trained as a class are all held out, in every fold
    extra_oos = [] if oos_train else list(oos_all)
    label_names = tuple(sorted(set(labels)))
    width = len(label_names) if len(label_names) > 1 else 1
    in_rows: list[tuple[int, FloatArray]] = []
    oos_rows: list[FloatArray] = []
    split_model: Fitted | None = None
    for fold in range(k):
        train_idx = [i for i, f in enumerate(folds) if f != fold]
        test_idx = [i for i, f in enumerate(folds) if f == fold]
        if not test_idx and not extra_oos:
            continue
        train_labels = [labels[i] for i in train_idx]
        fitted = fit([texts[i] for i in train_idx], train_labels, options)
        if fitted.labels != label_names:
            # a class vanished from this fold's training set: widen to the full label set
            fitted = Widened.wrap(fitted, label_names)
        elif k == 1:
            split_model = fitted
        if test_idx:
            dec = fitted.decision([texts[i] for i in test_idx])
            for row, i in zip(dec, test_idx, strict=True):
                if labels[i] == OOS_LABEL:
                    oos_rows.append(row)
                else:
                    in_rows.append((i, row))
        if extra_oos and fold == 0:
            oos_rows.extend(fitted.decision(extra_oos))
        report("calibrating", 0.8 * (fold + 1) / k)
    if not in_rows:
        return None, (np.array(oos_rows) if oos_rows else None), [], split_model
    in_rows.sort(key=lambda item: item[0])
    in_dec = np.array([row for _, row in in_rows]).reshape(-1, width)
    gold = [labels[i] for i, _ in in_rows]
    oos_dec = np.array(oos_rows).reshape(-1, width) if oos_rows else None
    return in_dec, oos_dec, gold, split_model


@dataclass
class Widened(Fitted):
    """A fold model missing some classes, padded so its columns match the full label set."""

    full: tuple[str, ...] = field(default=())
    inner: Fitted | None = None

    @classmethod
    def wrap(cls, fitted: Fitted, full: tuple[str, ...]) -> Widened:
        return cls(fitted.features, fitted.model, full, fitted.centroid, full, fitted)

    def decision(self, texts: Sequence[str]) -> FloatArray:
        assert self.inner is not None
        inner = self.inner.decision(texts)
        out = np.full((len(texts), len(self.full)), -10.0)
        for j, name in enumerate(self.inner.labels):
            if self.inner.model is None:
                out[:, self.full.index(name)] = inner[:, 0]
            else:
                out[:, self.full.index(name)] = inner[:, j]
        return out
