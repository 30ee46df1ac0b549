"""The one error hierarchy of the channels package."""

from __future__ import annotations


class ChannelError(Exception):
    """Base of every channel error."""


class WebhookRejected(ChannelError):
    """The request is not from the provider (bad signature, token or handshake)."""

    def __init__(self, reason: str, status: int = 401) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class PayloadInvalid(ChannelError):
    """The body is authentic but cannot be parsed; answered with 400 and a one-line reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class PayloadLimitExceeded(PayloadInvalid):
    """The body breaks an input limit (nesting depth, integer size, NaN/Infinity); a 400.

    A subclass of :class:`PayloadInvalid` so every web layer that maps that to 400 maps
    this too; its own class lets a metric or a test tell "hostile shape" from "garbled"."""


class MissingSecret(ChannelError):
    """An env var named by the inbox config is not set."""

    def __init__(self, inbox: str, names: list[str]) -> None:
        super().__init__(f"inbox '{inbox}': environment variable(s) not set: {', '.join(names)}")
        self.inbox = inbox
        self.names = names


class SendError(ChannelError):
    """Base of outbound failures; ``reason`` is what operators see on the message."""

    def __init__(self, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


class TransientSendError(SendError):
    """Try again later (429, 5xx, timeouts); ``retry_after`` is the provider's own delay."""

    def __init__(self, reason: str, code: str | None = None, retry_after: float | None = None):
        super().__init__(reason, code)
        self.retry_after = retry_after


class PermanentSendError(SendError):
    """Never retry (blocked user, invalid recipient, outside the 24-hour window...)."""


class MediaRefused(PermanentSendError):
    """A media URL, redirect or resolved address the fetch policy does not allow
    (``channels/media_policy.py``). Permanent: the same URL is refused every time; a
    subclass of :class:`SendError` so callers that map provider failures keep working."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, "media_policy")
