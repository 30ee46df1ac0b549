"""Request bodies read within a time limit: a client that opens a request and then sends
its body a byte at a time held a connection (and a handler) for as long as it liked.

The request head is bounded by aiohttp's keep-alive timeout (``HUB_HEADER_TIMEOUT_S``, set
where the server is built); the body by :func:`read_body` (``HUB_BODY_TIMEOUT_S``).
"""

from __future__ import annotations

import asyncio

from aiohttp import web

from hub.errors import BodyTimeout
from hub.web.keys import RUNTIME


async def read_body(request: web.Request) -> bytes:
    """The whole body, or :class:`BodyTimeout` after ``body_timeout_s``."""
    timeout = request.app[RUNTIME].settings.body_timeout_s
    try:
        async with asyncio.timeout(timeout):
            return await request.read()
    except TimeoutError:
        raise BodyTimeout(f"the request body did not arrive within {timeout:g} s") from None
