"""Defensive accessors for provider payloads: wrong shapes read as empty, never crash."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


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
