"""Offline evaluation: train on one CSV, test on another, the way an operator checks a model.

Metrics (``hub nlu evaluate``):

* ``accuracy`` and ``macro_f1``: the top intent on the in-scope test rows, rejection not
  applied (the closed-set figure papers report).
* ``in_scope_accuracy``: in-scope rows given the right intent *and* not rejected.
* ``oos_recall`` / ``oos_precision``: of the out-of-scope rows, the share rejected; of the
  rejected rows, the share truly out of scope (None when the test file has no such rows).
* ``open_accuracy`` / ``open_macro_f1``: with out-of-scope rows, every row's final answer
  (an intent, or "out of scope" as one more class) against its label; the figures the open
  intent classification literature reports (e.g. Zhang et al., AAAI 2021, on BANKING77).

The model evaluated is the one that ends up serving: the full model, sentence encoder
included at any size (``local.full_options``), which the hub trains in the background when a
configuration is too large to train it in line.
* latency per message, one at a time after a warm-up; training seconds; peak RSS.
* ``curve``: for a few retention targets (``calibration.CURVE_RETENTIONS`` and the configured
  one), the operating point calibrated on held-out data applied to the test rows: the share
  of in-scope rows answered, in-scope accuracy, out-of-scope recall and precision. The
  operator reads off what a different ``in_scope_retention`` would buy.
"""

from __future__ import annotations

import csv
import math
import resource
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from automations.nlu.calibration import OperatingPoint
from automations.nlu.errors import DatasetError
from automations.nlu.local import (
    ClassifierOptions,
    Example,
    LocalClassifier,
    Scores,
    full_options,
)

Progress = Callable[[str, float], None]
WARMUP = 20


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    label: str


JSON_KEYS = (
    "accuracy",
    "macro_f1",
    "in_scope_accuracy",
    "oos_recall",
    "oos_precision",
    "latency_ms_p50",
    "latency_ms_p99",
    "train_seconds",
    "peak_rss_mib",
)
"""What ``hub nlu evaluate --json`` prints (``curve`` too when the test has out-of-scope rows)."""


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """One retention target's operating point, measured on the test rows."""

    retention: float
    threshold: float
    answered: float
    """Share of in-scope test rows not rejected."""
    in_scope_accuracy: float
    oos_recall: float | None
    oos_precision: float | None


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    accuracy: float
    macro_f1: float
    in_scope_accuracy: float
    oos_recall: float | None
    oos_precision: float | None
    latency_ms_p50: float
    latency_ms_p99: float
    train_seconds: float
    peak_rss_mib: float
    train_rows: int
    test_rows: int
    intents: int
    threshold: float
    calibrated_on: str
    in_scope_retention: float = 0.95
    curve: tuple[CurvePoint, ...] = ()
    open_accuracy: float | None = None
    open_macro_f1: float | None = None
    cpu_ms_p50: float = math.nan
    cpu_ms_p99: float = math.nan
    """CPU time of this thread per message: on a shared machine the wall-clock latency also
    counts the time other processes held the cores; this is what one message costs."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def json_dict(self) -> dict[str, Any]:
        """The ``--json`` object: :data:`JSON_KEYS`, and the curve when out-of-scope rows
        were given."""
        data = self.to_dict()
        out = {key: data[key] for key in JSON_KEYS}
        if self.oos_recall is not None:
            out["in_scope_retention"] = self.in_scope_retention
            out["curve"] = data["curve"]
        return out

    def summary_rows(self) -> list[tuple[str, str]]:
        """(measure, value) lines of the human-readable report."""
        return [
            ("accuracy (top intent, in-scope rows)", _percent(self.accuracy)),
            ("macro-F1", _percent(self.macro_f1)),
            ("in-scope accuracy (right and not rejected)", _percent(self.in_scope_accuracy)),
            ("out-of-scope recall", _percent(self.oos_recall)),
            ("out-of-scope precision", _percent(self.oos_precision)),
            (
                "latency p50 / p99 (CPU time p50 / p99)",
                f"{self.latency_ms_p50:.2f} / {self.latency_ms_p99:.2f} ms "
                f"({self.cpu_ms_p50:.2f} / {self.cpu_ms_p99:.2f} ms)",
            ),
            ("training", f"{self.train_seconds:.2f} s ({self.train_rows} rows)"),
            ("peak memory", f"{self.peak_rss_mib:.0f} MiB"),
            (
                "threshold",
                f"{self.threshold:.3f} (in-scope retention {self.in_scope_retention:.2f}, "
                f"calibrated on {self.calibrated_on})",
            ),
        ]

    def curve_rows(self) -> list[tuple[str, str, str, str, str]]:
        """(retention target, answered, in-scope accuracy, OOS recall, OOS precision)."""
        return [
            (
                f"{p.retention:.2f}"
                + (" (configured)" if p.retention == self.in_scope_retention else ""),
                _percent(p.answered),
                _percent(p.in_scope_accuracy),
                _percent(p.oos_recall),
                _percent(p.oos_precision),
            )
            for p in self.curve
        ]


def _percent(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value * 100:.2f} %"


def read_rows(path: Path, text_column: str = "text", label_column: str = "category") -> list[Row]:
    """Read labelled rows; a missing file or column is a :class:`DatasetError` naming what
    was found, so the operator can pass the right ``--text-column``/``--label-column``."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise DatasetError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with handle:
        reader = csv.DictReader(handle)
        found = [name for name in (reader.fieldnames or []) if name is not None]
        missing = [c for c in (text_column, label_column) if c not in found]
        if missing:
            raise DatasetError(
                f"{path}: missing column(s) {', '.join(repr(c) for c in missing)}; "
                f"columns found: {', '.join(repr(c) for c in found) or 'none'}"
            )
        try:
            rows = [
                Row((r.get(text_column) or "").strip(), (r.get(label_column) or "").strip())
                for r in reader
            ]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DatasetError(f"{path}: not a readable CSV: {exc}") from None
    rows = [r for r in rows if r.text and r.label]
    if not rows:
        raise DatasetError(f"{path}: no rows with both {text_column!r} and {label_column!r}")
    return rows


