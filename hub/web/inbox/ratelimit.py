"""Login throttling: failed sign-ins counted per email and per client address.

Pure and per process (a clock is passed in): a guesser spread over several ``hub serve``
processes gets at most that many times the budget, which is still far too few guesses
against argon2 hashes to matter. Memory is bounded: the least recently failed keys are
forgotten first when ``max_keys`` is reached, so a flood of random emails cannot grow it.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Limits:
    """At most ``per_email`` failures for one email and ``per_address`` for one client
    address within ``window_s`` seconds; then sign-in is refused until the oldest ages out."""

    per_email: int = 5
    per_address: int = 20
    window_s: float = 900.0
    max_keys: int = 10_000


class _Window:
    """Failure times of many keys, oldest key first; bounded in keys and in times per key."""

    def __init__(self, limit: int, window_s: float, max_keys: int) -> None:
        self._limit = limit
        self._window_s = window_s
        self._max_keys = max_keys
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, key: str, now: float) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        while times and now - times[0] >= self._window_s:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again; 0 when it may now."""
        times = self._recent(key, now)
        if times is None or len(times) < self._limit:
            return 0.0
        return self._window_s - (now - times[0])

    def fail(self, key: str, now: float) -> None:
        times = self._recent(key, now)
        if times is None:
            times = deque(maxlen=self._limit)
            self._failures[key] = times
            while len(self._failures) > self._max_keys:
                self._failures.popitem(last=False)
        else:
            self._failures.move_to_end(key)
        times.append(now)

    def clear(self, key: str) -> None:
        self._failures.pop(key, None)

    def __len__(self) -> int:
        return len(self._failures)


class LoginLimiter:
    """Asked before a password is checked; told of each failure and success."""

    def __init__(self, limits: Limits, clock: Clock) -> None:
        self._clock = clock
        self._emails = _Window(limits.per_email, limits.window_s, limits.max_keys)
        self._addresses = _Window(limits.per_address, limits.window_s, limits.max_keys)

    def retry_after(self, email: str, address: str) -> float:
        now = self._clock()
        return max(
            self._emails.retry_after(email.casefold(), now),
            self._addresses.retry_after(address, now),
        )

    def failed(self, email: str, address: str) -> None:
        now = self._clock()
        self._emails.fail(email.casefold(), now)
        self._addresses.fail(address, now)

    def succeeded(self, email: str) -> None:
        """A right password clears that email's count (not the address's: one address
        holding a valid account must not reset its guesses at others)."""
        self._emails.clear(email.casefold())

    @property
    def keys(self) -> int:
        """Keys held (emails and addresses), for the memory bound's test."""
        return len(self._emails) + len(self._addresses)
