"""What a long-running process keeps for good is exempted from garbage collection
(hub.heap), and nothing that was already garbage is kept with it."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from hub import heap


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


def _cycle() -> _Node:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    return a


def test_survivors_are_exempted_and_garbage_is_not() -> None:
    kept = _cycle()
    dropped = _cycle()
    gone = weakref.ref(dropped)
    del dropped
    exempted = heap.settle()
    assert exempted == gc.get_freeze_count() > 0
    assert gone() is None  # collected before the freeze, not kept forever
    assert not any(obj is kept for obj in gc.get_objects())  # out of the collector's sight
    heap.unsettle()
    assert gc.get_freeze_count() == 0
    assert any(obj is kept for obj in gc.get_objects())


def test_cycles_made_after_settling_are_still_collected() -> None:
    heap.settle()
    later = _cycle()
    gone = weakref.ref(later)
    del later
    gc.collect()
    assert gone() is None
