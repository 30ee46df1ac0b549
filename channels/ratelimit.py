"""Token buckets that keep our sends under each provider's published limits.

Staying under the limit is cheaper than being throttled: WhatsApp counts 130429 errors against
the number's quality, Telegram answers floods with minutes-long ``RetryAfter``. The limits are
held per adapter instance (one inbox = one number / page / bot) in this process; several
``hub worker`` processes each get their own budget, so operators running N workers should
lower the rates accordingly (see ``Rate``).

The clock and the sleep are injectable so tests check the arithmetic, not wall time.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from channels.errors import TransientSendError

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Rate:
    """``per_second`` tokens refill continuously; ``burst`` is the bucket size."""

    per_second: float
    burst: float

    @classmethod
    def per(cls, count: float, seconds: float, burst: float | None = None) -> Rate:
        return cls(per_second=count / seconds, burst=count if burst is None else burst)


class TokenBucket:
    """A classic token bucket; ``reserve`` books a slot and says how long to wait for it."""

    __slots__ = ("_stamp", "_tokens", "rate")

    def __init__(self, rate: Rate, now: float) -> None:
        self.rate = rate
        self._tokens = rate.burst
        self._stamp = now

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._stamp)
        self._tokens = min(self.rate.burst, self._tokens + elapsed * self.rate.per_second)
        self._stamp = max(self._stamp, now)

    def delay(self, now: float) -> float:
        """Seconds until one token is available, without taking it."""
        self._refill(now)
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate.per_second

    def take(self, now: float) -> None:
        """Take one token; the balance may go negative, which queues later callers behind."""
        self._refill(now)
        self._tokens -= 1


class KeyedBuckets:
    """One bucket per key (chat, recipient, sender); the oldest keys are forgotten first."""

    def __init__(self, rate: Rate | Callable[[str], Rate], max_keys: int = 10_000) -> None:
        self._rate_of = rate if callable(rate) else (lambda _key: rate)
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def bucket(self, key: str, now: float) -> TokenBucket:
        found = self._buckets.get(key)
        if found is None:
            found = self._buckets[key] = TokenBucket(self._rate_of(key), now)
            self._evict(now)
        else:
            self._buckets.move_to_end(key)
        return found

    def _evict(self, now: float) -> None:
        # Least recently used first; a forgotten key starts again with a full bucket, which
        # errs towards the provider's own limit only for keys idle the longest.
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)

    def __len__(self) -> int:
        return len(self._buckets)


class Limiter:
    """All buckets one send must pass (e.g. Telegram: the bot overall *and* the chat)."""

    def __init__(
        self,
        name: str,
        *,
        overall: Rate | None = None,
        per_key: Rate | Callable[[str], Rate] | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        max_wait: float = 5.0,
    ) -> None:
        self.name = name
        self._clock = clock
        self._sleep = sleep
        self.max_wait = max_wait
        self._overall = TokenBucket(overall, clock()) if overall else None
        self._keyed = KeyedBuckets(per_key) if per_key else None

    def _buckets(self, key: str | None, now: float) -> Sequence[TokenBucket]:
        found = [self._overall] if self._overall else []
        if key is not None and self._keyed is not None:
            found.append(self._keyed.bucket(key, now))
        return found

    def reserve(self, key: str | None = None) -> float:
        """Book a slot; returns the wait in seconds. Raises instead of booking a long wait.

        A send that would wait longer than ``max_wait`` is handed back to the outbox as a
        :class:`TransientSendError` with ``retry_after``, so no worker sleeps for minutes.
        """
        now = self._clock()
        buckets = self._buckets(key, now)
        wait = max((b.delay(now) for b in buckets), default=0.0)
        if wait > self.max_wait:
            raise TransientSendError(
                f"{self.name}: our own rate limit is saturated", "rate_limited", retry_after=wait
            )
        for bucket in buckets:
            bucket.take(now)
        return wait

    async def acquire(self, key: str | None = None) -> float:
        """Wait for a slot; returns how long we waited."""
        wait = self.reserve(key)  # synchronous: no other task can book in between
        if wait > 0:
            await self._sleep(wait)
        return wait


# Published limits (shared/docs/provider-contracts.md, sections 2.6, 3.5, 4.6, 5.3).
WHATSAPP_PER_NUMBER = Rate.per(80, 1)  #: Cloud API default throughput per business number
TELEGRAM_OVERALL = Rate.per(30, 1)  #: per bot
TELEGRAM_PER_CHAT = Rate.per(1, 1)  #: ~1 msg/s per chat
TELEGRAM_PER_GROUP = Rate.per(20, 60)  #: 20 msg/min in groups (negative chat ids)
MESSENGER_PER_PAGE = Rate.per(300, 1)  #: text, links, stickers
MESSENGER_MEDIA_PER_PAGE = Rate.per(10, 1)  #: audio and video
#: Twilio queues per sender itself (up to 4 h), but its WhatsApp senders default to 10 MPS
#: for text; we use that for SMS senders too so a burst never fills Twilio's queue.
TWILIO_PER_SENDER = Rate.per(10, 1)
