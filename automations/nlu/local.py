"""The embedded intent classifier: TF-IDF n-grams, sentence embeddings and a linear SVM.

Chosen by measurement (``python -m tests.bench.nlu``): word and character TF-IDF (exact
wording, any language), static MiniLM word-piece vectors and the MiniLM transformer's sentence
vector (meaning; ``encoder.py``, up to ``transformer_up_to`` examples) side by side in one
linear SVM. On this 2-core machine it trains on 10,000 examples in seconds and answers in a few
milliseconds with no network and no torch; without the model files it falls back to the
features it has.

Its decision values become confidences by a softmax whose temperature is fitted on held-out
examples, and the out-of-scope threshold is calibrated per configuration on held-out
data: on the operator's out-of-scope examples when there are some, otherwise on held-out
in-scope examples (accept a target share of the ones classified right). There is no global
constant threshold.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from automations.nlu.background import BACKGROUND
from automations.nlu.calibration import (
    Calibration,
    curve,
    fit_temperature,
    softmax,
)
from automations.nlu.embeddings import EmbeddingFeatures, StaticEmbeddings
from automations.nlu.encoder import SentenceEncoder, TransformerFeatures
from automations.nlu.errors import TrainingError
from automations.nlu.fast import FastScorer
from automations.nlu.result import Candidate, NluResult, out_of_scope
from automations.nlu.text import has_letters, normalize

OOS_LABEL = "__out_of_scope__"
"""Internal class for the operator's out-of-scope examples; never reported as an intent."""

Progress = Callable[[str, float], None]
"""Called with a step name and the share done (0..1); used for the CLI's progress bar."""

FloatArray = NDArray[np.float64]
Float32Array = NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str


@dataclass(frozen=True, slots=True)
class Scores:
    """What the rejection decides on for one message (see ``calibration.py``)."""

    score: float
    """The best in-scope confidence."""
    gap: float
    """The out-of-scope class's lead over the best intent (-inf without that class)."""
    intent: str
    """The best intent, before any rejection."""


