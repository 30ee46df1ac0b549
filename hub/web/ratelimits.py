"""Rate limits of the HTTP API: a refused request gets 429 with ``Retry-After``.

One token bucket per client and limit (``channels.ratelimit``: bounded memory, the least
recently seen clients forgotten first). A request passes only when every bucket it
counts against (e.g. visitor, IP and inbox) has a token; a refused one takes none, so a
flooding client cannot drain the inbox's budget for everyone else while refused.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence

from aiohttp import web

from channels.ratelimit import KeyedBuckets, Rate
from config.limits import LimitsDef, RateDef
from hub.errors import HubError


class RateLimited(HubError):
    """Over a limit; ``retry_after`` seconds until the next request would pass."""

    def __init__(self, what: str, retry_after: float) -> None:
        super().__init__(f"too many requests ({what}); retry after {math.ceil(retry_after)} s")
        self.retry_after = retry_after


def _rate(spec: RateDef) -> Rate:
    return Rate.per(spec.count, spec.per_s, spec.burst)


class RequestLimits:
    """The limits of one process (several ``hub serve`` processes each count their own).

    ``limits`` is the config, or a callable that returns the current one: a reload
    (``SIGHUP``) that changes ``limits:`` starts every client with fresh buckets."""

    def __init__(
        self,
        limits: LimitsDef | Callable[[], LimitsDef],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = limits if callable(limits) else (lambda: limits)
        self._clock = clock
        self._build(self._source())

    def _build(self, limits: LimitsDef) -> None:
        self._config = limits
        self.enabled = limits.enabled
        self._buckets = {
            name: KeyedBuckets(_rate(getattr(limits, name)), max_keys=limits.max_clients)
            for name in (
                "visitor_messages",
                "ip_messages",
                "inbox_messages",
                "ip_sessions",
                "inbox_sessions",
                "agent_requests",
            )
        }

    def check(self, counts: Sequence[tuple[str, str]]) -> None:
        """Count one request against each ``(limit, client)``; :class:`RateLimited` when
        any of them is spent (and then none is charged)."""
        current = self._source()
        if current is not self._config:
            self._build(current)
        if not self.enabled:
            return
        now = self._clock()
        buckets = [(limit, self._buckets[limit].bucket(key, now)) for limit, key in counts]
        waits = [(bucket.delay(now), limit) for limit, bucket in buckets]
        wait, limit = max(waits, default=(0.0, ""))
        if wait > 0:
            raise RateLimited(limit.replace("_", " "), wait)
        for _, bucket in buckets:
            bucket.take(now)


def client_ip(request: web.Request) -> str:
    """The peer address (a proxy in front should rate-limit by the forwarded address
    itself: ``X-Forwarded-For`` is whatever the client wrote)."""
    return request.remote or "?"


def too_many(exc: RateLimited) -> web.Response:
    response = web.json_response({"error": str(exc)}, status=429)
    response.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
    return response