def few_shot(rows: Sequence[Row], per_label: int, seed: int) -> list[Row]:
    """``per_label`` rows of every label (all when fewer), drawn with a fixed seed."""
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[Row]] = {}
    for row in rows:
        by_label.setdefault(row.label, []).append(row)
    chosen: list[Row] = []
    for label in sorted(by_label):
        members = by_label[label]
        picks = rng.permutation(len(members))[:per_label]
        chosen.extend(members[i] for i in sorted(picks))
    return chosen


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    labels = sorted(set(gold))
    scores = []
    for label in labels:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p == label)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != label and p == label)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == label and p != label)
        scores.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(scores)) if scores else 0.0


@contextmanager
def _noop() -> Iterator[None]:
    yield


def split_oos(rows: Sequence[Row], oos_label: str) -> tuple[list[Example], list[str]]:
    examples = [Example(r.text, r.label) for r in rows if r.label != oos_label]
    oos = [r.text for r in rows if r.label == oos_label]
    return examples, oos


def evaluate_rows(
    train: Sequence[Row],
    test: Sequence[Row],
    validation: Sequence[Row] = (),
    *,
    oos_label: str = "oos",
    options: ClassifierOptions | None = None,
    progress: Progress | None = None,
    vector_dir: Path | None = None,
) -> EvaluationReport:
    """Train on ``train`` (calibrating on ``validation`` when given) and score ``test``.

    ``vector_dir``: where the training examples' sentence vectors are kept between runs."""
    report = progress or (lambda _step, _share: None)
    examples, oos = split_oos(train, oos_label)
    cal_examples, cal_oos = split_oos(validation, oos_label)
    started = time.perf_counter()
    model = LocalClassifier.train(
        examples,
        oos,
        calibration_examples=cal_examples,
        calibration_out_of_scope=cal_oos,
        options=full_options(options or ClassifierOptions()),
        progress=lambda step, share: report("training", share),
        vector_dir=vector_dir,
    )
    train_seconds = time.perf_counter() - started
    for row in test[:WARMUP]:
        model.classify(row.text)
    latencies: list[float] = []
    cpu: list[float] = []
    gold_in: list[str] = []
    top_in: list[str] = []
    in_right = 0
    oos_total = oos_rejected = rejected_total = 0
    scored: list[Scores | None] = []
    final: list[str] = []
    for index, row in enumerate(test):
        t0, c0 = time.perf_counter(), time.thread_time()
        result, scores = model.classify_scored(row.text)
        latencies.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.thread_time() - c0) * 1000)
        scored.append(scores)
        top = result.candidates[0].intent if result.candidates else ""
        final.append(oos_label if result.out_of_scope else (result.intent or oos_label))
        if result.out_of_scope:
            rejected_total += 1
        if row.label == oos_label:
            oos_total += 1
            oos_rejected += int(result.out_of_scope)
        else:
            gold_in.append(row.label)
            top_in.append(top)
            in_right += int(not result.out_of_scope and result.intent == row.label)
        if index % 50 == 0:
            report("testing", index / len(test))
    report("testing", 1.0)
    n_in = max(1, len(gold_in))
    gold_all = [r.label for r in test]
    return EvaluationReport(
        accuracy=sum(g == p for g, p in zip(gold_in, top_in, strict=True)) / n_in,
        macro_f1=_macro_f1(gold_in, top_in),
        in_scope_accuracy=in_right / n_in,
        oos_recall=oos_rejected / oos_total if oos_total else None,
        oos_precision=(oos_rejected / rejected_total if rejected_total else 0.0)
        if oos_total
        else None,
        latency_ms_p50=float(np.percentile(latencies, 50)),
        latency_ms_p99=float(np.percentile(latencies, 99)),
        train_seconds=train_seconds,
        peak_rss_mib=peak_rss_mib(),
        train_rows=len(train),
        test_rows=len(test),
        intents=len(model.intents),
        threshold=model.threshold,
        calibrated_on=model.calibration.source,
        in_scope_retention=model.calibration.retention,
        curve=tuple(
            _measure_point(point, scored, gold_all, oos_label) for point in model.calibration.curve
        ),
        open_accuracy=float(np.mean([g == p for g, p in zip(gold_all, final, strict=True)]))
        if oos_total
        else None,
        open_macro_f1=_macro_f1(gold_all, final) if oos_total else None,
        cpu_ms_p50=float(np.percentile(cpu, 50)),
        cpu_ms_p99=float(np.percentile(cpu, 99)),
    )


