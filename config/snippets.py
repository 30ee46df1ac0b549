"""Model of ``snippets.yaml``: canned responses that agents, intents and rules send.

A snippet has a unique ``name`` (what ``intents.yaml`` and ``rules.yaml`` refer to), a
``shortcut`` agents type after ``/`` in the inbox (the name by default), an optional
``title`` and ``tags`` for search, a text per language and optional buttons. Its texts are
sandboxed Jinja templates over a small, fixed set of variables (:data:`VARIABLES`); a
template that reads anything else is refused at load, so a snippet never fails in front of a
customer for a typo.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Annotated, Any

from jinja2 import TemplateSyntaxError
from pydantic import AfterValidator, Field, field_validator

from config.automation_types import did_you_mean
from config.errors import ConfigError, Problem
from config.hub import HubFile, QuickButton
from config.intents import IntentsFile
from config.source import Location, SourceFile, load_yaml
from config.templates import private_attributes, variables_used
from config.validation import StrictModel, validate_source

SNIPPETS_FILE = "snippets.yaml"
_SLUG = r"^[a-z0-9][a-z0-9_-]{0,63}$"

#: Every variable a snippet may read, with what it holds (README documents the same set).
#: A missing value renders as an empty string; templates write their own fallback, per
#: language (``{{ contact.first_name or "there" }}``).
VARIABLES: Mapping[str, str] = {
    "contact.name": "the contact's name",
    "contact.first_name": "the first word of the contact's name",
    "contact.email": "the contact's email address",
    "contact.fields.FIELD": "the value of a custom field of fields.yaml",
    "conversation.id": "the conversation's id",
    "ticket.id": "the reference to quote to the customer (the conversation's id)",
    "agent.name": "the agent replying, or assigned to the conversation",
    "inbox.name": "the inbox's name in hub.yaml, else the hub's name",
}
#: the placeholder of ``contact.fields.FIELD``: any field name of fields.yaml
FIELD = "FIELD"

SnippetText = Annotated[str, Field(min_length=1, max_length=4096)]


def _slug(value: str) -> str:
    if not re.fullmatch(_SLUG, value):
        raise ValueError(
            f"'{value}' is not a slug: lowercase letters, digits, '-' and '_' (e.g. refund-policy)"
        )
    return value


Slug = Annotated[str, AfterValidator(_slug)]


class Snippet(StrictModel):
    name: Slug
    shortcut: Slug | None = None
    title: str = Field(default="", max_length=200)
    tags: tuple[Annotated[str, Field(min_length=1, max_length=40)], ...] = ()
    text: dict[str, SnippetText]
    buttons: tuple[QuickButton, ...] = ()

    @field_validator("shortcut", mode="before")
    @classmethod
    def _without_slash(cls, value: Any) -> Any:
        """``shortcut: /hi`` and ``shortcut: hi`` are the same command."""
        return value.removeprefix("/") if isinstance(value, str) else value

    @property
    def command(self) -> str:
        """What the agent types after ``/``."""
        return self.shortcut or self.name


class SnippetsFile(StrictModel):
    snippets: tuple[Snippet, ...] = ()

    @property
    def names(self) -> frozenset[str]:
        return frozenset(s.name for s in self.snippets)

    def get(self, name: str) -> Snippet | None:
        return next((s for s in self.snippets if s.name == name), None)


def _tree() -> dict[str, Any]:
    """:data:`VARIABLES` as nested dicts; a leaf is None."""
    tree: dict[str, Any] = {}
    for dotted in VARIABLES:
        node = tree
        *parents, leaf = dotted.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = None
    return tree


_TREE = _tree()
_LEAVES = tuple(v for v in VARIABLES if not v.endswith(f".{FIELD}"))


def check_variable(path: tuple[str, ...], fields: Collection[str] | None) -> str | None:
    """Why a template may not read ``path`` (None when it may); ``fields`` are the names of
    fields.yaml (None: not known, any field name is accepted)."""
    dotted = ".".join(path)
    node: Any = _TREE
    for depth, key in enumerate(path):
        if not isinstance(node, dict):
            return f"unknown variable '{dotted}'{did_you_mean(dotted, _LEAVES)}"
        if FIELD in node:
            if fields is not None and key not in fields:
                return f"unknown field '{key}' in '{dotted}'{did_you_mean(key, fields)}"
            node = node[FIELD]
        elif key in node:
            node = node[key]
        else:
            known = _LEAVES if depth == 0 else [v for v in _LEAVES if v.startswith(f"{path[0]}.")]
            hint = did_you_mean(dotted, known) or f" (use one of {', '.join(VARIABLES)})"
            return f"unknown variable '{dotted}'{hint}"
    if isinstance(node, dict):
        inside = sorted(v for v in VARIABLES if v.startswith(f"{dotted}."))
        return f"'{dotted}' is not a value: use {', '.join(inside)}"
    return None


def check_template(template: str, fields: Collection[str] | None) -> list[str]:
    """What is wrong with one snippet text: syntax, unknown variables, private attributes.

    A multi-line text says on which of its lines (the file line is the text's key)."""
    multiline = "\n" in template.strip()

    def at(message: str, line: int | None) -> str:
        return f"{message} (line {line} of the text)" if multiline and line else message

    try:
        uses = variables_used(template)
        private = private_attributes(template)
    except TemplateSyntaxError as exc:
        return [at(f"template error: {exc.message}", exc.lineno)]
    messages = [
        at(f"attribute '{name}' is not allowed in a template", line) for name, line in private
    ]
    for use in uses:
        message = check_variable(use.path, fields)
        if message is not None and at(message, use.line) not in messages:
            messages.append(at(message, use.line))
    return messages


def check_snippets(
    file: SnippetsFile, source: SourceFile, hub: HubFile, fields: Collection[str] | None
) -> list[Problem]:
    """Cross-checks pydantic cannot do: unique names and shortcuts, languages, templates."""
    problems: list[Problem] = []
    declared = list(hub.languages)
    names: dict[str, int] = {}
    commands: dict[str, int] = {}
    for index, snippet in enumerate(file.snippets):
        base: Location = ("snippets", index)
        if snippet.name in names:
            line = source.line_of(("snippets", names[snippet.name], "name"))
            problems.append(
                source.problem(
                    (*base, "name"), f"duplicate snippet '{snippet.name}' (first on line {line})"
                )
            )
        names.setdefault(snippet.name, index)
        if snippet.command in commands:
            first = file.snippets[commands[snippet.command]].name
            where = (*base, "shortcut") if snippet.shortcut else (*base, "name")
            problems.append(
                source.problem(
                    where, f"shortcut '/{snippet.command}' is also snippet '{first}''s shortcut"
                )
            )
        commands.setdefault(snippet.command, index)
        text_loc: Location = (*base, "text")
        for lang, template in snippet.text.items():
            if lang not in hub.languages:
                problems.append(
                    source.problem(
                        (*text_loc, lang), f"language '{lang}' is not in languages {declared}"
                    )
                )
            for message in check_template(template, fields):
                problems.append(source.problem((*text_loc, lang), message))
        if hub.default_language not in snippet.text:
            problems.append(
                source.problem(
                    text_loc, f"needs a text in the default language '{hub.default_language}'"
                )
            )
        for b_index, button in enumerate(snippet.buttons):
            for lang in button.title:
                if lang not in hub.languages:
                    problems.append(
                        source.problem(
                            (*base, "buttons", b_index, "title", lang),
                            f"language '{lang}' is not in languages {declared}",
                        )
                    )
    return problems


def check_intent_snippets(
    intents: IntentsFile, source: SourceFile, names: Collection[str]
) -> list[Problem]:
    """Intents whose answer names a snippet that ``snippets.yaml`` does not define."""
    return [
        source.problem(
            ("intents", index, "answer", "snippet"),
            f"unknown snippet '{intent.answer.snippet}'"
            f"{did_you_mean(intent.answer.snippet, names)}",
        )
        for index, intent in enumerate(intents.intents)
        if intent.answer.snippet is not None and intent.answer.snippet not in names
    ]


def load_snippets(
    path: Path, display: str, hub: HubFile, fields: Collection[str] | None
) -> tuple[SnippetsFile | None, list[Problem], SourceFile | None]:
    """Load, validate and cross-check one ``snippets.yaml``; problems are never raised."""
    try:
        source = load_yaml(path, display)
    except ConfigError as exc:
        return None, list(exc.problems), None
    if source.data is None or source.data == {}:
        return SnippetsFile(), [], source
    snippets, problems = validate_source(SnippetsFile, source)
    if snippets is not None:
        problems += check_snippets(snippets, source, hub, fields)
    return snippets, problems, source
