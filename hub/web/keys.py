"""Typed application keys: the only way handlers reach process state."""

from __future__ import annotations

from aiohttp import web

from hub.auth import VisitorTokens
from hub.runtime import Runtime

RUNTIME = web.AppKey("runtime", Runtime)
VISITOR_TOKENS = web.AppKey("visitor_tokens", VisitorTokens)
