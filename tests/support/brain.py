"""The brain as tests and benchmarks build it: the demo config, its snippets through the
hub's adapter (``hub.bot.step.snippet_renderer``), an empty conversation state."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from automations.conversation import (
    Brain,
    Channel,
    ContactSnapshot,
    ConversationSnapshot,
    ConversationState,
    build_brain,
)
from automations.fields import FieldValidator
from automations.nlu import ClassifierOptions
from automations.rules import RuleEngine
from automations.surveys import SurveyRunner
from config.loader import AppConfig, load_config
from hub.bot.step import snippet_renderer
from snippets import SnippetLibrary

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "config" / "demo"


@lru_cache(maxsize=2)
def demo_config() -> AppConfig:
    return load_config(DEMO)


def brain_for(
    config: AppConfig,
    *,
    nlu: bool = True,
    cache_dir: Path | None = None,
    options: ClassifierOptions | None = None,
) -> Brain:
    """``config``'s brain with its snippets; ``nlu=False`` leaves intents.yaml out."""
    if not nlu:
        config = replace(config, intents=None)
    library = SnippetLibrary.from_config(config.snippets, config.hub)
    return build_brain(
        config, cache_dir=cache_dir, snippets=snippet_renderer(library), options=options
    )


def brain_around(config: AppConfig, engine: RuleEngine, runner: SurveyRunner) -> Brain:
    """A brain without NLU over an engine and survey runner compiled elsewhere."""
    base = brain_for(config, nlu=False)
    return replace(
        base, engine=engine, surveys=runner, validator=FieldValidator(config.automation.fields)
    )


def empty_state(
    *,
    conversation_id: int = 1,
    inbox: str = "demo",
    channel: str = "webchat",
    max_buttons: int = 10,
    name: str | None = "Ana",
    language: str | None = None,
) -> ConversationState:
    return ConversationState(
        contact=ContactSnapshot(id=conversation_id, name=name),
        conversation=ConversationSnapshot(
            id=conversation_id,
            inbox=inbox,
            channel=Channel(channel, max_buttons),
            language=language,
        ),
    )
