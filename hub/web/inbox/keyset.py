"""Keyset pagination over a multi-column order with nulls last, as tortoise ``Q``s.

Why keyset and not offsets: an offset makes the database walk every skipped row (slow
deep in a large queue) and a row arriving while an agent pages shifts every page after
it. A cursor names the last row shown; the next page is "rows after it in the order".
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from hub.errors import InvalidRequest


@dataclass(frozen=True, slots=True)
class Key:
    """One column of the order: ``descending`` or not; ``nullable`` ones sort nulls last."""

    field: str
    descending: bool = False
    nullable: bool = False


def _q(**lookup: Any) -> Q:
    return Q(**lookup)


def _equal(key: Key, value: Any) -> Q:
    if value is None:
        return _q(**{f"{key.field}__isnull": True})
    return _q(**{key.field: value})


def _after(key: Key, value: Any) -> Q | None:
    """Rows after ``value`` in this column alone; None when nothing sorts after it."""
    if value is None:
        return None  # nulls are last: nothing comes after a null
    after = _q(**{f"{key.field}__{'lt' if key.descending else 'gt'}": value})
    return after | _q(**{f"{key.field}__isnull": True}) if key.nullable else after


def after_cursor(keys: Sequence[Key], cursor: Sequence[Any]) -> Q:
    """Rows strictly after the row whose values in ``keys`` are ``cursor``."""
    levels: list[Q] = []
    for index, key in enumerate(keys):
        after = _after(key, cursor[index])
        if after is None:
            continue
        levels.append(
            Q(*[_equal(k, v) for k, v in zip(keys[:index], cursor[:index], strict=True)], after)
        )
    if not levels:
        return Q(id__lt=0)  # nothing is after the very last possible row
    return Q(*levels, join_type=Q.OR)


def encode(values: Sequence[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    return base64.urlsafe_b64encode(json.dumps(plain).encode()).decode().rstrip("=")


def decode(cursor: str, keys: Sequence[Key], datetimes: frozenset[str]) -> list[Any]:
    """A cursor of :func:`encode` back into values, or a 400 (never a crash) if mangled."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(keys):
            raise ValueError("wrong length")
        values: list[Any] = []
        for key, value in zip(keys, raw, strict=True):
            if value is None:
                if not key.nullable:
                    raise ValueError(f"{key.field} is null")
                values.append(None)
            elif key.field in datetimes:
                values.append(datetime.fromisoformat(str(value)))
            elif isinstance(value, int) and not isinstance(value, bool):
                values.append(value)
            else:
                raise ValueError(f"{key.field} is not an integer")
        return values
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise InvalidRequest(f"bad cursor: {exc}") from None
