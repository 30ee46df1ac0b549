"""A snippet previewed for one conversation before an agent sends it: the text as it
would go out, with every ``{{ ... }}`` that would print nothing marked, and the
variables it reads that have no value here.

Why a second render: the text that goes out (:meth:`SnippetLibrary.render`) must not
carry marks, but the agent must see where a value is missing ("Thanks ! We logged ...")
before the customer does. Jinja's ``finalize`` sees each printed value, so an empty one
becomes a mark that splits the text into parts; a fallback the template writes itself
(``{{ contact.first_name or "there" }}``) prints something and is not marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from config.templates import variables_used
from snippets.errors import RenderError, UnknownSnippet
from snippets.library import SnippetLibrary
from snippets.variables import Variables

#: a private-use character: never in operator text, stands for "printed nothing here"
_MARK = "\ue000"


def _finalize(value: Any) -> Any:
    return _MARK if value is None or value == "" else value


_ENV = SandboxedEnvironment(
    autoescape=False, keep_trailing_newline=True, undefined=StrictUndefined, finalize=_finalize
)


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of the previewed text; ``empty`` parts stand where a value printed nothing."""

    text: str
    empty: bool = False


@dataclass(frozen=True, slots=True)
class Preview:
    name: str
    language: str
    #: exactly what sending it would send
    text: str
    parts: tuple[Part, ...]
    #: variables the text reads that have no value for this conversation (dotted names)
    missing: tuple[str, ...]


@lru_cache(maxsize=512)
def _compiled(source: str) -> Any:
    return _ENV.from_string(source)


def _value(context: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = context
    for key in path:
        try:
            value = value[key]
        except (KeyError, TypeError):
            return ""
    return value


def _trim(parts: list[Part]) -> list[Part]:
    """Strip the text as sending does (marks stay), so the parts read exactly as sent."""
    out = list(parts)
    texts = [i for i, part in enumerate(out) if not part.empty]
    for i in texts:  # leading whitespace, across parts that are only whitespace
        out[i] = Part(out[i].text.lstrip())
        if out[i].text:
            break
    for i in reversed(texts):
        out[i] = Part(out[i].text.rstrip())
        if out[i].text:
            break
    return [part for part in out if part.empty or part.text]


def preview(library: SnippetLibrary, name: str, language: str, variables: Variables) -> Preview:
    """``name`` previewed in ``language`` (else the default) for ``variables``.

    Raises :class:`UnknownSnippet` or :class:`RenderError`, like sending would."""
    snippet = library.get(name)
    if snippet is None:
        raise UnknownSnippet(name)
    sent = library.render(name, language, variables)
    source = snippet.text[sent.language]
    context = variables.context()
    try:
        marked = _compiled(source).render(context)
    except TemplateError as exc:
        raise RenderError(f"snippet '{name}' ({sent.language}): {exc}") from exc
    parts: list[Part] = []
    for index, piece in enumerate(marked.split(_MARK)):
        if index:
            parts.append(Part("", empty=True))
        if piece:
            parts.append(Part(piece))
    parts = _trim(parts)
    missing = sorted(
        {use.dotted for use in variables_used(source) if _value(context, use.path) in ("", None)}
    )
    return Preview(name, sent.language, sent.text, tuple(parts), tuple(missing))
