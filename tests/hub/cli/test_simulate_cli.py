"""``hub simulate`` through click's CliRunner: the JSON line, the HTML file, the gates'
exit codes (1 crossed, 2 unreadable) and input it cannot open."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from hub.cli.main import main

ROOT = Path(__file__).resolve().parents[3]
HISTORY = ROOT / "tests" / "fixtures" / "simulation" / "history.jsonl"
CHATWOOT = ROOT / "tests" / "fixtures" / "simulation" / "chatwoot.json"
DEMO = str(ROOT / "config" / "demo")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 20 conversations and the first bad line of the golden history."""
    lines = HISTORY.read_text(encoding="utf-8").splitlines()[:51]
    path = tmp_path_factory.mktemp("history") / "small.jsonl"
    path.write_text("\n".join([*lines[:20], lines[50]]) + "\n", encoding="utf-8")
    return path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["simulate", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_last_line_and_html(small: Path, tmp_path: Path) -> None:
    report = tmp_path / "out.html"
    code, out, _ = _run(
        "--history", str(small), "--config", DEMO, "--json", "--report", str(report)
    )
    assert code == 0
    data = json.loads(out.strip().splitlines()[-1])
    for key in ("conversations", "automated", "escalated", "out_of_scope", "abandoned"):
        assert isinstance(data[key], int)
    assert isinstance(data["escalated_by_reason"], dict)
    assert data["conversations"] == 20
    assert data["skipped_lines"] == 1
    page = report.read_text(encoding="utf-8")
    assert page.count("<svg") >= 2
    for fetch in ("<script", "<link", 'src="http', "url(http", "<img"):
        assert fetch not in page  # one static file: nothing to load


def test_fail_if_crossed_exits_1_and_unknown_metric_exits_2(small: Path) -> None:
    # 20 conversations, templates in turn: 6 escalated (faq_no_human, human_button,
    # human_at_night at 2, 3, 4 and 12, 13, 14): escalation_rate 0.3
    code, out, _ = _run(
        "--history", str(small), "--config", DEMO, "--fail-if", "escalation_rate>0.25"
    )
    assert code == 1
    assert "escalation_rate=0.3 > 0.25" in out
    code, _, _ = _run("--history", str(small), "--config", DEMO, "--fail-if", "escalation_rate>0.5")
    assert code == 0
    code, _, err = _run(
        "--history", str(small), "--config", DEMO, "--fail-if", "escalaton_rate>0.2"
    )
    assert code == 2
    assert "did you mean 'escalation_rate'" in err


def test_chatwoot_file_is_detected(tmp_path: Path) -> None:
    code, out, _ = _run("--history", str(CHATWOOT), "--config", DEMO, "--json")
    assert code == 0
    data = json.loads(out.strip().splitlines()[-1])
    assert data["conversations"] == 2
    assert data["skipped_lines"] == 1  # the e-mail conversation
    assert data["skipped"]["private note"] == 1


def test_missing_history_and_bad_since(tmp_path: Path) -> None:
    code, _, err = _run("--history", str(tmp_path / "nope.jsonl"), "--config", DEMO)
    assert code == 2
    assert "cannot read" in err
    code, _, _ = _run("--history", str(HISTORY), "--config", DEMO, "--since", "soon")
    assert code == 2


def test_a_broken_config_is_file_line_and_exit_2(small: Path) -> None:
    broken = ROOT / "tests" / "config" / "broken_escalation" / "yaml_syntax"
    code, _, err = _run("--history", str(small), "--config", str(broken))
    assert code == 2
    assert "escalation.yaml:" in err
