"""The snippets of one config, compiled once, rendered for a conversation in its language.

Built by the hub with the bot (``hub.bot.build_bot``), so a reload swaps it with the rest
of the config. Rendering picks the asked language, else the hub's default language (every
snippet has that one: ``hub check`` refuses a snippet without it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from jinja2 import TemplateError

from config.hub import HubFile
from config.snippets import Snippet, SnippetsFile
from config.templates import Template
from snippets.errors import RenderError, UnknownSnippet
from snippets.search import SearchHit, find
from snippets.variables import Variables


@dataclass(frozen=True, slots=True)
class RenderedButton:
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Rendered:
    """A snippet ready to send: its text and button titles in ``language``."""

    name: str
    language: str
    text: str
    buttons: tuple[RenderedButton, ...] = ()


@dataclass(frozen=True)
class _Compiled:
    snippet: Snippet
    texts: Mapping[str, Template]


class SnippetLibrary:
    """Every snippet of ``snippets.yaml``; shared read-only by all tasks of the process."""

    def __init__(self, file: SnippetsFile, default_language: str) -> None:
        self.file = file
        self.default_language = default_language
        self._compiled: dict[str, _Compiled] = {}
        for snippet in file.snippets:
            try:
                texts = {lang: Template(text, strict=True) for lang, text in snippet.text.items()}
            except TemplateError as exc:  # load checks make this a bug, not an operator error
                raise RenderError(f"snippet '{snippet.name}': template error: {exc}") from exc
            self._compiled[snippet.name] = _Compiled(snippet, texts)

    @classmethod
    def from_config(cls, file: SnippetsFile, hub: HubFile) -> SnippetLibrary:
        return cls(file, hub.default_language)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self._compiled)

    def __contains__(self, name: object) -> bool:
        return name in self._compiled

    def get(self, name: str) -> Snippet | None:
        compiled = self._compiled.get(name)
        return compiled.snippet if compiled is not None else None

    def language_for(self, name: str, language: str) -> str:
        """The language ``name`` is sent in when ``language`` is asked."""
        texts = self._entry(name).texts
        if language in texts:
            return language
        if self.default_language in texts:
            return self.default_language
        return next(iter(texts))

    def render(self, name: str, language: str, variables: Variables) -> Rendered:
        """``name`` in ``language`` (else the default language) for one conversation.

        Raises :class:`UnknownSnippet` or :class:`RenderError`; the text is stripped, so a
        YAML block scalar's final newline or an ``{% if %}`` line does not reach the customer.
        """
        entry = self._entry(name)
        chosen = self.language_for(name, language)
        try:
            text = entry.texts[chosen].render(variables.context())
        except TemplateError as exc:
            raise RenderError(f"snippet '{name}' ({chosen}): {exc}") from exc
        buttons = tuple(
            RenderedButton(b.id, _title(b.title, chosen, self.default_language))
            for b in entry.snippet.buttons
        )
        return Rendered(name=name, language=chosen, text=text.strip(), buttons=buttons)

    def find(self, query: str, limit: int = 10) -> tuple[SearchHit, ...]:
        """What the inbox's ``/`` command offers for ``query`` (:func:`snippets.search.find`)."""
        return find(self.file.snippets, query, limit)

    def _entry(self, name: str) -> _Compiled:
        entry = self._compiled.get(name)
        if entry is None:
            raise UnknownSnippet(name)
        return entry


def _title(titles: Mapping[str, str], language: str, default: str) -> str:
    return titles.get(language) or titles.get(default) or next(iter(titles.values()), "")
