"""The event loop of the long-running commands (``hub serve``, ``hub worker``).

uvloop (libuv) runs the same aiohttp and asyncpg code with less overhead per callback, which
is most of a webhook's cost: ``tests.bench.ingest`` measured about 15 % more webhooks per
second on it. It is the default where it is installed; ``HUB_EVENT_LOOP=asyncio`` keeps
the standard loop (to debug with asyncio's own tools, or where uvloop does not build).
"""

from __future__ import annotations

import asyncio
import importlib.util
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from config.settings import EventLoopChoice

T = TypeVar("T")


class EventLoopUnavailable(RuntimeError):
    """``HUB_EVENT_LOOP=uvloop`` on a machine without uvloop."""


def uvloop_installed() -> bool:
    return importlib.util.find_spec("uvloop") is not None


def loop_factory(choice: EventLoopChoice) -> Callable[[], asyncio.AbstractEventLoop]:
    """The factory for ``choice``: ``auto`` is uvloop when installed, else asyncio's."""
    if choice == "asyncio":
        return asyncio.new_event_loop
    if uvloop_installed():
        import uvloop

        return uvloop.new_event_loop
    if choice == "uvloop":
        raise EventLoopUnavailable("HUB_EVENT_LOOP=uvloop but uvloop is not installed")
    return asyncio.new_event_loop


def run(main: Coroutine[Any, Any, T], choice: EventLoopChoice = "auto") -> T:
    """``asyncio.run`` on the chosen loop."""
    with asyncio.Runner(loop_factory=loop_factory(choice)) as runner:
        return runner.run(main)
