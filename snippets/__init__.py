"""Canned responses: rendering with variables in a language, and search for the ``/`` command.

Pure: the snippets of ``config.snippets`` and the conversation's values in, text out. The
hub builds one :class:`SnippetLibrary` per loaded config and sends what it renders.
"""

from snippets.errors import RenderError, SnippetError, UnknownSnippet
from snippets.library import Rendered, RenderedButton, SnippetLibrary
from snippets.search import SearchHit, find
from snippets.variables import Variables

__all__ = [
    "RenderError",
    "Rendered",
    "RenderedButton",
    "SearchHit",
    "SnippetError",
    "SnippetLibrary",
    "UnknownSnippet",
    "Variables",
    "find",
]
