"""The one error hierarchy of the hub package."""

from __future__ import annotations


class HubError(Exception):
    """Base of every hub error."""


class NotFound(HubError):
    """A conversation, inbox or agent that does not exist (or that the caller may not see)."""


class Forbidden(HubError):
    """The caller is authenticated but its role does not allow this."""


class BodyTimeout(HubError):
    """A request body that did not arrive within ``HUB_BODY_TIMEOUT_S`` (408, closed)."""


class InvalidRequest(HubError):
    """A request body that cannot be used; the message is the one-line reason."""


class ConversationChanged(HubError):
    """A conversation changed between reading it and writing a decision about it (two
    agents taking it at once): the write is refused and its transaction rolled back."""
