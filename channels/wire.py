"""Defensive accessors for provider payloads: wrong shapes read as empty, never crash.

:func:`load_json` is the one door every JSON webhook body goes through, after its signature
was checked and before any other work. It bounds what a body may cost and makes what it
returns storable on every backend:

- nesting deeper than :data:`MAX_DEPTH`, integers longer than :data:`MAX_INT_DIGITS`
  digits, ``NaN`` / ``Infinity`` and numbers that overflow a double are refused with
  :class:`~channels.errors.PayloadLimitExceeded` (a 400): no provider sends them, and each
  used to reach code that raised (RecursionError, int-from-string limits, OverflowError);
- NUL and lone UTF-16 surrogates (``"\\u0000"``, ``"\\ud83d"``) in any string, keys
  included, become U+FFFD (see :func:`clean_text`). Replaced, not refused: one bad
  character must not fail the other items of a batch, PostgreSQL cannot store NUL in text
  at all, and a lone surrogate is not UTF-8, so anything kept would not read back.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import orjson

from channels.errors import PayloadInvalid, PayloadLimitExceeded

#: Deepest nesting accepted. Real payloads stay near 12 (a WhatsApp contacts card inside
#: entry/changes/value/messages); 64 leaves room for reply chains and new shapes.
MAX_DEPTH = 64
#: Longest integer accepted, in digits (an unsigned 64-bit integer has 20).
MAX_INT_DIGITS = 20
REPLACEMENT = "\ufffd"

#: A run of more digits than an integer may have, anywhere (strings included), is the
#: pre-filter for the exact, slower path: every digit maps to "0", everything else to "x",
#: then a substring search (C speed; a regex costs ten times more on a 2 KB body).
_DIGITS_AS_ZERO = bytes(0x30 if 0x30 <= i <= 0x39 else 0x78 for i in range(256))
_LONG_RUN = b"0" * (MAX_INT_DIGITS + 1)
_NUL_ESCAPE = b"\\u0000"


def header(headers: Mapping[str, str], name: str) -> str | None:
    """Case-insensitive header lookup that also works on plain dicts (tests, CLI)."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def as_list(value: Any) -> list[dict[str, Any]]:
    """The dict elements of a JSON array; anything else is empty."""
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def clean_text(value: str) -> str:
    """``value`` with NUL and lone surrogates replaced by U+FFFD (unchanged when clean)."""
    if value.isascii():
        return value.replace("\x00", REPLACEMENT) if "\x00" in value else value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: pair what pairs, replace the rest
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value.replace("\x00", REPLACEMENT) if "\x00" in value else value


def json_object(body: bytes) -> dict[str, Any]:
    """Decode a verified body that must be a JSON object; anything else is a 400."""
    data = load_json(body)
    if not isinstance(data, dict):
        raise PayloadInvalid("body must be a JSON object")
    return data


def load_json(body: bytes) -> Any:
    """Parse a verified body within the limits above; strings come back clean."""
    if _LONG_RUN in body.translate(_DIGITS_AS_ZERO):
        return _checked(_load_exact(body), clean=True)
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        message = str(exc)
        if "surrogate" in message:  # orjson refuses lone surrogates; json keeps them
            return _checked(_load_exact(body), clean=True)
        if "depth" in message:
            raise PayloadLimitExceeded(f"JSON nested deeper than {MAX_DEPTH} levels") from None
        if "infinity" in message:
            raise PayloadLimitExceeded("a number in the body is too large") from None
        raise PayloadInvalid(f"malformed JSON: {message}") from None
    # What orjson accepted holds no lone surrogate, and a NUL only from a \u0000 escape;
    # it cannot nest deeper than it has brackets. Most bodies need no walk at all.
    dirty = _NUL_ESCAPE in body
    if dirty or body.count(b"{") + body.count(b"[") > MAX_DEPTH:
        return _checked(data, clean=dirty)
    return data


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise PayloadLimitExceeded(f"an integer in the body has more than {MAX_INT_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise PayloadLimitExceeded("a number in the body is too large")
    return value


def _constant(text: str) -> Any:
    raise PayloadLimitExceeded(f"{text} is not a JSON number")


def _load_exact(body: bytes) -> Any:
    """The standard library's parser with hooks on every number; used when needed only."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadInvalid("malformed JSON: the body is not UTF-8") from None
    try:
        return json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise PayloadLimitExceeded(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except json.JSONDecodeError as exc:
        raise PayloadInvalid(f"malformed JSON: {exc}") from None


def _checked(root: Any, clean: bool) -> Any:
    """Walk the parsed value once (no recursion): the depth limit, and when ``clean`` the
    strings cleaned in place."""
    if isinstance(root, str):
        return clean_text(root)
    if not clean:
        return _depth_checked(root)
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise PayloadLimitExceeded(f"JSON nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            dirty_keys = [k for k in node if clean_text(k) is not k]
            for key in dirty_keys:
                node[clean_text(key)] = node.pop(key)
            for key, value in node.items():
                if isinstance(value, str):
                    cleaned = clean_text(value)
                    if cleaned is not value:
                        node[key] = cleaned
                elif isinstance(value, dict | list):
                    stack.append((value, depth + 1))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, str):
                    cleaned = clean_text(value)
                    if cleaned is not value:
                        node[index] = cleaned
                elif isinstance(value, dict | list):
                    stack.append((value, depth + 1))
    return root


def _depth_checked(root: Any) -> Any:
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise PayloadLimitExceeded(f"JSON nested deeper than {MAX_DEPTH} levels")
        values = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((v, depth + 1) for v in values if isinstance(v, dict | list))
    return root
