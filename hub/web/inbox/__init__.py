"""The agent inbox at ``/inbox``: session sign-in, the inbox's JSON endpoints, its web
socket and its static ES modules (no build step, no Node.js).

Built beside the agent API rather than inside it: the inbox reuses the API's queries and
handlers (``visible_to``, ``reply``) with the session's agent in ``request[AGENT]``, and
the API keeps accepting only bearer tokens.
"""

from __future__ import annotations

import time

from aiohttp import web

from hub.web.inbox import actions, listing, login, pages, snippets_api, socket
from hub.web.inbox.feed import InboxFeed
from hub.web.inbox.keys import FEED, LIMITER
from hub.web.inbox.ratelimit import Limits, LoginLimiter
from hub.web.keys import RUNTIME


def setup(app: web.Application) -> None:
    """Register the inbox's routes and state on ``app`` (called by ``create_app``)."""
    for module in (login, listing, actions, snippets_api, socket, pages):
        app.router.add_routes(module.routes)
    app[LIMITER] = LoginLimiter(Limits(), time.monotonic)
    app[FEED] = InboxFeed(lambda: app[RUNTIME].ctx)
    app.on_shutdown.append(_close_feed)


async def _close_feed(app: web.Application) -> None:
    await app[FEED].close()
