"""The embedded intent classifier: TF-IDF n-grams, sentence embeddings and a linear SVM.

Chosen by measurement (``python -m tests.bench.nlu``): word and character TF-IDF (exact
wording, any language), static MiniLM word-piece vectors and the MiniLM transformer's sentence
vector (meaning; ``encoder.py``) side by side in one linear SVM, each intent's name trained
as one more example. Past ``transformer_up_to`` examples the engine serves the fast model
(no transformer) while the full one trains in the background (``swap.py``). No network, no
torch; without the model files it falls back to the features it has.

Its decision values become confidences by a softmax whose temperature is fitted on held-out
examples; the rejection (threshold, and the out-of-scope class's margin) keeps the operator's
``in_scope_retention`` of the held-out questions answered right and rejects as much
out-of-scope as that allows (``calibration.py``). There is no global constant threshold.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from automations.nlu.background import BACKGROUND
from automations.nlu.calibration import Calibration, curve, fit_temperature, softmax
from automations.nlu.encoder import SentenceEncoder, TransformerFeatures
from automations.nlu.errors import TrainingError
from automations.nlu.fast import FastScorer
from automations.nlu.fitting import Fitted, FloatArray, fit, heldout, row_scores
from automations.nlu.options import (
    OOS_LABEL,
    ClassifierOptions,
    Example,
    Progress,
    Scores,
    fast_options,
    full_options,
    needs_background,
    uses_encoder,
)
from automations.nlu.result import Candidate, NluResult, out_of_scope
from automations.nlu.text import has_letters, normalize

__all__ = [
    "OOS_LABEL",
    "ClassifierOptions",
    "Example",
    "LocalClassifier",
    "Progress",
    "Scores",
    "fast_options",
    "full_options",
    "needs_background",
]


def _name_examples(intents: Sequence[str], known: set[str]) -> list[tuple[str, str]]:
    """Each intent's name in words ("card_arrival" -> "card arrival") as one more example.

    Operators name intents after what they are about; the name is the one example every
    intent has. Measured (``python -m tests.bench.nlu``): +0.7 point on BANKING77 10-shot,
    +0.2 on the full set, +0.3 on the French set."""
    out = []
    for intent in intents:
        text = normalize(re.sub(r"[\W_]+", " ", intent))
        if text and has_letters(text) and text not in known:
            out.append((text, intent))
    return out


class LocalClassifier:
    """A trained classifier; thread-safe for reading, picklable for the cache.

    It keeps only what serving needs: the :class:`FastScorer` (float32 coefficients,
    vocabularies), not scikit-learn's model and its float64 copy of them.
    """

    provider = "local"

    def __init__(
        self,
        fitted: Fitted,
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
        self._single: Fitted | None = None
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
            if uses_encoder(options)
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
        named = _name_examples(intents, {t for t, _ in pairs}) if options.name_examples else []
        all_texts = [t for t, _ in pairs] + [t for t, _ in named] + negatives
        all_labels = (
            [label for _, label in pairs]
            + [label for _, label in named]
            + [OOS_LABEL] * len(negatives)
        )
        always = [(t, OOS_LABEL) for t in background] + named

        report("calibrating", 0.0)
        if calibration_examples or calibration_out_of_scope:
            fitted = fit(all_texts, all_labels, options)
            cal_in = [(normalize(e.text), e.intent) for e in calibration_examples]
            cal_in = [(t, label) for t, label in cal_in if t]
            cal_oos = [t for t in (normalize(x) for x in calibration_out_of_scope) if t]
            in_dec = fitted.decision([t for t, _ in cal_in]) if cal_in else None
            oos_dec = fitted.decision(cal_oos) if cal_oos else None
            in_gold = [label for _, label in cal_in]
            report("calibrating", 0.5)
            final = fitted
        else:
            in_dec, oos_dec, in_gold, split_model = heldout(
                pairs, oos if use_oos_class else [], oos, always, options, report
            )
            report("training", 0.8)
            if options.refit or split_model is None:
                final = fit(all_texts, all_labels, options)
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
        final: Fitted,
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
        in_scores, in_gaps, in_pred = row_scores(labels, single, in_dec, temperature)
        in_correct = np.array(
            [in_pred[i] == columns.get(g, -1) for i, g in enumerate(in_gold)], dtype=bool
        )
        if oos_dec is not None and len(oos_dec):
            oos_scores, oos_gaps, _ = row_scores(labels, single, oos_dec, temperature)
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
        score, gap, best = row_scores(
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
