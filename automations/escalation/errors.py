"""The escalation package's one error hierarchy."""

from __future__ import annotations


class EscalationError(Exception):
    """Base of every error raised by ``automations.escalation``."""


class EvaluationError(EscalationError):
    """A labelled data set cannot be scored (missing file or column, no rows)."""


class HandoffError(EscalationError):
    """A handoff record cannot be built or moved to the requested status."""
