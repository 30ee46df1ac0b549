"""hub.yaml validation: every problem as ``file:line: message``; `hub check` exits 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from config.errors import ConfigError
from config.loader import load_config
from config.settings import Settings
from hub.cli.main import main

ROOT = Path(__file__).resolve().parents[2]


def _problems(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "hub.yaml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    return [str(p).replace(str(tmp_path), "CFG") for p in info.value.problems]


def test_the_demo_config_is_valid() -> None:
    config = load_config(ROOT / "config" / "demo")
    assert config.inbox("demo") is not None


def test_unknown_key_is_located(tmp_path: Path) -> None:
    assert _problems(
        tmp_path, "name: x\ninboxes:\n  - slug: web\n    kind: webchat\n    colour: red\n"
    ) == ["CFG/hub.yaml:5: unknown key 'colour'"]


def test_wrong_type_and_unknown_kind(tmp_path: Path) -> None:
    text = (
        "languages: [en]\ninboxes:\n  - slug: w\n    kind: fax\n"
        "  - slug: a\n    kind: api\n    secrets: {signing_secret: 42}\n"
    )
    problems = _problems(tmp_path, text)
    assert problems[0].startswith("CFG/hub.yaml:3: inboxes: Input tag 'fax' found using 'kind'")
    assert (
        problems[1]
        == "CFG/hub.yaml:7: inboxes.secrets.signing_secret: Input should be a valid string"
    )


def test_a_secret_value_pasted_instead_of_an_env_name(tmp_path: Path) -> None:
    text = (
        "inboxes:\n  - slug: a\n    kind: api\n    secrets:\n      signing_secret: s3cr3t-value\n"
    )
    assert _problems(tmp_path, text) == [
        "CFG/hub.yaml:5: inboxes.secrets.signing_secret: 's3cr3t-value' is not an environment "
        "variable name; secrets are given by the name of the variable that holds them "
        "(e.g. WHATSAPP_APP_SECRET)"
    ]


def test_duplicate_slug_bad_timezone_and_undeclared_language(tmp_path: Path) -> None:
    text = (
        "languages: [en]\n"
        "timezone: Mars/Olympus\n"
        "inboxes:\n"
        "  - {slug: web, kind: webchat}\n"
        "  - {slug: web, kind: webchat, language: fr}\n"
    )
    assert _problems(tmp_path, text) == [
        "CFG/hub.yaml:5: duplicate inbox slug 'web' (first at item 0)",
        "CFG/hub.yaml:5: language 'fr' is not in languages ['en']",
        "CFG/hub.yaml:2: unknown timezone 'Mars/Olympus'",
    ]


def test_yaml_syntax_error_and_duplicate_keys(tmp_path: Path) -> None:
    assert _problems(tmp_path, "name: x\ninboxes: [\n") == [
        "CFG/hub.yaml:3: invalid YAML: expected the node content, but found '<stream end>'"
    ]
    assert _problems(tmp_path, "name: x\nname: y\n") == ["CFG/hub.yaml:2: duplicate key 'name'"]


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "nowhere")
    assert [str(p) for p in info.value.problems] == [
        f"{tmp_path}/nowhere/hub.yaml:1: file not found"
    ]


def test_hub_check_prints_problems_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text("name: x\nbogus: 1\n")
    result = CliRunner().invoke(main, ["check", "--config", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == f"{tmp_path}/hub.yaml:2: unknown key 'bogus'"


def test_hub_check_accepts_the_demo() -> None:
    result = CliRunner().invoke(main, ["check", "--config", str(ROOT / "config" / "demo")])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output


def test_bad_environment_setting_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from config.errors import SettingsError
    from config.settings import load_settings

    monkeypatch.setenv("HUB_PUBLIC_URL", "not a url")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert str(info.value.problems[0]).startswith("environment:0: HUB_PUBLIC_URL:")
    assert Settings(public_url="https://hub.example.com/").public_url == "https://hub.example.com"
