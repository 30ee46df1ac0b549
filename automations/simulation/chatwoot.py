"""Chatwoot's conversation and message JSON, as its application API returns them.

Written from Chatwoot's public API reference: ``GET .../conversations`` answers
``{"data": {"meta": ..., "payload": [conversation, ...]}}``, and ``GET
.../conversations/{id}/messages`` answers ``{"meta": ..., "payload": [message, ...]}``. A
conversation carries ``id``, ``inbox_id``, ``status``, ``created_at`` (Unix seconds),
``meta.sender`` (the contact: ``id``, ``name``, ``email``, ``phone_number``,
``custom_attributes``), ``meta.channel`` (``Channel::WebWidget``...), ``labels``,
``custom_attributes``, ``additional_attributes.browser_language`` and, in the export this
reader takes, its ``messages``. A message carries ``id``, ``content``, ``message_type``
(0 incoming, 1 outgoing, 2 activity, 3 template; the names are accepted too),
``content_type``, ``content_attributes`` (``submitted_values`` of a pressed option),
``private``, ``created_at`` and ``sender`` / ``sender_type``.

Accepted files: one JSON document (a conversations response, a bare list of conversations,
or one conversation), or JSON lines of conversations. Skipped on purpose, and counted by
kind in :attr:`History.skipped`: private notes, activity and template messages, messages
with only attachments, CSAT survey messages, conversations on channels the hub does not
have (e-mail, LINE, SMS through other providers...).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from automations.simulation.history import (
    BadRecord,
    Contact,
    History,
    HistoryConversation,
    HistoryMessage,
    Problem,
    Role,
    parse_ts,
)

#: Chatwoot channel types and the inbox kind each becomes here
CHANNELS: Mapping[str, str] = {
    "Channel::WebWidget": "webchat",
    "Channel::Whatsapp": "whatsapp_cloud",
    "Channel::TwilioSms": "twilio",
    "Channel::FacebookPage": "messenger",
    "Channel::Telegram": "telegram",
    "Channel::Api": "api",
}
_TYPES = {0: "incoming", 1: "outgoing", 2: "activity", 3: "template"}


def _conversations(document: Any) -> list[Any]:
    if isinstance(document, list):
        return document
    if isinstance(document, Mapping):
        data = document.get("data", document)
        if isinstance(data, Mapping) and isinstance(data.get("payload"), list):
            return list(data["payload"])
        if "messages" in document:
            return [document]
    raise BadRecord("not a Chatwoot conversations response, list or conversation")


def _role(message: Mapping[str, Any]) -> Role | None:
    kind = message.get("message_type")
    kind = _TYPES.get(kind, kind) if isinstance(kind, int) else kind
    if kind == "incoming":
        return "customer"
    if kind != "outgoing":
        return None
    sender = message.get("sender")
    sender_type = message.get("sender_type") or (
        sender.get("type") if isinstance(sender, Mapping) else None
    )
    return "bot" if str(sender_type).lower() in ("agentbot", "agent_bot") else "agent"


def _message(raw: Any, skipped: Counter[str]) -> HistoryMessage | None:
    if not isinstance(raw, Mapping):
        raise BadRecord("a message is not an object")
    if raw.get("private"):
        skipped["private note"] += 1
        return None
    if raw.get("content_type") == "input_csat":
        skipped["CSAT survey message"] += 1
        return None
    role = _role(raw)
    if role is None:
        kind = raw.get("message_type")
        skipped[f"{_TYPES.get(kind, kind) if isinstance(kind, int) else kind} message"] += 1
        return None
    ts = parse_ts(raw.get("created_at"))
    attributes = raw.get("content_attributes")
    button = None
    if isinstance(attributes, Mapping) and role == "customer":
        values = attributes.get("submitted_values")
        if isinstance(values, list) and values and isinstance(values[0], Mapping):
            value = values[0].get("value")
            button = str(value) if value is not None else None
    text = raw.get("content") if isinstance(raw.get("content"), str) else None
    if not text and button is None:
        skipped["attachment-only message"] += 1
        return None
    return HistoryMessage(role, ts, text or None, button)


def _conversation(raw: Any, line: int, skipped: Counter[str]) -> HistoryConversation | None:
    if not isinstance(raw, Mapping) or raw.get("id") is None:
        raise BadRecord("a conversation needs an 'id'")
    meta: Mapping[str, Any] = raw["meta"] if isinstance(raw.get("meta"), Mapping) else {}
    channel_type = meta.get("channel") or raw.get("channel")
    channel = CHANNELS.get(str(channel_type))
    if channel is None:
        raise BadRecord(f"unknown channel {channel_type!r}")
    items = raw.get("messages")
    if not isinstance(items, list):
        raise BadRecord("a conversation needs its 'messages'")
    messages = [m for m in (_message(item, skipped) for item in items) if m is not None]
    messages.sort(key=lambda m: m.ts)  # Chatwoot pages newest first; order by time
    if not any(m.role == "customer" for m in messages):
        skipped["conversation without customer messages"] += 1
        return None
    sender: Mapping[str, Any] = meta["sender"] if isinstance(meta.get("sender"), Mapping) else {}
    extra = raw.get("additional_attributes")
    language = extra.get("browser_language") if isinstance(extra, Mapping) else None
    fields = sender.get("custom_attributes")
    contact = Contact(
        id=str(sender["id"]) if sender.get("id") is not None else None,
        name=sender.get("name") or None,
        email=sender.get("email") or None,
        phone=sender.get("phone_number") or None,
        language=language,
        fields=dict(fields) if isinstance(fields, Mapping) else {},
    )
    return HistoryConversation(
        id=str(raw["id"]),
        channel=channel,
        messages=tuple(messages),
        line=line,
        language=language,
        inbox=str(raw["inbox_id"]) if raw.get("inbox_id") is not None else None,
        contact=contact,
        outcome=str(raw["status"]) if raw.get("status") is not None else None,
    )


def read_chatwoot(text: str) -> History:
    """Conversations of a Chatwoot export; what was left out is in ``skipped``."""
    skipped: Counter[str] = Counter()
    problems: list[Problem] = []
    records: list[tuple[int, Any]] = []
    try:
        records = [(1, item) for item in _conversations(json.loads(text))]
    except BadRecord as exc:
        return History((), (Problem(1, str(exc)),))
    except (ValueError, RecursionError):  # not one document: JSON lines
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    records.append((number, json.loads(line)))
                except (ValueError, RecursionError):
                    problems.append(Problem(number, "not JSON"))
    found: list[HistoryConversation] = []
    for number, raw in records:
        try:
            conversation = _conversation(raw, number, skipped)
        except BadRecord as exc:
            ident = raw.get("id") if isinstance(raw, Mapping) else None
            problems.append(Problem(number, str(exc), str(ident) if ident is not None else None))
            continue
        if conversation is not None:
            found.append(conversation)
    problems.sort(key=lambda p: p.line)
    return History(tuple(found), tuple(problems), dict(sorted(skipped.items())))


__all__ = ["CHANNELS", "read_chatwoot"]
