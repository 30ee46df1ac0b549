"""The garbage collector, told what a long-running process keeps for good.

Startup leaves about 200,000 objects that live as long as the process: the NLU models, the
config, tortoise's and pydantic's metadata. CPython's full collection walks every one of
them each time; under web chat load one ran every few seconds and stopped the loop for 150
to 185 ms (measured in ``hub serve`` with ``gc.callbacks``; 25 to 60 ms once frozen). Each
closed web socket leaves aiohttp objects in reference cycles that only a full collection
frees, so full collections cannot be avoided; they can be made to skip what never dies.

:func:`settle` moves everything alive at that moment out of the collector's sight
(``gc.freeze``), after one collection so that no garbage is kept forever. A config reload
replaces some of those objects: :func:`unsettle` before it puts them back in view.
"""

from __future__ import annotations

import gc


def settle() -> int:
    """Collect, then exempt every surviving object from later collections; returns how many
    objects were exempted."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def unsettle() -> None:
    """Let the collector see the exempted objects again (before replacing some of them)."""
    gc.unfreeze()
