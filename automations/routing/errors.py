"""Errors of the routing package (under :class:`AutomationError`, so the hub catches both)."""

from __future__ import annotations

from automations.errors import AutomationError


class RoutingError(AutomationError):
    """A routing computation cannot be made from what it was given (a naive datetime, a
    calendar that never opens, a transfer to an agent who does not exist)."""