def _measure_point(
    point: OperatingPoint, scored: Sequence[Scores | None], gold: Sequence[str], oos_label: str
) -> CurvePoint:
    """One operating point applied to the test rows' scores."""
    answered = right = n_in = oos_total = oos_rejected = rejected = 0
    for scores, label in zip(scored, gold, strict=True):
        reject = scores is None or point.rejects(scores.score, scores.gap)
        intent = None if scores is None else scores.intent
        rejected += int(reject)
        if label == oos_label:
            oos_total += 1
            oos_rejected += int(reject)
        else:
            n_in += 1
            answered += int(not reject)
            right += int(not reject and intent == label)
    return CurvePoint(
        retention=point.retention,
        threshold=point.threshold,
        answered=answered / n_in if n_in else math.nan,
        in_scope_accuracy=right / n_in if n_in else math.nan,
        oos_recall=oos_rejected / oos_total if oos_total else None,
        oos_precision=(oos_rejected / rejected if rejected else 0.0) if oos_total else None,
    )


def evaluate(
    train_path: Path,
    test_path: Path,
    validation_path: Path | None = None,
    *,
    text_column: str = "text",
    label_column: str = "category",
    oos_label: str = "oos",
    few_shot_n: int | None = None,
    seed: int = 0,
    options: ClassifierOptions | None = None,
    progress: Progress | None = None,
    vector_dir: Path | None = None,
) -> EvaluationReport:
    """Read the CSVs and run :func:`evaluate_rows`; errors are :class:`DatasetError`."""
    train = read_rows(train_path, text_column, label_column)
    test = read_rows(test_path, text_column, label_column)
    validation = read_rows(validation_path, text_column, label_column) if validation_path else []
    if few_shot_n is not None:
        if few_shot_n < 1:
            raise DatasetError(f"--few-shot must be at least 1, got {few_shot_n}")
        train = few_shot(train, few_shot_n, seed)
    if options is None:
        options = ClassifierOptions(seed=seed)
    return evaluate_rows(
        train,
        test,
        validation,
        oos_label=oos_label,
        options=options,
        progress=progress,
        vector_dir=vector_dir,
    )
