"""``escalation.yaml``: loading with the rest of the config, defaults, and the exact
``file:line: message`` of each class of mistake ``hub check`` reports.

Each directory under ``tests/config/broken_escalation/`` holds one class of mistake and, in
``expected.txt``, every problem ``load_config`` must report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from config.errors import ConfigError
from config.escalation import SIGNAL_KINDS, EscalationFile
from config.loader import load_config

HERE = Path(__file__).parent
BROKEN = HERE / "broken_escalation"
DEMO = HERE.parents[1] / "config" / "demo"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())
HUB = "languages: [en, fr]\ndefault_language: en\n"


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load_config(directory)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("case", CASES)
def test_broken_escalation_reports_exact_problems(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(HERE)  # so problems name `broken_escalation/CASE/FILE`
    expected = (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert expected, "a broken case must expect at least one problem"
    assert problems_of(Path("broken_escalation") / case) == expected


def test_every_class_of_mistake_has_a_case() -> None:
    assert set(CASES) >= {
        "unknown_signal",
        "unknown_detector",
        "unknown_language",
        "threshold",
        "unknown_key",
        "rollout",
        "vip_field",
        "unknown_intent",
        "yaml_syntax",
    }


def test_the_demo_escalation_loads() -> None:
    config = load_config(DEMO)
    assert config.warnings == ()
    assert config.escalation is not None
    signals = config.escalation.signals
    assert signals.explicit_request.action == "escalate"
    assert signals.sensitive.escalate == ("legal",)
    assert config.escalation.inboxes["api"].disabled == ("frustration", "burst")
    assert {"en", "fr"} <= set(config.escalation.words)


def test_no_file_means_no_escalation_and_an_empty_file_means_defaults(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text(HUB)
    assert load_config(tmp_path).escalation is None
    (tmp_path / "escalation.yaml").write_text("")
    file = load_config(tmp_path).escalation
    assert file == EscalationFile()
    assert file is not None
    assert file.signals.explicit_request.action == "escalate"
    assert {k for k in SIGNAL_KINDS if file.signals.of(k).enabled} == set(SIGNAL_KINDS)


def test_durations_and_shorthands(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text(HUB)
    (tmp_path / "escalation.yaml").write_text(
        "signals:\n  burst: {messages: 3, within: 1m}\ncombinations:\n  - within: 2h\n"
    )
    file = load_config(tmp_path).escalation
    assert file is not None
    assert file.signals.burst.within.total_seconds() == 60
    assert file.combinations[0].within.total_seconds() == 7200


def test_a_mapping_is_required(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text(HUB)
    (tmp_path / "escalation.yaml").write_text("- escalate\n")
    assert problems_of(tmp_path) == [
        f"{tmp_path.as_posix()}/escalation.yaml:1: escalation.yaml must be a mapping"
    ]
