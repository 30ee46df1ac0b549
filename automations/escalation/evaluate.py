"""Score one escalation signal on labelled single messages (``hub escalation evaluate``).

Every row of the CSV is one customer message; rows whose label equals ``positive`` are the
positives. A message is predicted positive when the signal is *strong* (its score reaches the
configured threshold). Latency is the detector's own time per message, after a warm-up, as
wall-clock and as CPU time of the thread (on a loaded machine the first includes waiting for
a core). The out-of-scope signal needs the NLU of a configuration (``--config DIR`` with
intents.yaml), whose classification time is not counted (it is the NLU step this signal
reads); with one message per row it is scored as "out of scope once" (``times: 1``).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from automations.escalation.detect import detect_one
from automations.escalation.errors import EvaluationError
from automations.escalation.settings import DetectorSettings, build_settings
from automations.escalation.signals import DetectorInput, Turn
from automations.nlu import NluEngine, NluResult
from config.errors import ConfigError
from config.escalation import EscalationFile
from config.loader import load_config

SIGNALS = ("explicit_request", "frustration", "sensitive", "out_of_scope")
WARMUP = 20
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
Classify = Callable[[str, str], NluResult]


@dataclass(frozen=True, slots=True)
class LabelledRow:
    text: str
    positive: bool


@dataclass(frozen=True, slots=True)
class SignalScore:
    signal: str
    language: str
    rows: int
    support: int
    predicted_positives: int
    true_positives: int
    precision: float
    recall: float
    f1: float
    latency_ms_p50: float
    latency_ms_p99: float
    cpu_ms_p99: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def read_rows(path: Path, text_column: str, label_column: str, positive: str) -> list[LabelledRow]:
    """The labelled rows of a CSV; a missing file or column is an :class:`EvaluationError`."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            for column in (text_column, label_column):
                if column not in columns:
                    raise EvaluationError(
                        f"{path}: no column '{column}' (columns: {', '.join(columns)})"
                    )
            rows = [
                LabelledRow(r[text_column] or "", (r[label_column] or "").strip() == positive)
                for r in reader
            ]
    except OSError as exc:
        raise EvaluationError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise EvaluationError(f"{path}: not a UTF-8 CSV file: {exc}") from None
    if not rows:
        raise EvaluationError(f"{path}: no rows")
    return rows


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def score_signal(
    rows: Sequence[LabelledRow],
    signal: str,
    language: str,
    settings: DetectorSettings,
    classify: Classify | None = None,
) -> SignalScore:
    """Precision, recall, F1 and latency of ``signal`` over ``rows``."""
    if signal not in SIGNALS:
        raise EvaluationError(f"unknown signal '{signal}' (use one of {', '.join(SIGNALS)})")
    if signal == "out_of_scope" and classify is None:
        raise EvaluationError("out_of_scope needs the NLU of a configuration (--config DIR)")
    if signal == "out_of_scope":
        signals = settings.file.signals
        single = signals.out_of_scope.model_copy(update={"times": 1})
        file = settings.file.model_copy(
            update={"signals": signals.model_copy(update={"out_of_scope": single})}
        )
        settings = DetectorSettings(file, settings.packs)
    inputs = []
    for index, row in enumerate(rows):
        nlu = classify(row.text, language) if classify is not None else None
        turn = Turn(str(index), "customer", row.text, _EPOCH, nlu=nlu)
        inputs.append(DetectorInput(turn, language))
    for inp in inputs[:WARMUP]:
        detect_one(signal, inp, settings)
    times: list[float] = []
    cpu: list[int] = []
    predicted: list[bool] = []
    for inp in inputs:
        cpu_start = time.thread_time_ns()
        start = time.perf_counter()
        result = detect_one(signal, inp, settings)
        times.append(time.perf_counter() - start)
        cpu.append(time.thread_time_ns() - cpu_start)
        predicted.append(result.strong)
    tp = sum(p and r.positive for p, r in zip(predicted, rows, strict=True))
    support = sum(r.positive for r in rows)
    n_pred = sum(predicted)
    precision, recall = _ratio(tp, n_pred), _ratio(tp, support)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    ms = np.asarray(times) * 1000
    return SignalScore(
        signal=signal,
        language=language,
        rows=len(rows),
        support=support,
        predicted_positives=n_pred,
        true_positives=tp,
        precision=round(precision, 4),
        recall=round(recall, 4),
        f1=round(f1, 4),
        latency_ms_p50=round(float(np.percentile(ms, 50)), 4),
        latency_ms_p99=round(float(np.percentile(ms, 99)), 4),
        cpu_ms_p99=round(float(np.percentile(np.asarray(cpu) / 1e6, 99)), 4),
    )


def table(scores: Sequence[SignalScore]) -> str:
    head = f"{'signal':<17} {'lang':<4} {'rows':>6} {'support':>7} {'pred+':>6} "
    head += f"{'precision':>9} {'recall':>6} {'f1':>6} {'p99 ms':>7} {'cpu p99':>7}"
    lines = [head]
    for s in scores:
        lines.append(
            f"{s.signal:<17} {s.language:<4} {s.rows:>6} {s.support:>7} {s.predicted_positives:>6} "
            f"{s.precision:>9.3f} {s.recall:>6.3f} {s.f1:>6.3f} {s.latency_ms_p99:>7.3f} "
            f"{s.cpu_ms_p99:>7.3f}"
        )
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="escalation evaluate", description=__doc__)
    p.add_argument("--data", required=True, type=Path)
    p.add_argument("--signal", required=True, choices=SIGNALS)
    p.add_argument("--text-column", required=True)
    p.add_argument("--label-column", required=True)
    p.add_argument("--positive", required=True)
    p.add_argument("--language", default="en")
    p.add_argument("--config", type=Path, default=None)
    p.add_argument("--json", action="store_true")
    return p


def _from_config(
    directory: Path | None, signal: str
) -> tuple[EscalationFile | None, Classify | None]:
    """The configuration's escalation policy, and its NLU when the signal reads it."""
    if directory is None:
        return None, None
    try:
        config = load_config(directory)
    except ConfigError as exc:
        raise EvaluationError(str(exc)) from None
    if signal != "out_of_scope":
        return config.escalation, None
    if config.intents is None:
        raise EvaluationError(f"{directory}: out_of_scope needs an intents.yaml")
    engine = NluEngine.build(config.intents, config.hub.languages, config.hub.default_language)
    return config.escalation, lambda text, language: engine.classify(text, language)


def evaluate_file(
    data: Path,
    signal: str,
    text_column: str,
    label_column: str,
    positive: str,
    language: str = "en",
    config: Path | None = None,
) -> SignalScore:
    """Score ``signal`` on a labelled CSV, under the policy of ``config`` when given."""
    rows = read_rows(data, text_column, label_column, positive)
    policy, classify = _from_config(config, signal)
    return score_signal(rows, signal, language, build_settings(policy), classify)


def run(args: argparse.Namespace) -> SignalScore:
    return evaluate_file(
        args.data,
        args.signal,
        args.text_column,
        args.label_column,
        args.positive,
        args.language,
        args.config,
    )


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Print the table (and with ``--json`` one JSON line last); 2 on a bad data set."""
    out = out or sys.stdout
    args = parser().parse_args(argv)
    try:
        score = run(args)
    except EvaluationError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(table([score]), file=out)
    if args.json:
        print(json.dumps(score.to_dict()), file=out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
