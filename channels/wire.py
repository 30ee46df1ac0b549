"""Defensive accessors for provider payloads: wrong shapes read as empty, never crash."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from channels.errors import PayloadInvalid


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


def json_object(body: bytes) -> dict[str, Any]:
    """Decode a verified body that must be a JSON object; anything else is a 400."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadInvalid(f"malformed JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadInvalid("body must be a JSON object")
    return data
