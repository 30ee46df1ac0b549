"""From decision values to "answer" or "I don't know", by a target the operator understands.

The operator sets ``nlu.in_scope_retention`` (default 0.95): the share of the in-scope
held-out questions the bot answers right that it must still answer (rejecting a question it
would have answered wrongly costs nothing, so those do not count against the target). Every
held-out in-scope row gets a *score* (its best
in-scope confidence) and a *gap* (how far the out-of-scope class beats the best intent; -inf
without such a class). A row is rejected when ``gap > margin`` or ``score < threshold``. The
calibration picks, among the (margin, threshold) pairs that keep the retention, the one that
rejects the most held-out out-of-scope rows (the operator's ``out_of_scope`` examples, when
there are some); without any, the natural margin 0 and the highest threshold that keeps it.

Why not maximise accuracy + recall as before: that trade put four wrong rejections in ten on
questions the bot knew, and each one is a fallback (or, with escalation, a handoff). A
retention target says plainly what the operator gives up, and the curve (``curve``) shows
what a different one would buy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

CURVE_RETENTIONS: tuple[float, ...] = (0.80, 0.85, 0.90, 0.95, 0.98, 0.99)
"""The retention points ``hub nlu evaluate`` shows beside the configured one."""


@dataclass(frozen=True, slots=True)
class OperatingPoint:
    """One retention target and what it costs on the held-out rows."""

    retention: float
    threshold: float
    oos_margin: float
    expected_retention: float
    expected_in_scope_accuracy: float
    expected_oos_recall: float | None

    def rejects(self, score: float, gap: float) -> bool:
        return gap > self.oos_margin or score < self.threshold


@dataclass(frozen=True, slots=True)
class Calibration:
    """How the confidences and threshold were fitted, for ``hub check`` and the inbox."""

    temperature: float
    threshold: float
    source: str
    heldout_in_scope: int
    heldout_out_of_scope: int
    expected_in_scope_accuracy: float
    expected_oos_recall: float | None
    retention: float = 0.95
    oos_margin: float = 0.0
    curve: tuple[OperatingPoint, ...] = ()

    def point(self) -> OperatingPoint:
        """The configured operating point."""
        return OperatingPoint(
            self.retention,
            self.threshold,
            self.oos_margin,
            self.retention,
            self.expected_in_scope_accuracy,
            self.expected_oos_recall,
        )


def softmax(values: FloatArray, temperature: float) -> FloatArray:
    scaled = values / temperature
    scaled = scaled - scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    result: FloatArray = exp / exp.sum(axis=-1, keepdims=True)
    return result


def fit_temperature(decision: FloatArray, gold: NDArray[np.int64]) -> float:
    """Temperature minimising the held-out negative log-likelihood (a 1-D grid search)."""
    if decision.shape[1] < 2 or len(gold) == 0:
        return 1.0
    best, best_t = math.inf, 1.0
    for t in np.geomspace(0.02, 5.0, 60):
        probs = softmax(decision, float(t))
        nll = -float(np.mean(np.log(probs[np.arange(len(gold)), gold] + 1e-12)))
        if nll < best:
            best, best_t = nll, float(t)
    return best_t


def _threshold_keeping(scores: FloatArray, eligible: BoolArray, keep: int) -> float | None:
    """The highest threshold under which ``keep`` eligible rows still pass (None: too few)."""
    if keep <= 0:
        return math.inf
    passing = np.sort(scores[eligible])[::-1]
    if len(passing) < keep:
        return None
    return float(passing[keep - 1])


def operating_point(
    retention: float,
    in_scores: FloatArray,
    in_gaps: FloatArray,
    in_correct: BoolArray,
    oos_scores: FloatArray,
    oos_gaps: FloatArray,
) -> OperatingPoint:
    """The (margin, threshold) pair that answers ``retention`` of the held-out in-scope rows
    and rejects the most held-out out-of-scope rows (see the module docstring)."""
    n = len(in_scores)
    keep = math.ceil(retention * int(in_correct.sum()) - 1e-9)
    finite = in_gaps[np.isfinite(in_gaps)]
    margins = [0.0]
    if len(finite):
        # margin candidates: where the out-of-scope class alone would keep the target, and
        # a few looser ones (a looser margin lets the threshold do more of the work)
        right_gaps = in_gaps[in_correct & np.isfinite(in_gaps)]
        finite = right_gaps if len(right_gaps) else finite
        quantiles = np.quantile(finite, [retention, *np.linspace(retention, 1.0, 6)[1:]])
        margins += [float(q) for q in quantiles if q > 0]
    best: tuple[float, float, float] | None = None  # (recall, -margin, threshold)
    for margin in margins:
        threshold = _threshold_keeping(in_scores, in_correct & (in_gaps <= margin), keep)
        if threshold is None:
            continue
        recall = (
            float(np.mean((oos_gaps > margin) | (oos_scores < threshold)))
            if len(oos_scores)
            else 0.0
        )
        candidate = (recall, -margin, threshold)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
        if not len(oos_scores):
            break  # nothing to trade: the smallest feasible margin
    if best is None:  # cannot happen with margin = max gap, kept for safety
        best = (0.0, -math.inf, 0.0)
    recall, neg_margin, threshold = best
    margin = -neg_margin
    if not math.isfinite(threshold):
        threshold = 0.0  # nothing held out was answered right: no evidence to reject on
    accepted = (in_gaps <= margin) & (in_scores >= threshold)
    right = int(in_correct.sum())
    return OperatingPoint(
        retention=retention,
        threshold=threshold,
        oos_margin=margin,
        expected_retention=float((accepted & in_correct).sum() / right) if right else math.nan,
        expected_in_scope_accuracy=float(np.mean(accepted & in_correct)) if n else math.nan,
        expected_oos_recall=recall if len(oos_scores) else None,
    )


def curve(
    retention: float,
    in_scores: FloatArray,
    in_gaps: FloatArray,
    in_correct: BoolArray,
    oos_scores: FloatArray,
    oos_gaps: FloatArray,
) -> tuple[OperatingPoint, ...]:
    """The configured point and the standard ones, by increasing retention."""
    targets = sorted({*CURVE_RETENTIONS, retention})
    return tuple(
        operating_point(r, in_scores, in_gaps, in_correct, oos_scores, oos_gaps) for r in targets
    )
