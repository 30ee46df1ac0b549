"""Escalation benchmark: the issue's targets beside a keyword-only baseline, in one run.

Run from the project root: ``python -m tests.bench.escalation [--json] [--quick]``.

Every signal is scored by ``automations.escalation.evaluate.score_signal``, the function
``hub escalation evaluate`` calls. Public sets (``../shared/data/escalation/``) are split by
a stable hash of the text into a *tune* half (read while writing the word lists) and a
*check* half (only scored); the project's own set (``tests/fixtures/escalation/``) is
scored whole. The baseline is what open-source bots ship: a message is positive when it
contains one word of a short keyword list (no negation, no topic words, no trend).
False escalations: BANKING77's test messages (none asks for a person) run through every
detector and ``evaluate_policy`` under ``config/demo/escalation.yaml``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from automations.escalation import (
    ConversationView,
    DetectorInput,
    PolicyContext,
    Turn,
    build_settings,
    detect,
    evaluate_policy,
)
from automations.escalation.evaluate import LabelledRow, SignalScore, score_signal
from automations.escalation.text import fold, words
from config.loader import load_config

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
DATA = SHARED / "escalation"
BANKING77 = SHARED / "nlu" / "banking77" / "test.csv"
OWN = ROOT / "tests" / "fixtures" / "escalation" / "own-fr-en.csv"
DEMO = ROOT / "config" / "demo"
T0 = datetime(2026, 12, 4, tzinfo=UTC)
SENSITIVE_INTENTS = {"DisputeCharge", "ReportLostStolenCard"}

#: the keyword-only baseline: one of these words anywhere in the message
BASELINE: dict[str, dict[str, tuple[str, ...]]] = {
    "explicit_request": {
        "en": ("human", "agent", "person", "representative", "operator", "someone", "somebody"),
        "fr": ("conseiller", "humain", "quelquun", "personne", "agent", "operateur"),
    },
    "frustration": {
        "en": (
            "angry",
            "useless",
            "ridiculous",
            "terrible",
            "worst",
            "fuck",
            "damn",
            "hate",
            "stupid",
            "unacceptable",
        ),
        "fr": ("nul", "marre", "inadmissible", "honteux", "enerve", "putain", "merde"),
    },
    "sensitive": {
        "en": (
            "fraud",
            "stolen",
            "lawyer",
            "hacked",
            "twice",
            "dispute",
            "sue",
            "unauthorized",
            "lost",
            "court",
        ),
        "fr": (
            "fraude",
            "vole",
            "volee",
            "avocat",
            "pirate",
            "plainte",
            "perdu",
            "mediateur",
            "arnaque",
            "tribunal",
        ),
    },
}


def half(text: str) -> str:
    """``tune`` or ``check``: the parity of the first byte of the text's BLAKE2b digest."""
    return "tune" if hashlib.blake2b(text.encode(), digest_size=4).digest()[0] % 2 == 0 else "check"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _jsonl(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


Set = tuple[str, str, str, list[LabelledRow]]


def sets(limit: int | None) -> list[Set]:
    """(name, signal, language, rows) for every set the benchmark scores."""
    bitext = _csv(DATA / "bitext-customer-support" / "utterances.csv")
    dstc = [r for f in sorted((DATA / "dstc11-natcs").glob("*.jsonl")) for r in _jsonl(f)]
    xed_en = _csv(DATA / "xed-emotion" / "en-annotated.csv")
    xed_fr = _csv(DATA / "xed-emotion" / "fr-projections.csv")
    own = _csv(OWN)
    banking_finance = [r for r in dstc if not r["utterance_id"].startswith("insurance")]
    out: list[Set] = []
    for part in ("tune", "check"):
        # explicit request: Bitext contact_human_agent vs every other row (hours questions
        # and "contact customer service" included), plus DSTC11's agent-as-a-service rows
        rows = [LabelledRow(r["text"], r["intent"] == "contact_human_agent") for r in bitext]
        rows += [LabelledRow(r["utterance"], False) for r in dstc]
        out.append((f"bitext+dstc11 {part}", "explicit_request", "en", _part(rows, part)))
        w = [LabelledRow(r["text"], "W" in r["tags"]) for r in bitext]
        out.append((f"bitext W tag {part}", "frustration", "en", _part(w, part)))
        anger = [LabelledRow(r["text"], r["anger"] == "1") for r in xed_en]
        out.append((f"xed en anger {part}", "frustration", "en", _part(anger, part)))
        sens = [
            LabelledRow(r["utterance"], r["intent"] in SENSITIVE_INTENTS) for r in banking_finance
        ]
        out.append((f"dstc11 bank+fin {part}", "sensitive", "en", _part(sens, part)))
    out.append(
        (
            "xed fr anger check",
            "frustration",
            "fr",
            _part([LabelledRow(r["text"], r["anger"] == "1") for r in xed_fr], "check"),
        )
    )
    for language in ("fr", "en"):
        mine = [r for r in own if r["language"] == language]
        for signal in ("explicit_request", "sensitive"):
            rows = [LabelledRow(r["text"], r[signal] == "1") for r in mine]
            out.append((f"own {language}", signal, language, rows))
    return [(n, s, lang, rows[:limit] if limit else rows) for n, s, lang, rows in out]


def _part(rows: list[LabelledRow], part: str) -> list[LabelledRow]:
    return [r for r in rows if half(r.text) == part]


def baseline(rows: Sequence[LabelledRow], signal: str, language: str) -> SignalScore:
    keywords = set(BASELINE[signal].get(language, BASELINE[signal]["en"]))
    times, predicted = [], []
    for row in rows:
        start = time.perf_counter()
        predicted.append(bool(keywords & set(words(fold(row.text)))))
        times.append(time.perf_counter() - start)
    tp = sum(p and r.positive for p, r in zip(predicted, rows, strict=True))
    support, n_pred = sum(r.positive for r in rows), sum(predicted)
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / support if support else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    ms = np.asarray(times) * 1000
    p99 = round(float(np.percentile(ms, 99)), 4)
    return SignalScore(
        signal,
        language,
        len(rows),
        support,
        n_pred,
        tp,
        round(precision, 4),
        round(recall, 4),
        round(f1, 4),
        round(float(np.percentile(ms, 50)), 4),
        p99,
        p99,
    )


def false_escalations(limit: int | None) -> dict[str, Any]:
    """BANKING77 test messages through every detector and the demo policy."""
    policy = load_config(DEMO).escalation
    settings = build_settings(policy)
    rows = _csv(BANKING77)[:limit] if limit else _csv(BANKING77)
    keywords = set(BASELINE["explicit_request"]["en"])
    escalated: Counter[str] = Counter()
    offered = baseline_escalated = 0
    wall, cpu = [], []
    for index, row in enumerate(rows):
        conversation = ConversationView(f"b77-{index}", "webchat", "demo")
        inp = DetectorInput(
            Turn(str(index), "customer", row["text"], T0), "en", conversation=conversation
        )
        context = PolicyContext(conversation.id, T0, "webchat", "demo")
        c0, w0 = time.thread_time_ns(), time.perf_counter()
        outcome = evaluate_policy(detect(inp, settings), context, policy)
        wall.append(time.perf_counter() - w0)
        cpu.append(time.thread_time_ns() - c0)
        if outcome.escalates:
            escalated[outcome.reasons[0].name] += 1
        offered += outcome.action == "offer"
        baseline_escalated += bool(keywords & set(words(fold(row["text"]))))
    n = len(rows)
    return {
        "messages": n,
        "escalated": sum(escalated.values()),
        "rate": round(sum(escalated.values()) / n, 4),
        "by_reason": dict(escalated),
        "offered": offered,
        "baseline_escalated": baseline_escalated,
        "baseline_rate": round(baseline_escalated / n, 4),
        "all_detectors_ms_p50": round(float(np.percentile(np.asarray(wall) * 1000, 50)), 4),
        "all_detectors_ms_p99": round(float(np.percentile(np.asarray(wall) * 1000, 99)), 4),
        "all_detectors_cpu_ms_p99": round(float(np.percentile(np.asarray(cpu) / 1e6, 99)), 4),
    }


def _line(name: str, s: SignalScore, b: SignalScore) -> str:
    return (
        f"{name:<22} {s.signal:<16} {s.rows:>6} {s.support:>5} "
        f"{s.precision:>6.3f} {s.recall:>6.3f} {s.f1:>6.3f}   "
        f"{b.precision:>6.3f} {b.recall:>6.3f} {b.f1:>6.3f}   "
        f"{s.latency_ms_p99:>6.3f} {s.cpu_ms_p99:>6.3f}"
    )


def main(argv: Sequence[str] | None = None, out: Callable[[str], None] = print) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.escalation", description=__doc__)
    parser.add_argument("--json", action="store_true", help="last line: the figures as JSON")
    parser.add_argument("--quick", action="store_true", help="400 rows per set (a smoke run)")
    args = parser.parse_args(argv)
    limit = 400 if args.quick else None
    settings = build_settings()
    out(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
        "(the wall-clock p99 includes waiting for a core)"
    )
    out(
        f"{'set':<22} {'signal':<16} {'rows':>6} {'pos':>5} {'P':>6} {'R':>6} {'F1':>6}   "
        f"{'base P':>6} {'R':>6} {'F1':>6}   {'p99ms':>6} {'cpu99':>6}"
    )
    figures: dict[str, Any] = {"sets": {}}
    for name, signal, language, rows in sets(limit):
        score = score_signal(rows, signal, language, settings)
        base = baseline(rows, signal, language)
        out(_line(name, score, base))
        figures["sets"][f"{signal}:{name}"] = {
            "detector": score.to_dict(),
            "baseline": base.to_dict(),
        }
    fe = false_escalations(limit)
    out(
        f"BANKING77 test under the demo policy: {fe['escalated']} of {fe['messages']} escalate "
        f"({fe['rate']:.2%}; {fe['by_reason']}), {fe['offered']} offered a person; keyword "
        f"baseline {fe['baseline_escalated']} ({fe['baseline_rate']:.2%})"
    )
    out(
        f"all detectors + policy per message: p50 {fe['all_detectors_ms_p50']:.3f} ms, "
        f"p99 {fe['all_detectors_ms_p99']:.3f} ms wall, {fe['all_detectors_cpu_ms_p99']:.3f} ms CPU"
    )
    figures["false_escalations"] = fe
    figures["latency_ms_p99_all"] = fe["all_detectors_ms_p99"]
    figures["cpu_ms_p99_all"] = fe["all_detectors_cpu_ms_p99"]
    if args.json:
        out(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
