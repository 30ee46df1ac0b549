"""Errors of the snippets package: one base, so callers catch :class:`SnippetError`."""

from __future__ import annotations


class SnippetError(Exception):
    """A snippet could not be used."""


class UnknownSnippet(SnippetError):
    """No snippet has that name (the config changed since the reference was checked)."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no snippet '{name}' in snippets.yaml")


class RenderError(SnippetError):
    """A snippet's template failed (an unknown variable, a blocked attribute)."""
