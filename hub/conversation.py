"""The two rules every part of the hub must agree on about a conversation.

**The lane.** Items of one customer on one inbox are processed one at a time, in order, by
whichever worker holds the lane's lock; a timer firing or an agent's write to that
conversation takes the same lock, so none of them interleave with a bot step.
:func:`lane_key` is the one name of that lock.

**The status machine.** ``bot`` (automations have it) → ``queued`` (escalated, waiting for
a person) → ``assigned`` → ``resolved``. :data:`TRANSITIONS` is the whole table: a change
that is not in it leaves the status as it is (escalating a conversation people already
have, resolving one twice), which the callers rely on to do nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from hub.store.models import ConversationStatus

#: order keys and provider ids are stored in 255 characters: a lane is named by what is stored
STORED_KEY_MAX = 255


def lane_key(inbox_id: int, order_key: str) -> str:
    """The lock name of the lane of ``order_key`` (a customer's address, or a receipt's
    ``status:<message id>``) on ``inbox_id``."""
    return f"{inbox_id}:{order_key[:STORED_KEY_MAX]}"


class Change(StrEnum):
    """What may happen to a conversation's status."""

    TAKE_OVER = "take_over"  #: an agent replies, or a rule assigns one
    ESCALATE = "escalate"  #: the bot hands over to people (a rule's ``escalate``)
    RESOLVE = "resolve"  #: done (a rule's ``resolve``)


_S = ConversationStatus

#: (status now, change) -> status after; every pair not listed changes nothing
TRANSITIONS: Mapping[tuple[ConversationStatus, Change], ConversationStatus] = {
    (_S.BOT, Change.TAKE_OVER): _S.ASSIGNED,
    (_S.QUEUED, Change.TAKE_OVER): _S.ASSIGNED,
    (_S.BOT, Change.ESCALATE): _S.QUEUED,
    (_S.BOT, Change.RESOLVE): _S.RESOLVED,
    (_S.QUEUED, Change.RESOLVE): _S.RESOLVED,
    (_S.ASSIGNED, Change.RESOLVE): _S.RESOLVED,
}


def next_status(current: ConversationStatus | str, change: Change) -> ConversationStatus | None:
    """The status after ``change``, or None when the table leaves ``current`` as it is."""
    return TRANSITIONS.get((ConversationStatus(current), change))


def is_open(status: ConversationStatus | str) -> bool:
    """Open conversations take agents' replies; a resolved one is closed to them."""
    return ConversationStatus(status) is not ConversationStatus.RESOLVED
