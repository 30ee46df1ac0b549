"""Business-hours arithmetic: is a calendar open at an instant, when it next opens, and
business time added to or counted between instants.

Opening periods are wall-clock times in the calendar's zone, so each local day is turned
into UTC intervals through ``zoneinfo``: 09:00 in Paris is 08:00 UTC in winter and 07:00
UTC in summer, and a day that loses an hour to daylight saving is simply an hour shorter
in UTC. All results are aware UTC datetimes; naive inputs are refused, because guessing
their zone is how SLA clocks go wrong twice a year.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from automations.routing.errors import RoutingError
from config.calendars import CalendarDef

#: how far ahead to look for an opening before calling a calendar closed for good
HORIZON_DAYS = 400
_ALL_DAY = ((0, 24 * 60),)
Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class BusinessCalendar:
    """Weekly periods (minutes since local midnight, Monday first), a zone and holidays."""

    timezone: str
    weekly: tuple[tuple[tuple[int, int], ...], ...]
    holidays: frozenset[date] = frozenset()
    name: str = ""

    @classmethod
    def always_open(cls, timezone: str = "UTC") -> BusinessCalendar:
        """For a team without hours: business time is wall-clock time."""
        return cls(timezone, (_ALL_DAY,) * 7, name="always")

    @classmethod
    def from_config(cls, name: str, spec: CalendarDef, default_timezone: str) -> BusinessCalendar:
        return cls(
            timezone=spec.timezone or default_timezone,
            weekly=spec.weekly(),
            holidays=frozenset(spec.holidays),
            name=name,
        )

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)  # zoneinfo caches instances by key

    def day_intervals(self, day: date) -> tuple[Interval, ...]:
        """The UTC opening intervals of one local day (none on a holiday)."""
        return _day_intervals(self, day)

    def intervals(self, start: datetime) -> Iterator[Interval]:
        """Opening intervals from ``start`` on (the first one clipped at ``start``)."""
        start = _utc(start)
        day = start.astimezone(self.zone).date()
        for offset in range(HORIZON_DAYS):
            for opens, closes in _day_intervals(self, day + timedelta(days=offset)):
                if closes > start:
                    yield max(opens, start), closes

    def is_open(self, at: datetime) -> bool:
        first = next(self.intervals(at), None)
        return first is not None and first[0] == _utc(at)

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself when open, else the start of the next opening period."""
        for opens, _ in self.intervals(at):
            return opens
        raise self._never_opens()

    def next_closing(self, at: datetime) -> datetime:
        """When the period open at (or next after) ``at`` closes; back-to-back periods,
        such as 00:00-24:00 on consecutive days, count as one."""
        end: datetime | None = None
        for opens, closes in self.intervals(at):
            if end is not None and opens > end:
                break
            end = closes
        if end is None:
            raise self._never_opens()
        return end

    def add(self, start: datetime, amount: timedelta) -> datetime:
        """The instant ``amount`` of business time after ``start`` (counting from the next
        opening when closed; an amount of zero gives that opening)."""
        if amount < timedelta(0):
            raise RoutingError("business time to add must not be negative")
        remaining = amount
        for opens, closes in self.intervals(start):
            span = closes - opens
            if remaining <= span:
                return opens + remaining
            remaining -= span
        raise self._never_opens()

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time from ``start`` to ``end`` (zero when ``end`` is not after it)."""
        end = _utc(end)
        total = timedelta(0)
        if end <= _utc(start):
            return total
        for opens, closes in self.intervals(start):
            if opens >= end:
                break
            total += min(closes, end) - opens
        return total

    def _never_opens(self) -> RoutingError:
        label = self.name or self.timezone
        return RoutingError(f"calendar '{label}' does not open in the next {HORIZON_DAYS} days")


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise RoutingError("routing needs aware datetimes (with a time zone), got a naive one")
    return at.astimezone(UTC)


def _local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    if minute >= 24 * 60:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)


@lru_cache(maxsize=8192)
def _day_intervals(calendar: BusinessCalendar, day: date) -> tuple[Interval, ...]:
    if day in calendar.holidays:
        return ()
    zone = calendar.zone
    result = []
    for start, end in calendar.weekly[day.weekday()]:
        opens = _local(day, start, zone).astimezone(UTC)
        closes = _local(day, end, zone).astimezone(UTC)
        if closes > opens:  # a period inside a skipped DST hour has no length
            result.append((opens, closes))
    return tuple(result)
