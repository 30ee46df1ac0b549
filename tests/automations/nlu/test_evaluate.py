"""``hub nlu evaluate``: metrics on small CSVs, clear errors on bad ones."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from automations.nlu.errors import DatasetError
from automations.nlu.evaluate import evaluate, few_shot, read_rows
from hub.cli.nlu import nlu
from tests.automations.nlu.sets import faq

KEYS = {
    "accuracy",
    "macro_f1",
    "in_scope_accuracy",
    "oos_recall",
    "oos_precision",
    "latency_ms_p50",
    "latency_ms_p99",
    "train_seconds",
    "peak_rss_mib",
}


def write_csv(path: Path, rows: list[tuple[str, str]], header=("text", "category")) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    intents = faq()
    train = [(t, i.name) for i in intents.intents for ts in i.examples.values() for t in ts]
    train += [(t, "oos") for ts in intents.out_of_scope.values() for t in ts]
    test = [
        ("how much is it, please?", "pricing"),
        ("quels sont les prix ?", "pricing"),
        ("I can't remember my password", "reset_password"),
        ("when do you open?", "opening_hours"),
        ("cancel my plan please", "cancel_subscription"),
        ("download my invoices", "invoices"),
        ("Who painted the Mona Lisa?", "oos"),
        ("How do I train for a marathon?", "oos"),
    ]
    return write_csv(tmp_path / "train.csv", train), write_csv(tmp_path / "test.csv", test)


def test_metrics_on_a_small_set(files):
    train, test = files
    report = evaluate(train, test)
    assert report.test_rows == 8
    assert report.intents == 5
    assert report.accuracy == 1.0
    assert report.in_scope_accuracy == 1.0
    assert report.oos_recall == 1.0
    assert report.oos_precision == 1.0
    assert 0 < report.latency_ms_p50 <= report.latency_ms_p99
    assert report.peak_rss_mib > 0
    assert report.calibrated_on == "out-of-scope examples"


def test_missing_columns_name_the_columns_found(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [("hello", "greet")], header=("utterance", "intent"))
    with pytest.raises(DatasetError) as info:
        read_rows(path, "text", "category")
    message = str(info.value)
    assert "missing column(s) 'text', 'category'" in message
    assert "columns found: 'utterance', 'intent'" in message
    assert read_rows(path, "utterance", "intent")[0].label == "greet"


def test_missing_file_and_empty_file(tmp_path):
    with pytest.raises(DatasetError, match="cannot read"):
        read_rows(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DatasetError, match="columns found: none"):
        read_rows(empty)


def test_few_shot_is_seeded_and_per_label(files):
    rows = read_rows(files[0])
    a, b, c = few_shot(rows, 2, 0), few_shot(rows, 2, 0), few_shot(rows, 2, 1)
    assert a == b
    assert a != c
    assert {r.label for r in a} == {r.label for r in rows}
    assert all(sum(r.label == label for r in a) == 2 for label in {r.label for r in a})


def test_cli_json_prints_the_documented_keys(files):
    train, test = files
    result = CliRunner().invoke(
        nlu, ["evaluate", "--train", str(train), "--test", str(test), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    # the documented keys, plus the retention curve since the test has out-of-scope rows
    assert set(data) == KEYS | {"in_scope_retention", "curve"}
    assert data["oos_recall"] == 1.0
    assert [p["retention"] for p in data["curve"]] == [0.8, 0.85, 0.9, 0.95, 0.98, 0.99]
    closed = files[0].parent / "closed.csv"
    closed.write_text(
        "".join(line for line in files[1].read_text().splitlines(True) if ",oos" not in line)
    )
    result = CliRunner().invoke(
        nlu, ["evaluate", "--train", str(train), "--test", str(closed), "--json"]
    )
    assert set(json.loads(result.stdout.strip().splitlines()[-1])) == KEYS


def test_cli_table_prints_the_retention_curve(files):
    train, test = files
    result = CliRunner().invoke(nlu, ["evaluate", "--train", str(train), "--test", str(test)])
    assert result.exit_code == 0, result.output
    assert "in_scope_retention" in result.output
    assert "0.95 (configured)" in result.output
    assert "OOS recall" in result.output


def test_cli_table_and_few_shot(files):
    train, test = files
    args = [
        "evaluate",
        "--train",
        str(train),
        "--test",
        str(test),
        "--few-shot",
        "3",
        "--seed",
        "1",
    ]
    result = CliRunner().invoke(nlu, args)
    assert result.exit_code == 0, result.output
    assert "in-scope accuracy" in result.output
    assert "out-of-scope recall" in result.output


def test_cli_missing_column_is_a_clear_error(files):
    train, test = files
    args = ["evaluate", "--train", str(train), "--test", str(test), "--label-column", "intent"]
    result = CliRunner().invoke(nlu, args)
    assert result.exit_code == 1
    assert "missing column(s) 'intent'" in result.output
    assert "columns found: 'text', 'category'" in result.output


def test_validation_file_calibrates_instead_of_the_held_out_split(files, tmp_path):
    train, test = files
    validation = write_csv(
        tmp_path / "validation.csv",
        [("prices please", "pricing"), ("password lost", "reset_password"), ("sing", "oos")],
    )
    internal = evaluate(train, test)
    external = evaluate(train, test, validation)
    assert external.calibrated_on == "out-of-scope examples"
    assert external.threshold != internal.threshold
