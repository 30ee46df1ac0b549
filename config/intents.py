"""Model of ``intents.yaml``: the FAQ the NLU layer answers, and how it is checked.

Each intent carries training examples per language and an answer (text per language or the
name of a snippet) with optional follow-up buttons. Operators may also list out-of-scope
examples: messages this business does not answer, used to calibrate the rejection threshold.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator

from config.errors import ConfigError, Problem
from config.hub import HubFile, LanguageText, QuickButton
from config.source import Location, SourceFile, load_yaml
from config.validation import StrictModel, validate_source

INTENTS_FILE = "intents.yaml"
#: payloads of the "Did this answer your question?" buttons sent after an FAQ answer
CONFIRM_YES = "nlu:answered:yes"
CONFIRM_NO = "nlu:answered:no"
_NAME = r"^[a-z0-9][a-z0-9_.-]{0,63}$"

Example = Annotated[str, Field(min_length=1, max_length=2000)]
Examples = dict[str, tuple[Example, ...]]


class IntentAnswer(StrictModel):
    """What the bot sends when the intent matches: its own text or a snippet's."""

    text: LanguageText | None = None
    snippet: str | None = Field(default=None, min_length=1, max_length=64)
    buttons: tuple[QuickButton, ...] = ()

    @model_validator(mode="after")
    def _one_source(self) -> IntentAnswer:
        if (self.text is None) == (self.snippet is None):
            raise ValueError("an answer needs exactly one of 'text' or 'snippet'")
        return self


class Intent(StrictModel):
    name: str = Field(pattern=_NAME)
    description: str = ""
    examples: Examples
    answer: IntentAnswer

    @model_validator(mode="after")
    def _has_examples(self) -> Intent:
        if not any(texts for texts in self.examples.values()):
            raise ValueError(f"intent '{self.name}' needs at least one training example")
        return self


class DialogflowSettings(StrictModel):
    """A Dialogflow CX agent; credentials come from the environment, never from this file."""

    project: str = Field(min_length=1)
    location: str = Field(default="global", min_length=1)
    agent: str = Field(min_length=1)
    credentials_file_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    timeout_s: float = Field(default=2.0, gt=0, le=30)


class NluSettings(StrictModel):
    provider: Literal["local", "dialogflow_cx"] = "local"
    dialogflow: DialogflowSettings | None = None
    confirm_answer: bool = True
    """Send "Did this answer your question?" buttons after an FAQ answer."""
    in_scope_retention: float = Field(default=0.95, ge=0.5, le=1.0)
    """Share of in-scope questions (held out from the examples) the bot must still answer;
    the "I don't know" threshold then rejects as much out-of-scope as that allows. Lower it
    to catch more off-topic messages at the cost of more unanswered known questions
    (``hub nlu evaluate`` prints the trade)."""
    full_model_in_line_up_to: int = Field(default=5000, ge=0)
    """Up to this many training examples the full model (sentence encoder included) trains
    before the bot answers; above, the fast model answers at once while the full one trains
    in the background and takes over when ready (``/readyz`` says which serves). About
    5,000 examples keep a cold start under 30 s on two cores."""

    @model_validator(mode="after")
    def _dialogflow_needs_agent(self) -> NluSettings:
        if self.provider == "dialogflow_cx" and self.dialogflow is None:
            raise ValueError("provider 'dialogflow_cx' needs a 'dialogflow' section")
        return self


class IntentsFile(StrictModel):
    settings: NluSettings = NluSettings()
    intents: tuple[Intent, ...] = Field(min_length=1)
    out_of_scope: Examples = Field(default_factory=dict)

    def languages(self) -> tuple[str, ...]:
        """Every language that has training examples, in first-seen order."""
        seen: dict[str, None] = {}
        for intent in self.intents:
            for lang, texts in intent.examples.items():
                if texts:
                    seen.setdefault(lang, None)
        return tuple(seen)


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.casefold()).strip(" ?!.,;:")


def check_intents(intents: IntentsFile, source: SourceFile, hub: HubFile) -> list[Problem]:
    """Cross-checks pydantic cannot do: languages, duplicates, a one-intent FAQ."""
    problems: list[Problem] = []
    declared = list(hub.languages)

    def check_lang(loc: Location, lang: str) -> None:
        if lang not in hub.languages:
            problems.append(
                source.problem(loc, f"language '{lang}' is not in languages {declared}")
            )

    if len(intents.intents) == 1:
        problems.append(
            source.problem(
                ("intents",),
                "only one intent: every message will be either this intent or out-of-scope; "
                "add intents or out_of_scope examples",
                "warning",
            )
        )
    names: dict[str, int] = {}
    owner: dict[str, tuple[str, int]] = {}
    for index, intent in enumerate(intents.intents):
        base: Location = ("intents", index)
        if intent.name in names:
            problems.append(
                source.problem(
                    (*base, "name"),
                    f"duplicate intent '{intent.name}' (first at item {names[intent.name]})",
                )
            )
        names.setdefault(intent.name, index)
        for lang, texts in intent.examples.items():
            check_lang((*base, "examples", lang), lang)
            for position, text in enumerate(texts):
                key = _norm(text)
                first = owner.get(key)
                if first is not None and first[0] != intent.name:
                    problems.append(
                        source.problem(
                            (*base, "examples", lang, position),
                            f"example '{text}' is also an example of intent '{first[0]}'",
                            "warning",
                        )
                    )
                owner.setdefault(key, (intent.name, index))
        if intent.answer.text is not None:
            loc: Location = (*base, "answer", "text")
            for lang in intent.answer.text:
                check_lang((*loc, lang), lang)
            if hub.default_language not in intent.answer.text:
                problems.append(
                    source.problem(
                        loc, f"needs a text in the default language '{hub.default_language}'"
                    )
                )
        for b_index, button in enumerate(intent.answer.buttons):
            for lang in button.title:
                check_lang((*base, "answer", "buttons", b_index, "title", lang), lang)
    for lang, texts in intents.out_of_scope.items():
        check_lang(("out_of_scope", lang), lang)
        for position, text in enumerate(texts):
            first = owner.get(_norm(text))
            if first is not None:
                problems.append(
                    source.problem(
                        ("out_of_scope", lang, position),
                        f"out-of-scope example '{text}' is also an example of intent '{first[0]}'",
                        "warning",
                    )
                )
    return problems


def load_intents(
    path: Path, display: str, hub: HubFile
) -> tuple[IntentsFile | None, list[Problem], SourceFile | None]:
    """Load, validate and cross-check one ``intents.yaml``; problems are never raised."""
    try:
        source = load_yaml(path, display)
    except ConfigError as exc:
        return None, list(exc.problems), None
    intents, problems = validate_source(IntentsFile, source)
    if intents is not None:
        problems += check_intents(intents, source, hub)
    return intents, problems, source
