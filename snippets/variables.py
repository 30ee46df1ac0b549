"""The values a snippet's template may read: ``config.snippets.VARIABLES``, filled in.

The hub knows the conversation; this module only shapes what it passes into the template
context, so every snippet sees the same names whether the bot, a rule or an agent sends it.
Missing values are empty strings (never ``None``, which would print as "None"); a template
writes its own fallback per language: ``{{ contact.first_name or "there" }}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class FieldValues:
    """``contact.fields``: lookups by field name only, so a field called ``items`` is that
    field and not ``dict.items``; an unset field is an empty string."""

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = {name: _plain(value) for name, value in values.items()}

    def __getitem__(self, name: str) -> Any:
        return self._values.get(name, "")


def _plain(value: Any) -> Any:
    """What a template prints for a stored field value: lists as ``a, b``, None as nothing."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return value


@dataclass(frozen=True, slots=True)
class Variables:
    """One conversation's values, as the hub knows them when a snippet is sent."""

    conversation_id: str
    contact_name: str | None = None
    contact_email: str | None = None
    #: custom field values as stored (JSON values: lists for multi_choice)
    contact_fields: Mapping[str, Any] = field(default_factory=dict)
    #: the reference quoted to the customer; the conversation's id until tickets exist
    ticket_id: str | None = None
    agent_name: str | None = None
    inbox_name: str | None = None

    def context(self) -> dict[str, Any]:
        """The template context: exactly the names of ``config.snippets.VARIABLES``."""
        name = " ".join((self.contact_name or "").split())
        return {
            "contact": {
                "name": name,
                "first_name": name.split(" ", 1)[0] if name else "",
                "email": self.contact_email or "",
                "fields": FieldValues(self.contact_fields),
            },
            "conversation": {"id": self.conversation_id},
            "ticket": {"id": self.ticket_id or self.conversation_id},
            "agent": {"name": self.agent_name or ""},
            "inbox": {"name": self.inbox_name or ""},
        }
