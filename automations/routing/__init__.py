"""Routing, as pure functions: business hours, SLA clocks, the choice of agent, the queue,
wait estimates and what the customer is told.

``Roster.from_config(teams_file, timezone)`` compiles ``teams.yaml`` once; ``route_handoff``
is the one call for a conversation handed to a person; everything else
takes frozen values (agents' states, a conversation's :class:`Request`) and ``now``, and
returns frozen values. The hub reads presence and open loads, calls these, and writes what
they return (assignments, queue rows, timers, messages) in one transaction.
"""

from automations.routing.assign import choose
from automations.routing.calendar import BusinessCalendar
from automations.routing.errors import RoutingError
from automations.routing.eta import WaitEstimate, correction_due, estimate_for
from automations.routing.handoff import Routed, route_handoff
from automations.routing.model import AgentState, Assignment, Choice, Queued, Request
from automations.routing.queue import Drained, drain, ordered
from automations.routing.roster import Roster

__all__ = [
    "AgentState",
    "Assignment",
    "BusinessCalendar",
    "Choice",
    "Drained",
    "Queued",
    "Request",
    "Roster",
    "Routed",
    "RoutingError",
    "WaitEstimate",
    "choose",
    "correction_due",
    "drain",
    "estimate_for",
    "ordered",
    "route_handoff",
]
