"""Rule message templates: the shared sandboxed renderer (``config.templates``), lenient.

Rules print whatever the conversation has: a missing value is blank, however deep
(``{{ contact.company.name }}``). Jinja's errors (syntax, a blocked attribute such as
``__class__``) become :class:`ActionError`, which the engine records against the rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import TemplateError

from automations.errors import ActionError
from config import templates


class Template:
    """A rule text compiled once (see :class:`config.templates.Template` for the fast path)."""

    __slots__ = ("_template",)

    def __init__(self, source: str) -> None:
        try:
            self._template = templates.Template(source)
        except TemplateError as exc:
            raise ActionError(f"template error: {exc}") from exc

    @property
    def source(self) -> str:
        return self._template.source

    def render(self, context: Mapping[str, Any]) -> str:
        try:
            return self._template.render(context)
        except TemplateError as exc:
            raise ActionError(f"template error: {exc}") from exc


def render_text(source: str, context: Mapping[str, Any]) -> str:
    """Render a one-off text (built-in messages with parameters)."""
    return Template(source).render(context)
