"""The conversation status machine: which status moves each cause may make, in one table.

Every status change of the hub goes through :func:`next_status`: the brain's actions
(escalate, assign_agent, resolve), the agent API's (reply, take over, hand back, resolve).
A move that is not in the table does not happen (``None``): escalating a conversation a
person already holds, or resolving it twice, changes nothing. The hub imports the same
table, so the API and the bot can never disagree about what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class Status(StrEnum):
    """Where a conversation is; the values are the ones stored on the conversation row."""

    BOT = "bot"  #: automations handle it
    QUEUED = "queued"  #: escalated, waiting for an agent
    ASSIGNED = "assigned"  #: a person holds it
    RESOLVED = "resolved"


class Cause(StrEnum):
    """What asks for a status move."""

    ESCALATE = "escalate"  #: a rule, a survey escape (later: a detector)
    ASSIGN = "assign"  #: a rule's assign_agent (later: routing)
    RESOLVE = "resolve"  #: a rule's resolve
    AGENT_REPLY = "agent_reply"  #: an agent answered: replying takes over from the bot
    TAKE_OVER = "take_over"
    HAND_BACK = "hand_back"  #: the person gives the conversation back to the bot
    AGENT_RESOLVE = "agent_resolve"


_OPEN = (Status.BOT, Status.QUEUED, Status.ASSIGNED)

#: cause -> {from: to}; a (cause, from) pair missing here is not a move
TRANSITIONS: Mapping[Cause, Mapping[Status, Status]] = {
    Cause.ESCALATE: {Status.BOT: Status.QUEUED},
    Cause.ASSIGN: {Status.BOT: Status.ASSIGNED, Status.QUEUED: Status.ASSIGNED},
    Cause.RESOLVE: {status: Status.RESOLVED for status in _OPEN},
    Cause.AGENT_REPLY: {Status.BOT: Status.ASSIGNED, Status.QUEUED: Status.ASSIGNED},
    Cause.TAKE_OVER: {Status.BOT: Status.ASSIGNED, Status.QUEUED: Status.ASSIGNED},
    Cause.HAND_BACK: {Status.QUEUED: Status.BOT, Status.ASSIGNED: Status.BOT},
    Cause.AGENT_RESOLVE: {status: Status.RESOLVED for status in _OPEN},
}


def next_status(current: Status | str, cause: Cause) -> Status | None:
    """The status ``cause`` moves a conversation in ``current`` to, or None (no move)."""
    try:
        status = Status(current)
    except ValueError:
        return None
    return TRANSITIONS[cause].get(status)


def allowed(current: Status | str, cause: Cause) -> bool:
    return next_status(current, cause) is not None


__all__ = ["TRANSITIONS", "Cause", "Status", "allowed", "next_status"]
