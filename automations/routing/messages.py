"""What the customer is told about the wait, in their language and their time zone.

Defaults exist for en, fr, es and zh (``config/wait_texts.py``); operators override any
text per language in ``teams.yaml`` (``messages:``, passed here as ``texts``), and a
language with neither gets English. Times and
dates are formatted by Babel for the customer's locale ("3:00 PM", "15:00", "15:00",
"15:00") and shown in the customer's zone, so "we open at 9:00" is true where they are.
Every function takes ``now`` and returns a string: no clock, no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time
from babel.units import format_unit

from automations.routing.eta import WaitEstimate
from config.wait_texts import DEFAULT_LANGUAGE, DEFAULT_TEXTS

Texts = Mapping[str, Mapping[str, str]]

#: below this a wait is promised in minutes, from it as a clock time
CLOCK_FROM = timedelta(minutes=60)
SOON = timedelta(minutes=2)
_NONE: Texts = {}


def text(key: str, language: str, texts: Texts | None = None, **values: str) -> str:
    """The operator's text for ``key`` in ``language``, else the default, else English."""
    overrides = (texts or _NONE).get(key, {})
    template = (
        overrides.get(language)
        or DEFAULT_TEXTS.get(language, {}).get(key)
        or overrides.get(DEFAULT_LANGUAGE)
        or DEFAULT_TEXTS[DEFAULT_LANGUAGE][key]
    )
    return template.format(**values)


def wait_message(
    estimate: WaitEstimate, language: str, timezone: str, now: datetime, texts: Texts | None = None
) -> str:
    """The promise for an estimate: after hours, the opening; else minutes or a time."""
    if not estimate.open_now and estimate.opens_at is not None:
        return opening_message(estimate.opens_at, language, timezone, now, texts)
    return promise(estimate.reply_by, language, timezone, now, texts)


def promise(
    reply_by: datetime, language: str, timezone: str, now: datetime, texts: Texts | None = None
) -> str:
    """ "within about N minutes" under an hour, else "by about HH:MM" (with the day when
    it is not today where the customer is)."""
    lang = _language(language)
    wait = reply_by - now
    if wait <= SOON:
        return text("soon", lang, texts)
    if wait < CLOCK_FROM:
        return text("within", lang, texts, minutes=str(_round_minutes(wait)))
    zone = ZoneInfo(timezone)
    time = _time(reply_by, zone, lang)
    if reply_by.astimezone(zone).date() == now.astimezone(zone).date():
        return text("by", lang, texts, time=time)
    return text("by_day", lang, texts, time=time, day=_day(reply_by, zone, lang))


def opening_message(
    opens_at: datetime, language: str, timezone: str, now: datetime, texts: Texts | None = None
) -> str:
    """ "We open today / tomorrow / on Tue, December 29 at 9:00 AM (your time)"."""
    lang = _language(language)
    zone = ZoneInfo(timezone)
    time = _time(opens_at, zone, lang)
    days = (opens_at.astimezone(zone).date() - now.astimezone(zone).date()).days
    if days <= 0:
        return text("closed_today", lang, texts, time=time)
    if days == 1:
        return text("closed_tomorrow", lang, texts, time=time)
    return text("closed_day", lang, texts, time=time, day=_day(opens_at, zone, lang))


def back_in_message(
    opens_at: datetime, language: str, now: datetime, texts: Texts | None = None
) -> str:
    """ "We're back in 1 hr 20 min" (rounded up to the minute)."""
    lang = _language(language)
    return text("back_in", lang, texts, duration=duration(opens_at - now, lang))


def callback_prompt(language: str, texts: Texts | None = None) -> str:
    return text("callback", _language(language), texts)


def correction_message(
    reply_by: datetime, language: str, timezone: str, now: datetime, texts: Texts | None = None
) -> str:
    lang = _language(language)
    return text("correction", lang, texts, promise=promise(reply_by, lang, timezone, now, texts))


def duration(amount: timedelta, language: str) -> str:
    """``1 hr 20 min`` / ``1 h 20 min`` / ``1小时20分钟``, rounded up to the minute."""
    minutes = max(1, math.ceil(amount.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    locale = _locale(language)
    parts = []
    if hours:
        parts.append(format_unit(hours, "duration-hour", length="short", locale=locale))
    if minutes:
        parts.append(format_unit(minutes, "duration-minute", length="short", locale=locale))
    return _plain(("" if language == "zh" else " ").join(parts))


def _round_minutes(wait: timedelta) -> int:
    """Up to the next 5 minutes past 10 (nobody believes "within 13 minutes")."""
    minutes = math.ceil(wait.total_seconds() / 60)
    return minutes if minutes <= 10 else int(math.ceil(minutes / 5) * 5)


def _time(at: datetime, zone: ZoneInfo, language: str) -> str:
    """CLDR puts (narrow) no-break spaces in times and units; plain spaces keep an SMS in
    GSM-7 (one non-GSM character makes the whole message UCS-2, half as long)."""
    return _plain(format_time(at, "short", tzinfo=zone, locale=_locale(language)))


def _day(at: datetime, zone: ZoneInfo, language: str) -> str:
    return _plain(format_skeleton("MMMMEEEEd", at, tzinfo=zone, locale=_locale(language)))


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\xa0", " ")


def _language(language: str) -> str:
    """``fr-CA`` -> ``fr``: texts are per language, not per region."""
    return language.split("-")[0].split("_")[0].lower() or DEFAULT_LANGUAGE


@lru_cache(maxsize=64)
def _locale(language: str) -> str:
    """The Babel locale for a language, English when Babel does not know it."""
    try:
        Locale.parse(language)
    except (ValueError, UnknownLocaleError):
        return DEFAULT_LANGUAGE
    return language
