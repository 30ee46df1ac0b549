"""Offline evaluation: train on one CSV, test on another, the way an operator checks a model.

Metrics (``hub nlu evaluate``):

* ``accuracy`` and ``macro_f1``: the top intent on the in-scope test rows, rejection not
  applied (the closed-set figure papers report).
* ``in_scope_accuracy``: in-scope rows given the right intent *and* not rejected.
* ``oos_recall`` / ``oos_precision``: of the out-of-scope rows, the share rejected; of the
  rejected rows, the share truly out of scope (None when the test file has no such rows).
* latency per message, one at a time after a warm-up; training seconds; peak RSS.
"""

from __future__ import annotations

import csv
import resource
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from automations.nlu.errors import DatasetError
from automations.nlu.local import ClassifierOptions, Example, LocalClassifier

Progress = Callable[[str, float], None]
WARMUP = 20


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    label: str


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
) -> EvaluationReport:
    """Train on ``train`` (calibrating on ``validation`` when given) and score ``test``."""
    report = progress or (lambda _step, _share: None)
    examples, oos = split_oos(train, oos_label)
    cal_examples, cal_oos = split_oos(validation, oos_label)
    started = time.perf_counter()
    model = LocalClassifier.train(
        examples,
        oos,
        calibration_examples=cal_examples,
        calibration_out_of_scope=cal_oos,
        options=options,
        progress=lambda step, share: report("training", share),
    )
    train_seconds = time.perf_counter() - started
    for row in test[:WARMUP]:
        model.classify(row.text)
    latencies: list[float] = []
    gold_in: list[str] = []
    top_in: list[str] = []
    in_right = 0
    oos_total = oos_rejected = rejected_total = 0
    for index, row in enumerate(test):
        t0 = time.perf_counter()
        result = model.classify(row.text)
        latencies.append((time.perf_counter() - t0) * 1000)
        top = result.candidates[0].intent if result.candidates else ""
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
        train, test, validation, oos_label=oos_label, options=options, progress=progress
    )
