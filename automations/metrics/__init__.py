"""Metric definitions: pure functions over the reporting event log.

The log is a sequence of :class:`LoggedEvent` (the brain's reporting events with where
they happened, :func:`logged`); :func:`rounds` cuts it into conversation rounds with one
:class:`Outcome` each, and every measure in :mod:`automations.metrics.measures` reads
those. The live reports and ``hub simulate`` call the same functions.
"""

from automations.metrics.errors import MetricsError
from automations.metrics.events import REPLIES, Kind, LoggedEvent, Where, logged
from automations.metrics.measures import (
    Csat,
    PromiseAccuracy,
    Rates,
    csat,
    escalation_by_reason,
    first_response_times,
    promise_accuracy,
    rates,
    resolution_times_after_escalation,
    sla_breaches,
)
from automations.metrics.rounds import DEFAULT_WINDOW, Outcome, Round, outcomes, rounds
from automations.metrics.stats import Distribution, share

__all__ = [
    "DEFAULT_WINDOW",
    "REPLIES",
    "Csat",
    "Distribution",
    "Kind",
    "LoggedEvent",
    "MetricsError",
    "Outcome",
    "PromiseAccuracy",
    "Rates",
    "Round",
    "Where",
    "csat",
    "escalation_by_reason",
    "first_response_times",
    "logged",
    "outcomes",
    "promise_accuracy",
    "rates",
    "resolution_times_after_escalation",
    "rounds",
    "share",
    "sla_breaches",
]
