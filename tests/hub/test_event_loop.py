"""The serving loop: uvloop by default where installed, asyncio's on request."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from click.testing import CliRunner

from config.errors import SettingsError
from config.settings import load_settings
from hub import event_loop
from hub.cli.main import main


async def _loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


def test_asyncio_choice_runs_the_standard_loop() -> None:
    assert event_loop.run(_loop_module(), "asyncio").startswith("asyncio")


def test_auto_runs_uvloop_when_installed() -> None:
    pytest.importorskip("uvloop", reason="uvloop is not installed here")
    assert event_loop.run(_loop_module(), "auto").startswith("uvloop")


def test_auto_falls_back_to_asyncio_without_uvloop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_loop, "uvloop_installed", lambda: False)
    assert event_loop.run(_loop_module(), "auto").startswith("asyncio")


def test_asking_for_uvloop_without_it_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_loop, "uvloop_installed", lambda: False)
    with pytest.raises(event_loop.EventLoopUnavailable, match="uvloop is not installed"):
        event_loop.loop_factory("uvloop")


def test_unknown_loop_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_EVENT_LOOP", "trio")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert any("HUB_EVENT_LOOP" in str(p) or "event_loop" in str(p) for p in caught.value.problems)


def test_hub_serve_without_the_asked_loop_exits_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(event_loop, "uvloop_installed", lambda: False)
    environ = {"HUB_EVENT_LOOP": "uvloop", "HUB_DATA_DIR": str(tmp_path)}
    result = CliRunner().invoke(main, ["serve"], env=environ, catch_exceptions=False)
    assert result.exit_code == 2
    assert result.output.strip() == "HUB_EVENT_LOOP=uvloop but uvloop is not installed"
    assert not (tmp_path / "hub.sqlite3").exists()  # nothing started
