"""``automations.escalation.evaluate``: scores on a labelled CSV, the printed table and the
JSON line, bad data sets as one-line errors, and a short run of the benchmark."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from automations.escalation import build_settings
from automations.escalation.errors import EvaluationError
from automations.escalation.evaluate import LabelledRow, main, read_rows, score_signal

DEMO = Path(__file__).resolve().parents[3] / "config" / "demo"
ROWS = (
    "text,label\n"
    "talk to a human,yes\n"
    "I want to speak to an agent,yes\n"
    "no need for an agent,no\n"
    "where is my parcel,no\n"
    "human resources,no\n"
    "agent please,yes\n"
    "what are the agent fees,no\n"
    "hello,yes\n"
)


def test_scores_are_counted_from_the_rows() -> None:
    rows = [
        LabelledRow("talk to a human", True),
        LabelledRow("hello", True),
        LabelledRow("no need for an agent", False),
        LabelledRow("agent please", False),
    ]
    s = score_signal(rows, "explicit_request", "en", build_settings())
    assert (s.support, s.predicted_positives, s.true_positives) == (2, 2, 1)
    assert (s.precision, s.recall, s.f1) == (0.5, 0.5, 0.5)
    assert s.latency_ms_p99 >= s.latency_ms_p50 > 0


def test_main_prints_a_table_and_a_last_json_line(tmp_path: Path) -> None:
    data = tmp_path / "set.csv"
    data.write_text(ROWS, encoding="utf-8")
    out = io.StringIO()
    argv = [
        "--data",
        str(data),
        "--signal",
        "explicit_request",
        "--text-column",
        "text",
        "--label-column",
        "label",
        "--positive",
        "yes",
        "--json",
    ]
    assert main(argv, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0].split()[:3] == ["signal", "lang", "rows"]
    figures = json.loads(lines[-1])
    assert {"signal", "precision", "recall", "f1", "support", "latency_ms_p99"} <= set(figures)
    assert (figures["signal"], figures["support"], figures["predicted_positives"]) == (
        "explicit_request",
        4,
        3,
    )
    assert figures["precision"] == 1.0
    assert figures["recall"] == 0.75


def test_bad_data_sets_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "set.csv"
    data.write_text(ROWS, encoding="utf-8")
    base = ["--signal", "frustration", "--label-column", "label", "--positive", "yes"]
    assert main(["--data", str(data), "--text-column", "body", *base]) == 2
    assert "no column 'body' (columns: text, label)" in capsys.readouterr().err
    assert main(["--data", str(tmp_path / "missing.csv"), "--text-column", "text", *base]) == 2
    assert "cannot read" in capsys.readouterr().err
    (tmp_path / "empty.csv").write_text("text,label\n")
    assert main(["--data", str(tmp_path / "empty.csv"), "--text-column", "text", *base]) == 2
    assert "no rows" in capsys.readouterr().err
    (tmp_path / "bin.csv").write_bytes(b"text,label\n\xff\xfe,1\n")
    assert main(["--data", str(tmp_path / "bin.csv"), "--text-column", "text", *base]) == 2
    assert "not a UTF-8 CSV" in capsys.readouterr().err
    with pytest.raises(EvaluationError, match="needs the NLU"):
        score_signal([LabelledRow("x", True)], "out_of_scope", "en", build_settings())
    with pytest.raises(SystemExit):
        main(["--data", str(data), "--signal", "vip", "--text-column", "text", *base[2:]])


def test_read_rows_compares_the_label_exactly(tmp_path: Path) -> None:
    data = tmp_path / "set.csv"
    data.write_text("t,l\na, yes \nb,Yes\n", encoding="utf-8")
    assert [r.positive for r in read_rows(data, "t", "l", "yes")] == [True, False]


def test_out_of_scope_reads_the_nlu_of_a_configuration(tmp_path: Path) -> None:
    data = tmp_path / "oos.csv"
    data.write_text(
        "text,label\nwhat are your opening hours,in\nqwzx plork vrrm,out\nzzz yyy xxx,out\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    argv = [
        "--data",
        str(data),
        "--signal",
        "out_of_scope",
        "--text-column",
        "text",
        "--label-column",
        "label",
        "--positive",
        "out",
        "--config",
        str(DEMO),
        "--json",
    ]
    assert main(argv, out) == 0
    figures = json.loads(out.getvalue().splitlines()[-1])
    assert figures["support"] == 2
    assert figures["recall"] == 1.0


def test_the_benchmark_runs_short() -> None:
    from tests.bench.escalation import main as bench

    lines: list[str] = []
    assert bench(["--quick", "--json"], lines.append) == 0
    figures = json.loads(lines[-1])
    assert figures["false_escalations"]["messages"] == 400
    # the target on BANKING77 (none of whose messages asks for a person)
    assert figures["false_escalations"]["rate"] <= 0.01
    assert {"latency_ms_p99_all", "cpu_ms_p99_all", "sets"} <= set(figures)
    assert any(k.startswith("explicit_request:own fr") for k in figures["sets"])
