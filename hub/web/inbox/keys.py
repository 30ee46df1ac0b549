"""Typed application keys of the inbox (its process state)."""

from __future__ import annotations

from aiohttp import web

from hub.web.inbox.feed import InboxFeed
from hub.web.inbox.ratelimit import LoginLimiter

LIMITER = web.AppKey("inbox_login_limiter", LoginLimiter)
FEED = web.AppKey("inbox_feed", InboxFeed)
