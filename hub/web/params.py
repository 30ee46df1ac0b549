"""Ids in paths and query strings, checked before they reach a query.

The database's integer keys are signed 64-bit: a larger number made the driver raise
(SQLite ``OverflowError``, asyncpg ``DataError``) and the request answer 500. Python's
``int()`` also takes ``"1_000"``, ``" 1"`` and other scripts' digits, which are no id a
client was ever given. Only plain ASCII decimals from 1 to 2^63 - 1 are ids.
"""

from __future__ import annotations

import re

from hub.errors import InvalidRequest, NotFound

MAX_ID = 2**63 - 1
_DECIMAL = re.compile(r"[0-9]{1,19}")


def parse_id(raw: str) -> int | None:
    """``raw`` as a row id, or ``None`` when it cannot be one."""
    if not _DECIMAL.fullmatch(raw):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def path_id(raw: str, what: str) -> int:
    """A path's id; :class:`NotFound` (404, "no such ...") when it cannot be one: a row
    that cannot exist is answered like one that does not."""
    value = parse_id(raw)
    if value is None:
        raise NotFound(f"no such {what}")
    return value


def query_id(raw: str, name: str) -> int:
    """A paging id of the query string; :class:`InvalidRequest` (400) when it cannot be one."""
    value = parse_id(raw)
    if value is None:
        raise InvalidRequest(f"{name} must be an id (1 to {MAX_ID})")
    return value
