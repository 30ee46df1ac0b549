"""Value types shared by the automation config files (fields, surveys, rules, teams).

Kept apart so each file model stays small and the same spelling of a duration or of a
per-language text is accepted everywhere.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import timedelta
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BeforeValidator, Field

T = TypeVar("T")

#: A text per language (``{en: Hi, fr: Salut}``). A plain string means "the same in every
#: language", which suits proper names such as "English" or "中文".
LocalText = str | dict[str, str]

NAME_PATTERN = r"^[a-z][a-z0-9_]{0,62}$"
#: snake_case identifier used for fields, surveys, teams, rules, labels
Name = Annotated[str, Field(pattern=NAME_PATTERN)]

_DURATION = re.compile(r"^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")


def parse_duration(value: object) -> object:
    """Accept ``90`` (seconds), ``"90s"``, ``"10m"``, ``"1h30m"``, ``"2d"``."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if isinstance(value, str):
        match = _DURATION.match(value.strip())
        if match and any(match.groups()):
            days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
            return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    raise ValueError(f"'{value}' is not a duration (write e.g. 30s, 10m, 1h30m, 2d)")


def _non_empty(value: tuple[T, ...]) -> tuple[T, ...]:
    if not value:
        raise ValueError("must not be empty")
    return value


#: a list that must have an item; checked after its items so one message explains it
NonEmpty = AfterValidator(_non_empty)


def _positive(value: timedelta) -> timedelta:
    if value.total_seconds() <= 0:
        raise ValueError("duration must be positive (e.g. 30s, 10m, 2h, 1d)")
    return value


#: A positive duration written as ``30s``, ``10m``, ``1h30m``, ``2d`` or a number of seconds.
Duration = Annotated[timedelta, BeforeValidator(parse_duration), AfterValidator(_positive)]


def text_for(text: LocalText, language: str, default_language: str) -> str:
    """The text in ``language``, else the default language, else any language given."""
    if isinstance(text, str):
        return text
    if language in text:
        return text[language]
    if default_language in text:
        return text[default_language]
    return next(iter(text.values()), "")


def all_texts(text: LocalText) -> tuple[str, ...]:
    """Every spelling of a text, for loose matching across languages."""
    return (text,) if isinstance(text, str) else tuple(text.values())


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or ``""`` when none is close."""
    close = difflib.get_close_matches(name, sorted(candidates), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def valid_regex(value: str | None) -> str | None:
    """A pydantic validator body: the pattern must compile (checked once, at load)."""
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"invalid regular expression: {exc}") from None
    return value
