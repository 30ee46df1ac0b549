"""The demo config as ``hub simulate`` builds it, once per session (training takes seconds)."""

from __future__ import annotations

from pathlib import Path

import pytest

from automations.simulation import History, Target, read_jsonl
from hub.cli.simulate_setup import target_for

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "config" / "demo"
HISTORY = ROOT / "tests" / "fixtures" / "simulation" / "history.jsonl"


@pytest.fixture(scope="session")
def demo_target() -> Target:
    return target_for(DEMO, encoder=False)


@pytest.fixture(scope="session")
def golden_history() -> History:
    return read_jsonl(HISTORY.read_text(encoding="utf-8").splitlines())
