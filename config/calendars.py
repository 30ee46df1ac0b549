"""Business-hours calendars of ``teams.yaml``: weekly opening periods, a time zone, holidays.

A calendar is written the way a shop door sign reads::

    calendars:
      paris_office:
        timezone: Europe/Paris
        hours:
          mon-fri: ["09:00-12:30", "13:30-18:00"]   # a split shift: closed for lunch
          sat: ["10:00-13:00"]
        holidays: [2026-12-25, 2027-01-01]

Periods are wall-clock times in the calendar's time zone (so opening at 09:00 stays 09:00
across a daylight-saving change). Their syntax is checked here; overlaps between two day
keys, unknown time zones and empty calendars are cross-checks (``config/team_checks.py``)
because they need the whole mapping and a located message.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated

from pydantic import AfterValidator, Field

from config.validation import StrictModel

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PERIOD = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def parse_period(text: str) -> tuple[int, int]:
    """``"09:00-12:30"`` -> minutes since midnight ``(540, 750)``; ``24:00`` ends a day."""
    match = _PERIOD.match(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a period (write e.g. 09:00-12:30)")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or start > 24 * 60 or end > 24 * 60 or h1 > 24 or h2 > 24:
        raise ValueError(f"'{text}' is not a time of day (00:00 to 24:00)")
    if end <= start:
        raise ValueError(
            f"'{text}' ends before it starts (periods cannot cross midnight: "
            "split it into two days)"
        )
    return start, end


def parse_days(key: str) -> tuple[int, ...]:
    """``"mon-fri"`` -> ``(0, 1, 2, 3, 4)``; ``"sat,sun"`` and ``"daily"`` too."""
    text = key.strip().lower()
    if text in {"daily", "every_day", "mon-sun"}:
        return tuple(range(7))
    found: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            first, _, last = part.partition("-")
            if first not in DAYS or last not in DAYS:
                raise ValueError(_bad_day(part))
            a, b = DAYS.index(first), DAYS.index(last)
            if b < a:
                raise ValueError(f"'{part}' runs backwards (write e.g. mon-fri)")
            found += range(a, b + 1)
        elif part in DAYS:
            found.append(DAYS.index(part))
        else:
            raise ValueError(_bad_day(part))
    return tuple(found)


def _bad_day(part: str) -> str:
    return (
        f"'{part}' is not a day (use mon, tue, wed, thu, fri, sat, sun, "
        "a range such as mon-fri, or daily)"
    )


def _valid_period(value: str) -> str:
    parse_period(value)
    return value


Period = Annotated[str, AfterValidator(_valid_period)]


class CalendarDef(StrictModel):
    """One named set of opening hours, shared by the teams that name it."""

    #: IANA zone (``Europe/Paris``); empty means hub.yaml's ``timezone``
    timezone: str = ""
    #: day key (``mon-fri``, ``sat``, ``sat,sun``, ``daily``) -> opening periods
    hours: dict[str, tuple[Period, ...]] = Field(default_factory=dict)
    #: whole days closed, in the calendar's time zone
    holidays: tuple[date, ...] = ()

    def weekly(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """Opening periods per weekday (Monday first), sorted, in minutes since midnight.

        Only meaningful once the cross-checks passed (day keys valid, no overlaps)."""
        days: list[list[tuple[int, int]]] = [[] for _ in DAYS]
        for key, periods in self.hours.items():
            try:
                indexes = parse_days(key)
            except ValueError:
                continue
            for index in indexes:
                days[index] += [parse_period(p) for p in periods]
        return tuple(tuple(sorted(day)) for day in days)
