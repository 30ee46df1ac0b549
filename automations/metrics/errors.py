"""The metrics package's one error: an event log the definitions cannot read."""

from automations.errors import AutomationError


class MetricsError(AutomationError):
    """A log row that breaks a definition (naive time, CSAT outside 1-5, ...)."""


__all__ = ["MetricsError"]
