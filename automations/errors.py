"""Errors of the automations package: one base so the hub can catch them all at once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class AutomationError(Exception):
    """Base of every error raised by automations."""


class FieldValueError(AutomationError):
    """A value refused by a custom field; :meth:`message` says why in a person's words.

    ``code`` is stable (tests, metrics, API clients); ``params`` fill the message.
    """

    def __init__(
        self, field: str, code: str, params: Mapping[str, Any], messages: Mapping[str, str]
    ) -> None:
        self.field = field
        self.code = code
        self.params = dict(params)
        self.messages = dict(messages)
        super().__init__(f"{field}: {self.message('en')}")

    def message(self, language: str) -> str:
        """The refusal in ``language`` (English when that language has no text)."""
        return self.messages.get(language) or self.messages.get("en") or self.code


class UnknownFieldError(AutomationError):
    """A write to a field fields.yaml does not define."""


class RuleCompileError(AutomationError):
    """A rule the engine cannot compile (``hub check`` should have caught it)."""


class ActionError(AutomationError):
    """An action could not be planned (e.g. an invalid field value from a template)."""


class SurveyError(AutomationError):
    """A survey or survey state that does not fit the loaded config."""
