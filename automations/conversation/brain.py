"""The compiled per-config part of the brain, built once per loaded config.

:func:`build_brain` compiles the rules, the surveys and the field validator and trains (or
loads from ``cache_dir``) the NLU; it touches neither a database nor an event loop, so the
hub runs it in a thread at start and on every reload, and a config that cannot be compiled
fails the reload before anything is swapped. The snippet library is passed in (the
``snippets`` package is not one ``automations`` may import): anything callable as
:data:`SnippetRenderer`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from automations.actions import MessageButton
from automations.fields import FieldValidator
from automations.nlu import ClassifierOptions, NluEngine
from automations.rules import Event, EventKind, RuleEngine, Sender
from automations.surveys import SurveyRunner
from config.intents import NluSettings
from config.loader import AppConfig

#: rules.yaml's priority names and the integers stored on the conversation (higher first)
PRIORITIES: Mapping[str, int] = {"low": -1, "normal": 0, "high": 1, "urgent": 2}

#: the ``via`` names a notify action may use when the caller does not say (the hub's
#: notifier registry passes its own)
DEFAULT_NOTIFIERS = frozenset({"inbox", "log"})


def priority_name(value: int) -> str:
    """The name of a stored priority (values between names round down)."""
    name = "low"
    for candidate, level in sorted(PRIORITIES.items(), key=lambda item: item[1]):
        if value >= level:
            name = candidate
    return name


def localized(texts: Mapping[str, str], language: str, default_language: str) -> str:
    """``texts`` in ``language``, else the default language, else any."""
    return texts.get(language) or texts.get(default_language) or next(iter(texts.values()), "")


@dataclass(frozen=True, slots=True)
class SnippetValues:
    """What a snippet's template may read about the conversation (``snippets.Variables``)."""

    conversation_id: str
    contact_name: str | None = None
    contact_email: str | None = None
    contact_fields: Mapping[str, object] = field(default_factory=dict)
    agent_name: str | None = None
    inbox_name: str | None = None


class RenderedButtonLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...


class RenderedSnippet(Protocol):
    """What rendering returns (``snippets.Rendered`` fits)."""

    @property
    def language(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def buttons(self) -> tuple[RenderedButtonLike, ...]: ...


SnippetRenderer = Callable[[str, str, SnippetValues], RenderedSnippet]
"""Renders snippet ``name`` in ``language`` for one conversation; raises any exception
when it cannot (unknown snippet, template error): the brain records it as a failure."""


@dataclass(frozen=True)
class Brain:
    """Everything per config a decision needs; shared read-only by every task."""

    config: AppConfig
    engine: RuleEngine
    surveys: SurveyRunner
    validator: FieldValidator
    #: hub.yaml's greeting goes out on a new conversation when no rule listens to that event
    greets: bool = False
    #: the trained NLU of ``intents.yaml``; None when the config has no such file
    nlu: NluEngine | None = None
    snippets: SnippetRenderer | None = None
    notifiers: frozenset[str] = DEFAULT_NOTIFIERS
    #: lower-cased e-mails the rules' ``assign_agent`` names: the agents the hub loads
    agent_emails: frozenset[str] = frozenset()
    #: parts of the state this config's decisions read beyond the conversation and contact
    #: rows: the hub's loader skips the others (no decision reads pending timers or the
    #: contact's identities yet; a detector or SLA clock that does sets its flag)
    reads_timers: bool = False
    reads_identities: bool = False

    @property
    def reads_transcript(self) -> bool:
        """Typed confirmations and "was it helpful?" read the transcript (NLU only)."""
        return self.nlu is not None

    @property
    def nlu_settings(self) -> NluSettings | None:
        intents = self.config.intents
        return intents.settings if intents is not None else None

    @property
    def remote_nlu(self) -> bool:
        """The config classifies through a remote provider (the hub calls it before decide)."""
        settings = self.nlu_settings
        return self.nlu is not None and settings is not None and settings.provider != "local"

    @property
    def confirm(self) -> bool:
        settings = self.nlu_settings
        return settings is not None and settings.confirm_answer

    def greeting(self, language: str) -> tuple[str, tuple[MessageButton, ...]]:
        greeting = self.config.hub.greeting
        assert greeting is not None
        default = self.config.hub.default_language
        return localized(greeting.text, language, default), tuple(
            MessageButton(b.id, localized(b.title, language, default)) for b in greeting.buttons
        )


def build_brain(
    config: AppConfig,
    *,
    cache_dir: Path | None = None,
    snippets: SnippetRenderer | None = None,
    notifiers: frozenset[str] = DEFAULT_NOTIFIERS,
    options: ClassifierOptions | None = None,
) -> Brain:
    """Compile the automation files and train the NLU once; raises when they cannot run.

    Training takes seconds the first time a config is seen (then the model comes from
    ``cache_dir``); ``options`` are the classifier's (the benchmark switches the sentence
    encoder off with ``transformer_weight=0``).
    """
    automation = config.automation
    engine = RuleEngine.from_config(config.hub, automation)
    surveys = SurveyRunner(
        automation.surveys, automation.fields, default_language=config.hub.default_language
    )
    opened = engine.candidates(Event(EventKind.CONVERSATION_OPENED, sender=Sender.SYSTEM))
    nlu = None
    if config.intents is not None:
        nlu = NluEngine.build(
            config.intents,
            config.hub.languages,
            config.hub.default_language,
            config.knowledge,
            cache_dir=cache_dir,
            options=options,
        )
    agents = frozenset(
        str(step.params).casefold()
        for rule in automation.rules.rules
        for step in rule.then
        if step.name == "assign_agent"
    )
    return Brain(
        config=config,
        engine=engine,
        surveys=surveys,
        validator=FieldValidator(automation.fields),
        greets=config.hub.greeting is not None and not opened,
        nlu=nlu,
        snippets=snippets,
        notifiers=notifiers,
        agent_emails=agents,
    )


__all__ = [
    "DEFAULT_NOTIFIERS",
    "PRIORITIES",
    "Brain",
    "RenderedSnippet",
    "SnippetRenderer",
    "SnippetValues",
    "build_brain",
    "localized",
    "priority_name",
]
