"""``hub escalation evaluate`` through click's CliRunner: the table, the JSON line, errors."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from automations.escalation.evaluate import SIGNALS
from hub.cli import escalation as cli
from hub.cli.main import main

ROWS = "text,label\ntalk to a human,yes\nno need for an agent,no\nwhere is my parcel,no\n"
DEMO = Path(__file__).resolve().parents[3] / "config" / "demo"


def _evaluate(tmp_path: Path, signal: str, text_column: str = "text", *extra: str) -> Result:
    """``hub escalation evaluate`` over :data:`ROWS` (positives labelled ``yes``)."""
    data = tmp_path / "rows.csv"
    data.write_text(ROWS, encoding="utf-8")
    argv = ["escalation", "evaluate", "--data", str(data), "--signal", signal]
    argv += ["--text-column", text_column, "--label-column", "label", "--positive", "yes"]
    return CliRunner().invoke(main, [*argv, *extra])


def test_evaluate_prints_the_table_and_a_last_json_line(tmp_path: Path) -> None:
    result = _evaluate(tmp_path, "explicit_request", "text", "--config", str(DEMO), "--json")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split()[:2] == ["signal", "lang"]
    figures = json.loads(lines[-1])
    assert (figures["signal"], figures["support"], figures["precision"], figures["recall"]) == (
        "explicit_request",
        1,
        1.0,
        1.0,
    )
    assert {"f1", "latency_ms_p99"} <= set(figures)


def test_a_bad_column_is_a_one_line_error(tmp_path: Path) -> None:
    result = _evaluate(tmp_path, "sensitive", "body")
    assert result.exit_code == 1
    assert "no column 'body'" in result.output
    unknown = _evaluate(tmp_path, "vip")
    assert unknown.exit_code == 2
    assert "Invalid value for '--signal'" in unknown.output


def test_the_cli_offers_exactly_the_signals_evaluate_scores() -> None:
    assert cli.SIGNALS == SIGNALS
