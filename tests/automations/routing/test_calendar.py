"""Business-hours arithmetic with frozen instants: split shifts, holidays, time zones, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from automations.routing import BusinessCalendar, RoutingError
from config.calendars import CalendarDef

PARIS = ZoneInfo("Europe/Paris")
TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")


def paris() -> BusinessCalendar:
    spec = CalendarDef(
        timezone="Europe/Paris",
        hours={"mon-fri": ("09:00-12:30", "13:30-18:00"), "sat": ("10:00-13:00",)},
        holidays=(date(2026, 12, 25), date(2027, 1, 1)),
    )
    return BusinessCalendar.from_config("paris", spec, "UTC")


def test_split_shift_closes_for_lunch() -> None:
    cal = paris()
    assert cal.is_open(datetime(2026, 12, 23, 12, 29, tzinfo=PARIS))
    assert not cal.is_open(datetime(2026, 12, 23, 12, 30, tzinfo=PARIS))
    assert not cal.is_open(datetime(2026, 12, 23, 13, 0, tzinfo=PARIS))
    assert cal.next_opening(datetime(2026, 12, 23, 12, 45, tzinfo=PARIS)) == datetime(
        2026, 12, 23, 13, 30, tzinfo=PARIS
    )
    assert cal.next_closing(datetime(2026, 12, 23, 10, 0, tzinfo=PARIS)) == datetime(
        2026, 12, 23, 12, 30, tzinfo=PARIS
    )


def test_next_opening_skips_a_holiday_seen_from_a_customer_time_zone() -> None:
    cal = paris()
    # Thursday 24 December, 19:00 in New York = 01:00 on Christmas Day in Paris (a holiday):
    # next opening is Saturday 26 December 10:00 Paris, which is 04:00 in New York
    asked = datetime(2026, 12, 24, 19, 0, tzinfo=NEW_YORK)
    opening = cal.next_opening(asked)
    assert opening == datetime(2026, 12, 26, 10, 0, tzinfo=PARIS)
    assert opening.astimezone(NEW_YORK).hour == 4
    assert opening.astimezone(TOKYO) == datetime(2026, 12, 26, 18, 0, tzinfo=TOKYO)


def test_next_opening_after_the_saturday_shift_is_monday_morning() -> None:
    cal = paris()
    assert cal.next_opening(datetime(2026, 12, 26, 13, 0, tzinfo=PARIS)) == datetime(
        2026, 12, 28, 9, 0, tzinfo=PARIS
    )


def test_add_business_time_carries_over_lunch_and_nights() -> None:
    cal = paris()
    start = datetime(2026, 12, 23, 12, 0, tzinfo=PARIS)  # 30 min before lunch
    assert cal.add(start, timedelta(hours=1)) == datetime(2026, 12, 23, 14, 0, tzinfo=PARIS)
    # 17:30 Thursday 24th + 1h: 30 min that day, Christmas closed, 30 min on Saturday
    late = datetime(2026, 12, 24, 17, 30, tzinfo=PARIS)
    assert cal.add(late, timedelta(hours=1)) == datetime(2026, 12, 26, 10, 30, tzinfo=PARIS)
    # closed: counting starts at the opening; zero gives the opening itself
    night = datetime(2026, 12, 23, 22, 0, tzinfo=PARIS)
    assert cal.add(night, timedelta(0)) == datetime(2026, 12, 24, 9, 0, tzinfo=PARIS)


def test_business_time_between_two_instants() -> None:
    cal = paris()
    start = datetime(2026, 12, 24, 9, 0, tzinfo=PARIS)
    end = datetime(2026, 12, 26, 13, 0, tzinfo=PARIS)
    assert cal.between(start, end) == timedelta(hours=8 + 3)
    assert cal.between(end, start) == timedelta(0)
    # between and add agree
    for hours in (0.5, 3.5, 8, 11):
        assert cal.between(start, cal.add(start, timedelta(hours=hours))) == timedelta(hours=hours)


def test_opening_hours_stay_on_the_wall_clock_across_daylight_saving() -> None:
    cal = paris()
    before = cal.day_intervals(date(2026, 3, 27))  # Friday, winter time (UTC+1)
    after = cal.day_intervals(date(2026, 3, 30))  # Monday, summer time (UTC+2)
    assert before[0][0] == datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
    assert after[0][0] == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    # the night of the change: Friday 18:00 CET to Monday 09:00 CEST has no business time
    friday = datetime(2026, 3, 27, 18, 0, tzinfo=PARIS)
    assert cal.next_opening(friday + timedelta(hours=1)) == datetime(
        2026, 3, 28, 10, 0, tzinfo=PARIS
    )


def test_a_whole_day_calendar_loses_an_hour_on_the_spring_change() -> None:
    cal = BusinessCalendar.from_config(
        "daily", CalendarDef(timezone="Europe/Paris", hours={"daily": ("00:00-24:00",)}), "UTC"
    )
    day = date(2026, 3, 29)  # clocks go 02:00 -> 03:00
    ((opens, closes),) = cal.day_intervals(day)
    assert closes - opens == timedelta(hours=23)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(RoutingError, match="aware"):
        paris().is_open(datetime(2026, 12, 23, 10, 0))


def test_a_calendar_that_never_opens_says_so() -> None:
    cal = BusinessCalendar("UTC", ((),) * 7, name="never")
    with pytest.raises(RoutingError, match="'never' does not open"):
        cal.next_opening(datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(RoutingError):
        paris().add(datetime(2026, 1, 1, tzinfo=UTC), timedelta(minutes=-1))


def test_always_open_is_wall_clock_time() -> None:
    cal = BusinessCalendar.always_open()
    start = datetime(2026, 12, 24, 17, 30, tzinfo=UTC)
    assert cal.add(start, timedelta(days=2, hours=3)) == start + timedelta(days=2, hours=3)
    assert cal.between(start, start + timedelta(hours=50)) == timedelta(hours=50)
