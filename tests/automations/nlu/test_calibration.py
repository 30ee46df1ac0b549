"""Calibration by in-scope retention: the target holds, and it rejects all it may."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from automations.nlu.calibration import CURVE_RETENTIONS, curve, operating_point
from automations.nlu.engine import options_for, training_examples
from automations.nlu.evaluate import JSON_KEYS, evaluate
from automations.nlu.local import ClassifierOptions, LocalClassifier
from config.hub import HubFile
from config.intents import load_intents
from tests.automations.nlu.sets import faq
from tests.automations.nlu.test_evaluate import write_csv

NO_GAP = np.full(0, -math.inf)


def _rows(seed: int = 0, n: int = 400) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    scores = rng.beta(5, 2, n)
    correct = rng.random(n) < 0.85
    return scores, np.full(n, -math.inf), correct


@pytest.mark.parametrize("retention", [0.8, 0.9, 0.95, 0.99])
def test_threshold_keeps_the_target_share_of_right_answers_and_no_more(retention: float):
    scores, gaps, correct = _rows()
    point = operating_point(retention, scores, gaps, correct, np.zeros(0), NO_GAP)
    kept = np.mean(scores[correct] >= point.threshold)
    assert kept >= retention
    assert point.expected_retention == pytest.approx(kept)
    # the highest such threshold: the next score up breaks the target
    higher = np.sort(scores[correct][scores[correct] > point.threshold])
    assert np.mean(scores[correct] >= higher[0]) < retention
    assert point.expected_oos_recall is None


def test_out_of_scope_rows_choose_the_margin_that_rejects_most():
    # in-scope rows: the out-of-scope class leads on 10 % of the right answers, so margin 0
    # breaks a 0.95 target; out-of-scope rows have high confidence but a large lead
    n = 200
    scores = np.full(n, 0.9)
    gaps = np.where(np.arange(n) < 20, 0.5, -1.0)
    correct = np.ones(n, dtype=bool)
    oos_scores = np.full(50, 0.95)
    oos_gaps = np.full(50, 3.0)
    point = operating_point(0.95, scores, gaps, correct, oos_scores, oos_gaps)
    assert point.oos_margin >= 0.5  # loosened so 95 % of right answers pass
    assert point.oos_margin < 3.0  # but still rejects every out-of-scope row
    assert point.expected_oos_recall == 1.0
    assert point.expected_retention >= 0.95


def test_curve_trades_retention_for_recall():
    scores, gaps, correct = _rows(1)
    rng = np.random.default_rng(2)
    oos = rng.beta(2, 4, 300)
    points = curve(0.93, scores, gaps, correct, oos, np.full(300, -math.inf))
    assert [p.retention for p in points] == sorted({*CURVE_RETENTIONS, 0.93})
    thresholds = [p.threshold for p in points]
    recalls = [r for p in points if (r := p.expected_oos_recall) is not None]
    assert len(recalls) == len(points)
    assert thresholds == sorted(thresholds, reverse=True)
    assert recalls == sorted(recalls, reverse=True)
    assert recalls[0] > recalls[-1]


def test_lower_retention_rejects_more_on_a_real_model():
    examples, _ = training_examples(faq(out_of_scope=False))
    strict = LocalClassifier.train(examples, options=ClassifierOptions(in_scope_retention=0.8))
    lenient = LocalClassifier.train(examples, options=ClassifierOptions(in_scope_retention=0.99))
    assert strict.calibration.retention == 0.8
    assert strict.threshold > lenient.threshold
    assert strict.calibration.source == "held-out in-scope examples"


def test_retention_comes_from_intents_yaml(tmp_path: Path):
    hub = HubFile(languages=("en",), default_language="en")
    body = """
settings:
  in_scope_retention: 0.9
intents:
  - name: a
    examples: {en: [hello]}
    answer: {text: {en: hi}}
"""
    path = tmp_path / "intents.yaml"
    path.write_text(body, encoding="utf-8")
    intents, problems, _ = load_intents(path, "intents.yaml", hub)
    assert intents is not None
    assert options_for(intents).in_scope_retention == 0.9
    path.write_text(body.replace("0.9", "1.5"), encoding="utf-8")
    intents, problems, _ = load_intents(path, "intents.yaml", hub)
    assert intents is None
    assert str(problems[0]).startswith("intents.yaml:3: ")
    assert "in_scope_retention" in str(problems[0])


def test_evaluate_reports_the_curve_on_the_test_rows(tmp_path: Path):
    intents = faq()
    train = [(t, i.name) for i in intents.intents for ts in i.examples.values() for t in ts]
    train += [(t, "oos") for ts in intents.out_of_scope.values() for t in ts]
    test = [
        ("how much is it, please?", "pricing"),
        ("I can't remember my password", "reset_password"),
        ("Who painted the Mona Lisa?", "oos"),
        ("How do I train for a marathon?", "oos"),
    ]
    report = evaluate(write_csv(tmp_path / "tr.csv", train), write_csv(tmp_path / "te.csv", test))
    data = report.json_dict()
    assert set(JSON_KEYS) <= set(data)
    assert data["in_scope_retention"] == 0.95
    assert [p["retention"] for p in data["curve"]] == sorted({*CURVE_RETENTIONS, 0.95})
    configured = next(p for p in report.curve if p.retention == 0.95)
    assert configured.threshold == pytest.approx(report.threshold)
    assert configured.in_scope_accuracy == report.in_scope_accuracy
    assert configured.oos_recall == report.oos_recall
    rows = report.curve_rows()
    assert any("(configured)" in row[0] for row in rows)
    closed = evaluate(
        write_csv(tmp_path / "tr2.csv", [r for r in train if r[1] != "oos"]),
        write_csv(tmp_path / "te2.csv", [r for r in test if r[1] != "oos"]),
    )
    assert "curve" not in closed.json_dict()
