"""Brains for the tests of ``decide``: the demo config with its NLU (trained once per
session), and small configs written to a temporary directory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from automations.conversation import Brain
from config.loader import load_config
from tests.automations.conftest import Chat
from tests.support.brain import DEMO, brain_for, demo_config

HUB_YAML = """\
name: Test hub
languages: [en, fr]
default_language: en
timezone: Europe/Paris
inboxes:
  - slug: demo
    kind: webchat
    name: Website chat
"""


@pytest.fixture(scope="session")
def demo_brain(tmp_path_factory: pytest.TempPathFactory) -> Brain:
    return brain_for(demo_config(), cache_dir=tmp_path_factory.mktemp("nlu-cache"))


@pytest.fixture(scope="session")
def demo_engine_brain() -> Brain:
    """The demo config without its NLU (what ``Chat(engine, runner)`` runs)."""
    return brain_for(demo_config(), nlu=False)


@pytest.fixture
def demo_chat(demo_brain: Brain) -> Chat:
    """A web chat visitor named Ana on the demo config, NLU included, no language yet."""
    return Chat(brain=demo_brain, language=None)


MakeBrain = Callable[..., Brain]


@pytest.fixture
def make_brain(tmp_path: Path) -> MakeBrain:
    """A brain over ``files`` (name -> YAML) beside a small hub.yaml (or the one given)."""

    def make(files: dict[str, str], hub_yaml: str = HUB_YAML, nlu: bool = True) -> Brain:
        folder = tmp_path / f"config{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        (folder / "hub.yaml").write_text(hub_yaml, encoding="utf-8")
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        return brain_for(load_config(folder), nlu=nlu, cache_dir=tmp_path / "nlu-cache")

    return make


__all__ = ["DEMO", "HUB_YAML", "MakeBrain"]
