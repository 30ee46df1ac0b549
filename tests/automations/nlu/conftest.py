"""Fixtures of the NLU tests: small FAQ sets built in memory and the demo configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from automations.nlu.engine import NluEngine
from config.hub import HubFile
from config.intents import load_intents
from config.knowledge import load_knowledge
from tests.automations.nlu.sets import faq

ROOT = Path(__file__).resolve().parents[3]
DEMO = ROOT / "config" / "demo"


@pytest.fixture(scope="session")
def hub() -> HubFile:
    return HubFile(languages=("en", "fr"), default_language="en")


@pytest.fixture(scope="session")
def engine(hub: HubFile) -> NluEngine:
    return NluEngine.build(faq(), hub.languages, hub.default_language)


@pytest.fixture(scope="session")
def demo_engine() -> NluEngine:
    """The demo configuration the web chat serves, with its knowledge articles."""
    from config.loader import load_config

    config = load_config(DEMO)
    intents, problems, _ = load_intents(DEMO / "intents.yaml", "intents.yaml", config.hub)
    assert intents is not None, problems
    articles, problems = load_knowledge(DEMO, "config/demo", config.hub)
    assert not problems
    return NluEngine.build(intents, config.hub.languages, config.hub.default_language, articles)