@dataclass(frozen=True, slots=True)
class ClassifierOptions:
    """Knobs of the local classifier; part of the cache key. Defaults are the measured best."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    c: float = 0.5
    in_scope_retention: float = 0.95
    """Share of held-out in-scope questions the calibrated rejection must still answer
    (``nlu.in_scope_retention``); see ``calibration.py``."""
    oos_as_class: bool = True
    """Train the operator's out-of-scope examples as a class of their own (besides using them
    to calibrate the threshold)."""
    background: bool = True
    """Without operator out-of-scope examples, train :data:`BACKGROUND` (generic off-topic
    messages) as the out-of-scope class; the threshold still comes from held-out in-scope."""
    holdout_fraction: float = 0.2
    max_folds: int = 5
    small_data: int = 3000
    """Up to this many examples, calibration uses k-fold held-out scores; above, one split."""
    top_k: int = 3
    seed: int = 0
    embedding_weight: float = 2.0
    """Weight of the static MiniLM embedding columns; 0 disables them. They are skipped when
    the vector file is not installed."""
    transformer_weight: float = 3.0
    """Weight of the MiniLM transformer's sentence-vector columns; 0 disables them. Skipped
    when onnxruntime or the model file is not installed."""
    transformer_up_to: int | None = 5000
    """The transformer's features are used up to this many training examples (out-of-scope
    ones included; None: at any size). Above, training in line would break the 30 s cold
    start: on BANKING77's 10,003 examples they add 1.1 points but the cold start goes from
    30 s to 42 s on this 2-core machine (the SVM's time grows with the dense columns). The
    engine serves such configurations with the fast model at once and trains the full one
    (``full_options``) in the background (``swap.py``). Few-shot sets gain the most."""
    refit: bool = True
    """After calibrating on a held-out split (large sets), train again on every example.
    The fast model that serves while the full one trains skips it (``fast_options``): the
    split's model (80 % of the examples) serves, and the cold start pays one fit, not two."""
    transformer_pooling: str = "mean"
    """"mean" (384 columns) or "mean+max" (768: ~0.2 point more on BANKING77, but twice the
    training time and memory of the SVM)."""


def full_options(options: ClassifierOptions) -> ClassifierOptions:
    """The same options with the sentence encoder at any size (the background model)."""
    return dataclasses.replace(options, transformer_up_to=None)


def fast_options(options: ClassifierOptions) -> ClassifierOptions:
    """The same options without the sentence encoder and without the refit (the model that
    serves at once while the full one trains)."""
    return dataclasses.replace(options, transformer_weight=0.0, refit=False)


def needs_background(count: int, options: ClassifierOptions) -> bool:
    """Whether ``count`` training examples are past the encoder's in-line limit."""
    limit = options.transformer_up_to
    return _uses_encoder(options) and limit is not None and count > limit


def _uses_encoder(options: ClassifierOptions) -> bool:
    return options.transformer_weight > 0 and SentenceEncoder.available()


def _features(options: ClassifierOptions) -> FeatureUnion:
    token = r"(?u)\b\w+\b"
    steps: list[tuple[str, Any]] = []
    if _uses_encoder(options):
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
class _Fitted:
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


def _fit(texts: Sequence[str], labels: Sequence[str], options: ClassifierOptions) -> _Fitted:
    features = _features(options)
    matrix = features.fit_transform(texts)
    names = tuple(sorted(set(labels)))
    if len(names) == 1:
        return _Fitted(features, None, names, matrix)
    model = LinearSVC(C=options.c, random_state=options.seed)
    model.fit(matrix, labels)
    return _Fitted(features, model, tuple(str(c) for c in model.classes_))


def _fold_ids(labels: Sequence[str], options: ClassifierOptions) -> tuple[list[int], int]:
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


def _row_scores(
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


class LocalClassifier:
    """A trained classifier; thread-safe for reading, picklable for the cache.

    It keeps only what serving needs: the :class:`FastScorer` (float32 coefficients,
    vocabularies), not scikit-learn's model and its float64 copy of them.
    """

    provider = "local"

    def __init__(
        self,
        fitted: _Fitted,
        temperature: float,
        threshold: float,
        calibration: Calibration,
        options: ClassifierOptions,
        intents: tuple[str, ...],
    ) -> None:
        self.labels = fitted.labels
        self.temperature = temperature
        self.threshold = threshold
        self.calibration = calibration
        self.options = options
        self.intents = intents
        self._scorer: FastScorer | None = None
        self._single: _Fitted | None = None
        if fitted.model is None:
            self._single = fitted  # one intent: cosine to its examples, no linear model
        else:
            self._scorer = FastScorer(
                fitted.features.transformer_list, fitted.model.coef_, fitted.model.intercept_
            )

    @property
    def uses_encoder(self) -> bool:
        """Whether this model reads the sentence encoder's vectors (the "full" model)."""
        if self._scorer is not None:
            return any(isinstance(step, TransformerFeatures) for step, _ in self._scorer.dense)
        assert self._single is not None
        return any(
            isinstance(step, TransformerFeatures)
            for _, step in self._single.features.transformer_list
        )

    def warm_up(self) -> None:
        """Build the fast path and load the embeddings now, not on the first customer."""
        self.classify("warm up")

    def _decide(self, clean: str) -> tuple[FloatArray, int]:
        """Decision values (one row) of a normalised text and its non-zero feature count."""
        if self._single is not None:
            matrix = self._single.features.transform([clean])
            return self._single.decide(matrix)[0], int(matrix.nnz)
        assert self._scorer is not None
        return self._scorer.decide(clean)

    # --- training -----------------------------------------------------------------------

    @classmethod
    def train(
        cls,
        examples: Sequence[Example],
        out_of_scope_examples: Sequence[str] = (),
        *,
        calibration_examples: Sequence[Example] = (),
        calibration_out_of_scope: Sequence[str] = (),
        options: ClassifierOptions | None = None,
        progress: Progress | None = None,
        vector_dir: Path | None = None,
    ) -> LocalClassifier:
        """Train from examples and calibrate confidences and the out-of-scope threshold.

        ``calibration_*`` (e.g. a validation CSV) replace the internal held-out split.
        ``vector_dir`` keeps the sentence vectors of the examples on disk (``vector_store``).
        """
        options = options or ClassifierOptions()
        if needs_background(len(examples) + len(out_of_scope_examples), options):
            options = fast_options(options)
        # the folds and the final model encode the same texts: run the transformer once each
        remembering = (
            SentenceEncoder.load().remembering(vector_dir)
            if _uses_encoder(options)
            else contextlib.nullcontext()
        )
        with remembering:
            return cls._train(
                examples,
                out_of_scope_examples,
                calibration_examples,
                calibration_out_of_scope,
                options,
                progress,
            )

    @classmethod
    def _train(
        cls,
        examples: Sequence[Example],
        out_of_scope_examples: Sequence[str],
        calibration_examples: Sequence[Example],
        calibration_out_of_scope: Sequence[str],
        options: ClassifierOptions,
        progress: Progress | None,
    ) -> LocalClassifier:
        report = progress or (lambda _step, _share: None)
        texts = [normalize(e.text) for e in examples]
        pairs = [(t, e.intent) for t, e in zip(texts, examples, strict=True) if t]
        if not pairs:
            raise TrainingError("no training example has any text")
        intents = tuple(sorted({label for _, label in pairs}))
        oos = [normalize(t) for t in out_of_scope_examples]
        oos = [t for t in oos if t]
        use_oos_class = options.oos_as_class and bool(oos)
        background = [] if oos or not options.background else [normalize(t) for t in BACKGROUND]
        negatives = oos if use_oos_class else background
        all_texts = [t for t, _ in pairs] + negatives
        all_labels = [label for _, label in pairs] + [OOS_LABEL] * len(negatives)

        report("calibrating", 0.0)
        if calibration_examples or calibration_out_of_scope:
            fitted = _fit(all_texts, all_labels, options)
            cal_in = [(normalize(e.text), e.intent) for e in calibration_examples]
            cal_in = [(t, label) for t, label in cal_in if t]
            cal_oos = [t for t in (normalize(x) for x in calibration_out_of_scope) if t]
            in_dec = fitted.decision([t for t, _ in cal_in]) if cal_in else None
            oos_dec = fitted.decision(cal_oos) if cal_oos else None
            in_gold = [label for _, label in cal_in]
            report("calibrating", 0.5)
            final = fitted
        else:
            in_dec, oos_dec, in_gold, split_model = cls._heldout(
                pairs, oos if use_oos_class else [], oos, background, options, report
            )
            report("training", 0.8)
            if options.refit or split_model is None:
                final = _fit(all_texts, all_labels, options)
            else:
                final = split_model
        calibration = cls._calibrate(final, in_dec, oos_dec, in_gold, options, bool(oos))
        report("done", 1.0)
        model = cls(
            final, calibration.temperature, calibration.threshold, calibration, options, intents
        )
        del final  # scikit-learn's model and its float64 coefficients: not kept
        return model

    @staticmethod
    def _calibrate(
        final: _Fitted,
        in_dec: FloatArray | None,
        oos_dec: FloatArray | None,
        in_gold: Sequence[str],
        options: ClassifierOptions,
        has_oos: bool,
    ) -> Calibration:
        """Temperature, then the operating point of ``options.in_scope_retention``."""
        retention = options.in_scope_retention
        if in_dec is None or not len(in_gold):
            return Calibration(
                temperature=1.0,
                threshold=0.0,
                source="none (no held-out examples)",
                heldout_in_scope=0,
                heldout_out_of_scope=0 if oos_dec is None else len(oos_dec),
                expected_in_scope_accuracy=math.nan,
                expected_oos_recall=None,
                retention=retention,
            )
        labels = final.labels
        single = final.model is None
        columns = {name: i for i, name in enumerate(labels)}
        known = [i for i, g in enumerate(in_gold) if g in columns]
        gold_idx = np.array([columns[in_gold[i]] for i in known], dtype=np.int64)
        temperature = 1.0 if single else fit_temperature(in_dec[known], gold_idx)
        in_scores, in_gaps, in_pred = _row_scores(labels, single, in_dec, temperature)
        in_correct = np.array(
            [in_pred[i] == columns.get(g, -1) for i, g in enumerate(in_gold)], dtype=bool
        )
        if oos_dec is not None and len(oos_dec):
            oos_scores, oos_gaps, _ = _row_scores(labels, single, oos_dec, temperature)
        else:
            oos_scores = oos_gaps = np.zeros(0)
        points = curve(retention, in_scores, in_gaps, in_correct, oos_scores, oos_gaps)
        chosen = next(p for p in points if p.retention == retention)
        if len(oos_scores):
            source = "out-of-scope examples"
        elif has_oos:
            source = "held-out in-scope examples (out-of-scope examples not held out)"
        else:
            source = "held-out in-scope examples"
        return Calibration(
            temperature=temperature,
            threshold=chosen.threshold,
            source=source,
            heldout_in_scope=len(in_gold),
            heldout_out_of_scope=len(oos_scores),
            expected_in_scope_accuracy=chosen.expected_in_scope_accuracy,
            expected_oos_recall=chosen.expected_oos_recall,
            retention=retention,
            oos_margin=chosen.oos_margin,
            curve=points,
        )

    @staticmethod
    def _heldout(
        pairs: Sequence[tuple[str, str]],
        oos_train: Sequence[str],
        oos_all: Sequence[str],
        background: Sequence[str],
        options: ClassifierOptions,
        report: Progress,
    ) -> tuple[FloatArray | None, FloatArray | None, list[str], _Fitted | None]:
        """Decision values of every held-out example, from models that did not see it, and
        the one split's model when there is a single split (it may serve: ``refit``)."""
        texts = [t for t, _ in pairs] + list(oos_train)
        labels = [label for _, label in pairs] + [OOS_LABEL] * len(oos_train)
        folds, k = _fold_ids(labels, options)
        # the background is trained in every fold and never scored: it is not this
        # configuration's data, so it must not shape the threshold
        texts += background
        labels += [OOS_LABEL] * len(background)
        folds += [-1] * len(background)
        # out-of-scope examples not trained as a class are all held out, in every fold
        extra_oos = [] if oos_train else list(oos_all)
        label_names = tuple(sorted(set(labels)))
        width = len(label_names) if len(label_names) > 1 else 1
        in_rows: list[tuple[int, FloatArray]] = []
        oos_rows: list[FloatArray] = []
        split_model: _Fitted | None = None
        for fold in range(k):
            train_idx = [i for i, f in enumerate(folds) if f != fold]
            test_idx = [i for i, f in enumerate(folds) if f == fold]
            if not test_idx and not extra_oos:
                continue
            train_labels = [labels[i] for i in train_idx]
            fitted = _fit([texts[i] for i in train_idx], train_labels, options)
            if fitted.labels != label_names:
                # a class vanished from this fold's training set: widen to the full label set
                fitted = _Widened.wrap(fitted, label_names)
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

    # --- classification -----------------------------------------------------------------

    def probabilities(self, text: str) -> dict[str, float]:
        """Calibrated confidence of every intent (the out-of-scope class left out)."""
        clean = normalize(text)
        if not clean or not has_letters(clean):
            return {}
        decision, _ = self._decide(clean)
        if self._single is not None:
            return {self.labels[0]: float(decision[0])}
        probs = softmax(decision, self.temperature)
        return {name: float(probs[i]) for i, name in enumerate(self.labels) if name != OOS_LABEL}

    def classify(self, text: str, language: str | None = None) -> NluResult:
        """Top intents with confidences; out-of-scope below the calibrated threshold or when
        the out-of-scope class leads by more than the calibrated margin."""
        return self.classify_scored(text, language)[0]

    def classify_scored(
        self, text: str, language: str | None = None
    ) -> tuple[NluResult, Scores | None]:
        """:meth:`classify` and the scores the operating point decided on (None when the
        text has nothing to read), so an evaluation can replay other operating points."""
        clean = normalize(text)
        if not clean or not has_letters(clean):
            return out_of_scope("local", language, self.threshold), None
        decision, nonzero = self._decide(clean)
        if nonzero == 0:  # not one known word or character n-gram
            return out_of_scope("local", language, self.threshold), None
        labels = self.labels
        score, gap, best = _row_scores(
            labels, self._single is not None, decision[None, :], self.temperature
        )
        scores = Scores(float(score[0]), float(gap[0]), labels[int(best[0])])
        if self._single is not None:
            probs = {labels[0]: float(decision[0])}
        else:
            row = softmax(decision, self.temperature)
            probs = {name: float(row[i]) for i, name in enumerate(labels) if name != OOS_LABEL}
        ranked = sorted(probs.items(), key=lambda kv: kv[1], reverse=True)[: self.options.top_k]
        candidates = tuple(Candidate(name, round(p, 6)) for name, p in ranked)
        rejected = self.calibration.point().rejects(scores.score, scores.gap)
        result = NluResult(
            intent=None if rejected else candidates[0].intent,
            confidence=candidates[0].confidence,
            runner_up=candidates[1] if len(candidates) > 1 else None,
            provider="local",
            language=language,
            out_of_scope=rejected,
            candidates=candidates,
            threshold=self.threshold,
        )
        return result, scores

    def describe(self) -> dict[str, Any]:
        """What ``hub check`` and the logs show about the trained model."""
        return {
            "intents": len(self.intents),
            "temperature": self.temperature,
            "threshold": self.threshold,
            "in_scope_retention": self.calibration.retention,
            "calibrated_on": self.calibration.source,
            "heldout_in_scope": self.calibration.heldout_in_scope,
            "heldout_out_of_scope": self.calibration.heldout_out_of_scope,
            "encoder": self.uses_encoder,
        }


@dataclass
class _Widened(_Fitted):
    """A fold model missing some classes, padded so its columns match the full label set."""

    full: tuple[str, ...] = field(default=())
    inner: _Fitted | None = None

    @classmethod
    def wrap(cls, fitted: _Fitted, full: tuple[str, ...]) -> _Widened:
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
