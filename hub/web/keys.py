"""Typed application keys: the only way handlers reach process state."""

from __future__ import annotations

from weakref import WeakSet

from aiohttp import web

from hub.auth import VisitorTokens
from hub.runtime import Runtime
from hub.web.ratelimits import RequestLimits

RUNTIME = web.AppKey("runtime", Runtime)
VISITOR_TOKENS = web.AppKey("visitor_tokens", VisitorTokens)
#: the request rate limits of this process (``limits:`` in hub.yaml)
RATE_LIMITS = web.AppKey("rate_limits", RequestLimits)
#: the open visitor sockets, closed with 1001 "going away" when the server stops so that
#: widgets reconnect at once (to another server when scaled) instead of holding the
#: shutdown for aiohttp's timeout
OPEN_SOCKETS = web.AppKey("open_sockets", WeakSet[web.WebSocketResponse])
