"""The two rules every part of the hub must agree on about a conversation.

**The lane.** Items of one customer on one inbox are processed one at a time, in order, by
whichever worker holds the lane's lock; a timer firing or an agent's write to that
conversation takes the same lock, so none of them interleave with a bot step.
:func:`lane_key` is the one name of that lock.

**The status machine.** ``bot`` (automations have it) → ``queued`` (escalated, waiting for
a person) → ``assigned`` → ``resolved``. The table is the brain's
(``automations.conversation.transitions``, which every status change goes through inside
``decide``); :data:`TRANSITIONS` is its view in the hub's terms: a change that is not in it
leaves the status as it is (escalating a conversation people already have, resolving one
twice), which the callers rely on to do nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from automations.conversation import TRANSITIONS as BRAIN_TRANSITIONS
from automations.conversation import Cause
from channels.keys import stable_key
from hub.store.models import ConversationStatus


def lane_key(inbox_id: int, stored_order_key: str) -> str:
    """The lock name of the lane of ``stored_order_key`` on ``inbox_id``: the order key as
    stored (``channels.keys.stable_key`` of a customer's address, or of a receipt's
    ``status:<message id>``), so two long keys that share a prefix are two lanes."""
    return f"{inbox_id}:{stored_order_key}"


def customer_lane(inbox_id: int, source_id: str) -> str:
    """The lane of a conversation reached from its customer's address (a timer firing, an
    agent's write): the address is turned into its stored order key here, once, so these
    callers take the very lock processing takes."""
    return lane_key(inbox_id, stable_key(source_id))


class Change(StrEnum):
    """What may happen to a conversation's status."""

    TAKE_OVER = "take_over"  #: an agent replies, or a rule assigns one
    ESCALATE = "escalate"  #: the bot hands over to people (a rule's ``escalate``)
    RESOLVE = "resolve"  #: done (a rule's ``resolve``)


#: the hub's changes and the brain's causes they are
_CAUSES: Mapping[Change, Cause] = {
    Change.TAKE_OVER: Cause.TAKE_OVER,
    Change.ESCALATE: Cause.ESCALATE,
    Change.RESOLVE: Cause.RESOLVE,
}

#: (status now, change) -> status after; every pair not listed changes nothing
TRANSITIONS: Mapping[tuple[ConversationStatus, Change], ConversationStatus] = {
    (ConversationStatus(before), change): ConversationStatus(after)
    for change, cause in _CAUSES.items()
    for before, after in BRAIN_TRANSITIONS[cause].items()
}


def next_status(current: ConversationStatus | str, change: Change) -> ConversationStatus | None:
    """The status after ``change``, or None when the table leaves ``current`` as it is."""
    return TRANSITIONS.get((ConversationStatus(current), change))


def is_open(status: ConversationStatus | str) -> bool:
    """Open conversations take agents' replies; a resolved one is closed to them."""
    return ConversationStatus(status) is not ConversationStatus.RESOLVED
