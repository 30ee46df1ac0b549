"""The adapter interface every channel implements, and the values that cross it.

An adapter knows one provider's wire format and nothing about storage: the hub hands it a
:class:`WebhookRequest` (raw bytes, headers, the public URL the provider called) and gets
back normalised :class:`InboundItem` values; for sends it gets an
:class:`OutboundMessage` and returns a :class:`SendResult` or raises a
:class:`~channels.errors.SendError` that says whether to retry.
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, ClassVar

import orjson

from channels.binding import RefusalCounter
from channels.media_policy import MediaPolicy, policy_for
from config.inboxes import InboxConfig


class ItemKind(StrEnum):
    MESSAGE = "message"  #: something the customer sent (text, media, button press...)
    STATUS = "status"  #: delivery state of a message we sent
    EVENT = "event"  #: anything else worth recording (blocked bot, read watermark...)


class DeliveryStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"

    @property
    def rank(self) -> int:
        """Statuses never move backwards: a later rank wins, ``failed`` is terminal."""
        return _STATUS_RANK[self]


_STATUS_RANK = {
    DeliveryStatus.QUEUED: 0,
    DeliveryStatus.SENT: 1,
    DeliveryStatus.DELIVERED: 2,
    DeliveryStatus.READ: 3,
    DeliveryStatus.FAILED: 4,
}


@dataclass(frozen=True, slots=True)
class WebhookRequest:
    """A provider's HTTP request as the adapter needs it, independent of the web framework."""

    method: str
    url: str  #: the public URL the provider called (scheme and host from HUB_PUBLIC_URL)
    headers: Mapping[str, str]  #: case-insensitive mapping
    query: Mapping[str, str]
    body: bytes
    content_type: str = ""
    form: Mapping[str, Any] | None = None  #: decoded form fields (a MultiDict) for form posts


@dataclass(frozen=True, slots=True)
class WebhookResponse:
    status: int = 200
    body: str = '{"ok":true}'
    content_type: str = "application/json"


@dataclass(frozen=True, slots=True)
class Attachment:
    kind: str  #: image, audio, voice, video, document, sticker, location, contacts, file
    url: str | None = None
    media_id: str | None = None  #: provider's id, fetched lazily when an agent opens it
    mime_type: str | None = None
    filename: str | None = None
    caption: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)  #: e.g. latitude/longitude

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "url": self.url,
            "media_id": self.media_id,
            "mime_type": self.mime_type,
            "filename": self.filename,
            "caption": self.caption,
            "data": dict(self.data),
        }


@dataclass(frozen=True, slots=True)
class Profile:
    """What the provider tells us about the sender; fills empty contact fields only."""

    name: str | None = None
    phone: str | None = None
    email: str | None = None
    username: str | None = None
    language: str | None = None


def _without_lone_surrogates(raw: dict[str, Any]) -> bytes:
    text = json.dumps(raw, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace").encode()


#: ``data`` key of a receipt's watermark (a provider timestamp): receipts that cover
#: everything sent up to an instant instead of naming one message
WATERMARK = "watermark"


@dataclass(frozen=True, slots=True)
class InboundItem:
    """One normalised provider item. ``event_id`` is unique per inbox (the dedupe key)."""

    kind: ItemKind
    event_id: str
    source_id: str  #: the customer's address on this inbox (wa_id, phone, PSID, chat id...)
    occurred_at: datetime | None = None
    message_id: str | None = None  #: provider message id (ours for statuses)
    content_type: str = "text"
    text: str | None = None
    payload: str | None = None  #: id of a pressed button / quick reply / postback
    attachments: tuple[Attachment, ...] = ()
    reply_to: str | None = None
    profile: Profile | None = None
    status: DeliveryStatus | None = None
    error: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)  #: provider details worth keeping

    @property
    def watermark(self) -> datetime | None:
        """For a receipt without a message id (Messenger's): every message we sent up to
        this instant reached its ``status``. ``None`` when the item carries none."""
        value = self.data.get(WATERMARK)
        return utc_from_timestamp(value) if value is not None else None

    @property
    def order_key(self) -> str:
        """Items with the same key are processed one at a time, in order. A receipt gets a
        lane of its own: ranks only move forward, so its order against the customer's
        messages does not matter, and one waiting for its message id must not hold them."""
        if self.kind is ItemKind.STATUS and self.message_id:
            return f"status:{self.message_id}"
        return self.source_id

    def to_json(self) -> str:
        """Compact JSON (orjson: this runs for every stored item); built by hand because
        ``asdict`` deep-copies every value."""
        raw: dict[str, Any] = {
            "kind": self.kind.value,
            "event_id": self.event_id,
            "source_id": self.source_id,
            "occurred_at": self.occurred_at.isoformat() if self.occurred_at else None,
            "message_id": self.message_id,
            "content_type": self.content_type,
            "text": self.text,
            "payload": self.payload,
            "reply_to": self.reply_to,
            "status": self.status.value if self.status else None,
            "error": self.error,
        }
        if self.attachments:
            raw["attachments"] = [a.to_dict() for a in self.attachments]
        if self.profile is not None:
            p = self.profile
            raw["profile"] = {
                "name": p.name,
                "phone": p.phone,
                "email": p.email,
                "username": p.username,
                "language": p.language,
            }
        if self.data:
            raw["data"] = dict(self.data)
        try:
            return orjson.dumps(raw, default=str, option=orjson.OPT_NON_STR_KEYS).decode()
        except orjson.JSONEncodeError:
            # a lone surrogate ("\\ud83d" half an emoji in the provider's JSON) is not
            # text any database can store: it becomes U+FFFD, the rest is kept
            return _without_lone_surrogates(raw).decode()

    @classmethod
    def from_json(cls, text: str) -> InboundItem:
        raw = orjson.loads(text)
        occurred = raw.get("occurred_at")
        profile = raw.get("profile")
        status = raw.get("status")
        return cls(
            kind=ItemKind(raw["kind"]),
            event_id=raw["event_id"],
            source_id=raw["source_id"],
            occurred_at=datetime.fromisoformat(occurred) if occurred else None,
            message_id=raw.get("message_id"),
            content_type=raw.get("content_type") or "text",
            text=raw.get("text"),
            payload=raw.get("payload"),
            attachments=tuple(Attachment(**a) for a in raw.get("attachments") or ()),
            reply_to=raw.get("reply_to"),
            profile=Profile(**profile) if profile else None,
            status=DeliveryStatus(status) if status else None,
            error=raw.get("error"),
            data=raw.get("data") or {},
        )


