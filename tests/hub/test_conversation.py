"""The conversation's status machine and lane key (hub/conversation.py)."""

from __future__ import annotations

import pytest

from channels.keys import stable_key
from hub.conversation import TRANSITIONS, Change, customer_lane, is_open, lane_key, next_status
from hub.store.models import ConversationStatus as S

#: every (status, change) pair and what it must give: None leaves the status as it is
EXPECTED = {
    (S.BOT, Change.TAKE_OVER): S.ASSIGNED,
    (S.BOT, Change.ESCALATE): S.QUEUED,
    (S.BOT, Change.RESOLVE): S.RESOLVED,
    (S.QUEUED, Change.TAKE_OVER): S.ASSIGNED,
    (S.QUEUED, Change.ESCALATE): None,  # already waiting for people
    (S.QUEUED, Change.RESOLVE): S.RESOLVED,
    (S.ASSIGNED, Change.TAKE_OVER): None,  # another agent's reply keeps it assigned
    (S.ASSIGNED, Change.ESCALATE): None,
    (S.ASSIGNED, Change.RESOLVE): S.RESOLVED,
    (S.RESOLVED, Change.TAKE_OVER): None,  # a resolved conversation stays resolved
    (S.RESOLVED, Change.ESCALATE): None,
    (S.RESOLVED, Change.RESOLVE): None,
}


def test_expectations_cover_every_pair() -> None:
    assert set(EXPECTED) == {(status, change) for status in S for change in Change}


@pytest.mark.parametrize(("status", "change"), sorted(EXPECTED))
def test_transition_table(status: S, change: Change) -> None:
    assert next_status(status, change) == EXPECTED[(status, change)]
    assert next_status(status.value, change) == EXPECTED[(status, change)]  # as stored


def test_table_holds_only_changes() -> None:
    assert all(before is not after for (before, _), after in TRANSITIONS.items())


def test_only_resolved_is_closed() -> None:
    assert [status for status in S if not is_open(status)] == [S.RESOLVED]


def test_lane_key_is_inbox_and_stored_order_key() -> None:
    assert lane_key(3, "+15550001111") == "3:+15550001111"
    assert lane_key(3, "status:wamid.1") == "3:status:wamid.1"
    # the lane of a long key is that of its stored form, which keeps long keys apart
    long_a, long_b = stable_key("x" * 300 + "a"), stable_key("x" * 300 + "b")
    assert lane_key(1, long_a) == f"1:{long_a}"
    assert lane_key(1, long_a) != lane_key(1, long_b)


def test_a_customer_lane_is_the_lane_processing_takes_for_that_address() -> None:
    """Timers and agent writes reach a conversation by its customer's address; processing
    by the stored order key. For an address that stable_key rewrites they must agree."""
    for address in ("+33612345678", "sha256:looks-hashed", "x" * 300):
        assert customer_lane(7, address) == lane_key(7, stable_key(address))
    assert customer_lane(7, "sha256:looks-hashed") != lane_key(7, "sha256:looks-hashed")
