"""Past conversations as the simulator reads them, and the plain JSONL reader.

The plain format (README, "Simulation") is one JSON object per line::

    {"id": "42", "channel": "webchat", "language": "fr", "contact": {"plan": "pro"},
     "messages": [{"role": "customer", "text": "Bonjour", "ts": "2025-03-03T09:00:00Z"}],
     "outcome": "escalated"}

The hub's own export (``hub export``) is a superset of it, read by the same function:
``inbox``, ``contact`` as ``{"id", "name", "email", "phone", "language", "tier",
"fields": {...}}``, a message's ``button`` (the id pressed), and ``happened`` (what the
live hub did: ``status``, ``reason``, ``team``, ``agent``). ``ts`` is ISO 8601 with a zone
(``Z`` allowed) or Unix seconds. Bad lines are counted with their line number
(:class:`Problem`), never raised: a month of history should not fail on one odd row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, cast

from config.inboxes import INBOX_KINDS

Role = Literal["customer", "bot", "agent"]
ROLES: frozenset[str] = frozenset({"customer", "bot", "agent"})
CHANNELS: frozenset[str] = frozenset(INBOX_KINDS)


@dataclass(frozen=True, slots=True)
class HistoryMessage:
    role: Role
    ts: datetime
    text: str | None = None
    button: str | None = None


@dataclass(frozen=True, slots=True)
class Contact:
    id: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    tier: str | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HistoryConversation:
    id: str
    channel: str
    messages: tuple[HistoryMessage, ...]
    line: int
    language: str | None = None
    inbox: str | None = None
    contact: Contact = Contact()
    #: what happened live, as the history says (``outcome`` or ``happened.status``)
    outcome: str | None = None

    @property
    def started_at(self) -> datetime:
        return self.messages[0].ts


@dataclass(frozen=True, slots=True)
class Problem:
    """A line (or a conversation on it) the simulator skipped, and why."""

    line: int
    reason: str
    conversation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "conversation": self.conversation, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class History:
    conversations: tuple[HistoryConversation, ...]
    problems: tuple[Problem, ...] = ()
    #: what a reader left out on purpose, by kind (Chatwoot's private notes...)
    skipped: Mapping[str, int] = field(default_factory=dict)


class BadRecord(ValueError):
    """Raised inside a reader for one record; becomes a :class:`Problem`."""


#: timestamps outside this range are refused (a replay adds hours to them)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def parse_ts(raw: object) -> datetime:
    if isinstance(raw, bool) or raw is None:
        raise BadRecord("a message without a timestamp")
    if isinstance(raw, int | float):
        try:
            parsed = datetime.fromtimestamp(float(raw), UTC)
        except (OverflowError, OSError, ValueError):
            raise BadRecord(f"timestamp {raw!r} is out of range") from None
    elif isinstance(raw, str):
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise BadRecord(f"timestamp {raw!r} is not ISO 8601") from None
        if parsed.tzinfo is None:
            raise BadRecord(f"timestamp {raw!r} has no time zone")
    else:
        raise BadRecord(f"timestamp {raw!r} is neither ISO 8601 nor Unix seconds")
    if not EARLIEST <= parsed <= LATEST:
        raise BadRecord(f"timestamp {raw!r} is out of range")
    return parsed.astimezone(UTC)


def _text(raw: object) -> str | None:
    return raw if isinstance(raw, str) and raw != "" else None


def _contact(raw: object, language: str | None) -> Contact:
    if not isinstance(raw, Mapping):
        return Contact(language=language)
    if "fields" in raw:  # the hub's export: the person, with their fields inside
        fields = raw.get("fields")
        return Contact(
            id=str(raw["id"]) if raw.get("id") is not None else None,
            name=_text(raw.get("name")),
            email=_text(raw.get("email")),
            phone=_text(raw.get("phone")),
            language=_text(raw.get("language")) or language,
            tier=_text(raw.get("tier")),
            fields=dict(fields) if isinstance(fields, Mapping) else {},
        )
    return Contact(language=language, fields=dict(raw))  # the plain format: fields only


def conversation_from(raw: object, line: int) -> HistoryConversation:
    """One conversation of the plain or the hub format; raises :class:`BadRecord`."""
    if not isinstance(raw, Mapping):
        raise BadRecord("a line must be one JSON object")
    ident = raw.get("id")
    if ident is None or isinstance(ident, bool | dict | list):
        raise BadRecord("a conversation needs an 'id'")
    channel = raw.get("channel")
    if channel is None:
        raise BadRecord("a conversation needs a 'channel'")
    if not isinstance(channel, str) or channel not in CHANNELS:
        raise BadRecord(f"unknown channel {channel!r} (known: {', '.join(sorted(CHANNELS))})")
    items = raw.get("messages")
    if not isinstance(items, list) or not items:
        raise BadRecord("a conversation needs a non-empty 'messages' list")
    messages: list[HistoryMessage] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, Mapping):
            raise BadRecord(f"message {number} is not an object")
        role = item.get("role")
        if not isinstance(role, str) or role not in ROLES:
            raise BadRecord(f"message {number}: unknown role {role!r}")
        try:
            ts = parse_ts(item.get("ts"))
        except BadRecord as exc:
            raise BadRecord(f"message {number}: {exc}") from None
        if messages and ts < messages[-1].ts:
            raise BadRecord(f"message {number}: timestamps out of order")
        button = _text(item.get("button"))
        messages.append(HistoryMessage(cast(Role, role), ts, _text(item.get("text")), button))
    language = _text(raw.get("language"))
    happened = raw.get("happened")
    outcome = raw.get("outcome")
    if outcome is None and isinstance(happened, Mapping):
        outcome = happened.get("status")
    return HistoryConversation(
        id=str(ident),
        channel=str(channel),
        messages=tuple(messages),
        line=line,
        language=language,
        inbox=_text(raw.get("inbox")),
        contact=_contact(raw.get("contact"), language),
        outcome=str(outcome) if outcome is not None else None,
    )


def read_jsonl(lines: Iterable[str]) -> History:
    """Every line of a plain or hub-export JSONL file; blank lines are ignored."""
    conversations: list[HistoryConversation] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except (ValueError, RecursionError):  # RecursionError: nested past the parser
            problems.append(Problem(number, "not JSON"))
            continue
        ident = raw.get("id") if isinstance(raw, Mapping) else None
        try:
            conversation = conversation_from(raw, number)
        except BadRecord as exc:
            label = str(ident) if isinstance(ident, str | int) else None
            problems.append(Problem(number, str(exc), label))
            continue
        if conversation.id in seen:
            problems.append(Problem(number, "duplicate conversation id", conversation.id))
            continue
        seen.add(conversation.id)
        conversations.append(conversation)
    return History(tuple(conversations), tuple(problems))


__all__ = [
    "CHANNELS",
    "BadRecord",
    "Contact",
    "History",
    "HistoryConversation",
    "HistoryMessage",
    "Problem",
    "conversation_from",
    "parse_ts",
    "read_jsonl",
]