@dataclass(frozen=True, slots=True)
class Button:
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """What the hub wants delivered; the adapter degrades what its channel cannot show."""

    recipient: str  #: the contact's source_id on this inbox
    text: str
    reference: str  #: the hub's message id (idempotency key and correlation)
    conversation_ref: str = ""
    buttons: tuple[Button, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    reply_to: str | None = None
    customer_last_message_at: datetime | None = None  #: for 24-hour windows
    sender_name: str | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    provider_message_id: str | None


@dataclass(frozen=True, slots=True)
class Capabilities:
    max_buttons: int = 0  #: 0: buttons become a numbered list in the text
    media: bool = False


PushFn = Callable[[str, Mapping[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class AdapterServices:
    """What the hub lends adapters; keeps channels free of hub imports."""

    http: Any  #: an ``aiohttp.ClientSession`` owned by the hub
    push: PushFn | None = None  #: realtime push to a web chat visitor (channel, event)
    public_url: str = ""


def numbered_fallback(text: str, buttons: tuple[Button, ...]) -> str:
    """Buttons shown as a numbered list for channels without buttons; "1" selects the first."""
    if not buttons:
        return text
    lines = [text, ""] + [f"{index}. {button.title}" for index, button in enumerate(buttons, 1)]
    return "\n".join(lines)


#: Provider timestamps outside [epoch, 2100) are not believed: a far-future one would
#: sort an item after everything its sender sends next, and ``fromtimestamp`` overflows
#: on 1e20. Such an item gets ``occurred_at=None`` (the hub then uses the receive time).
LATEST_TIMESTAMP = 4102444800.0  # 2100-01-01T00:00:00Z


def utc_from_timestamp(value: object) -> datetime | None:
    """Provider timestamps (seconds or milliseconds, as numbers or strings) in UTC;
    ``None`` for anything else, including ``"inf"``, ``NaN`` and absurd values."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if not isinstance(value, str | int | float):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if not math.isfinite(number):
        return None
    if number > 1e11:  # milliseconds (Messenger)
        number /= 1000
    if not 0 <= number < LATEST_TIMESTAMP:
        return None
    return datetime.fromtimestamp(number, tz=UTC)


class ChannelAdapter(ABC):
    """One provider account. Subclasses set ``kind`` and implement verify/parse/send."""

    kind: ClassVar[str]
    capabilities: ClassVar[Capabilities] = Capabilities()
    #: names of the secrets this kind needs, as fields of the inbox's ``secrets``
    secret_names: ClassVar[tuple[str, ...]] = ()

    def __init__(
        self, inbox: InboxConfig, secrets: Mapping[str, str], services: AdapterServices
    ) -> None:
        self.inbox = inbox
        self.secrets = dict(secrets)
        self.services = services
        #: webhook items refused or ignored, by reason (wrong recipient, invalid item...)
        self.refusals = RefusalCounter()
        #: where this inbox's attachments may be fetched from, and with which credentials
        self.media_policy: MediaPolicy = policy_for(inbox)

    @property
    def slug(self) -> str:
        return self.inbox.slug

    async def start(self) -> None:
        """Open SDK clients; called once by the hub inside its event loop."""

    async def close(self) -> None:
        """Release SDK clients."""

    def handshake(self, request: WebhookRequest) -> WebhookResponse | None:
        """Answer a provider's GET verification; ``None`` when the kind has none (405)."""
        return None

    @abstractmethod
    def verify(self, request: WebhookRequest) -> None:
        """Raise :class:`~channels.errors.WebhookRejected` unless the request is authentic.

        Runs before anything reads the body as text: it may only hash the raw bytes (or
        compare a header), so an unsigned body of any shape is a 401/403, never a 500."""

    @abstractmethod
    def parse(self, request: WebhookRequest) -> list[InboundItem]:
        """Split a verified body into items; raise ``PayloadInvalid`` when unparseable.

        Items for another account are left out (counted in :attr:`refusals`), and items
        of the wrong shape come back as failed EVENT items (``channels.screen``)."""

    def acknowledgement(self, items: list[InboundItem]) -> WebhookResponse:
        """The body the provider expects once items are stored."""
        return WebhookResponse()

    async def after_receive(self, item: InboundItem) -> None:
        """Provider-side follow-up once an item is processed (e.g. answer a callback)."""

    @abstractmethod
    async def send(self, message: OutboundMessage) -> SendResult:
        """Deliver one message or raise a ``TransientSendError``/``PermanentSendError``."""
