"""Items checked before they are stored: what is stored must be what the processor reads.

Adapters build items leniently from provider JSON (``body.get("body")`` is whatever the
sender put there). An item whose fields are not the types :class:`InboundItem` promises
(a WhatsApp ``text.body`` that is a list, a Telegram ``text`` that is a number) used to be
acknowledged, stored, then fail in processing again and again, holding its sender's next
message. :func:`screen` turns such an item into an EVENT ``content_type="unparseable"``
with a one-line reason: it is stored and marked failed at once (the provider gets its 200
and stops re-sending; the neighbours in the batch are untouched; the sender's lane moves
on), and the operator sees why.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from typing import Any

import orjson

from channels.base import Attachment, InboundItem, ItemKind, Profile
from channels.binding import INVALID_ITEM, RefusalCounter
from channels.keys import KEY_LIMIT

UNPARSEABLE = "unparseable"
_TEXT_FIELDS = ("message_id", "text", "payload", "reply_to", "error")
_ATTACHMENT_FIELDS = ("url", "media_id", "mime_type", "filename", "caption")
_PROFILE_FIELDS = tuple(f.name for f in fields(Profile))


def problem(item: InboundItem) -> str | None:
    """The first reason ``item`` cannot be stored as it is, or ``None`` when it can.

    The annotations of :class:`InboundItem` are what adapters promise, not what a payload
    guarantees, hence every value is looked at as an ``object``."""
    event_id: object = item.event_id
    source: object = item.source_id
    content_type: object = item.content_type
    if not isinstance(event_id, str) or not event_id:
        return "the item has no id"
    if not isinstance(source, str):
        return f"the sender id is a {type(source).__name__}, not a string"
    if len(source) > KEY_LIMIT:
        return f"the sender id is longer than {KEY_LIMIT} characters"
    if not isinstance(content_type, str):
        return "the content type is not a string"
    for name in _TEXT_FIELDS:
        value: object = getattr(item, name)
        if value is not None and not isinstance(value, str):
            return f"'{name}' is a {type(value).__name__}, not a string"
    attachments: tuple[object, ...] = item.attachments
    for index, attachment in enumerate(attachments):
        if not isinstance(attachment, Attachment):
            return f"attachment {index} is not an attachment"
        for name in _ATTACHMENT_FIELDS:
            value = getattr(attachment, name)
            if value is not None and not isinstance(value, str):
                return f"attachment {index} '{name}' is a {type(value).__name__}, not a string"
    if item.profile is not None:
        for name in _PROFILE_FIELDS:
            value = getattr(item.profile, name)
            if value is not None and not isinstance(value, str):
                return f"profile '{name}' is a {type(value).__name__}, not a string"
    return None


def failed_item(item: InboundItem, reason: str) -> InboundItem:
    """The EVENT stored in place of a bad item; keyed by the provider's id when it has a
    usable one (a redelivery is still a duplicate), else by a digest of what arrived."""
    given: object = item.event_id
    event_id = given if isinstance(given, str) and given else ""
    if not event_id:
        raw = orjson.dumps(_describe(item), default=repr, option=orjson.OPT_SORT_KEYS)
        event_id = f"{UNPARSEABLE}:{hashlib.sha256(raw).hexdigest()[:32]}"
    sender: object = item.source_id
    source = sender if isinstance(sender, str) else ""
    return InboundItem(
        kind=ItemKind.EVENT,
        event_id=event_id,
        source_id=source if len(source) <= KEY_LIMIT else "",
        occurred_at=item.occurred_at,
        content_type=UNPARSEABLE,
        error=reason,
        data={"kind": item.kind.value, "content_type": str(item.content_type)},
    )


def screen(items: list[InboundItem], counter: RefusalCounter | None = None) -> list[InboundItem]:
    """``items`` with every bad one replaced by its failed EVENT (order kept)."""
    out: list[InboundItem] = []
    for item in items:
        reason = problem(item)
        if reason is None:
            out.append(item)
            continue
        if counter is not None:
            counter.add(INVALID_ITEM)
        out.append(failed_item(item, reason))
    return out


def _describe(item: InboundItem) -> dict[str, Any]:
    return {f.name: getattr(item, f.name) for f in fields(InboundItem)}
