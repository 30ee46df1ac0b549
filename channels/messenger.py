"""Facebook Messenger (Meta Graph API): webhook parsing and sending through ``pyfacebook``.

Delivery and read receipts are *watermarks*: every message we sent before the watermark is
delivered/read. They become one STATUS item each with ``message_id=None`` and the watermark
in ``data`` (``channels.base.WATERMARK``, read as ``InboundItem.watermark``); the hub
applies it to all outgoing messages of the conversation sent at or before that instant.
Echoes of the page's own messages are EVENT items (``content_type="echo"``), never
customer messages.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from typing import Any, ClassVar

import requests
from pyfacebook import GraphAPI
from pyfacebook.exceptions import FacebookError, LibraryError

from channels import binding, window
from channels.base import (
    WATERMARK,
    Attachment,
    Capabilities,
    ChannelAdapter,
    DeliveryStatus,
    InboundItem,
    ItemKind,
    OutboundMessage,
    SendResult,
    WebhookRequest,
    WebhookResponse,
    numbered_fallback,
    utc_from_timestamp,
)
from channels.errors import PermanentSendError, SendError, TransientSendError
from channels.meta import GraphError, handshake, load_object, verify_signature
from channels.ratelimit import MESSENGER_MEDIA_PER_PAGE, MESSENGER_PER_PAGE, Limiter, Rate
from channels.screen import screen
from channels.wire import as_dict, as_list
from config.inboxes import MessengerInbox

logger = logging.getLogger(__name__)

MAX_QUICK_REPLIES = 13
#: ``data`` keys of delivery/read STATUS items
WATERMARK_MIDS = "mids"  #: message ids Meta listed explicitly (deliveries only; may be empty)
ATTACHMENT_KINDS = {
    "image": "image",
    "video": "video",
    "audio": "audio",
    "file": "document",
    "location": "location",
    "sticker": "sticker",
    "reel": "video",
    "ig_reel": "video",
}
SEND_KINDS = {"image": "image", "video": "video", "audio": "audio", "voice": "audio"}
MEDIA_RATE_KEY = "audio_video"


def watermark_of(item: InboundItem) -> datetime | None:
    """The instant before which every message we sent is delivered/read (``None``: not one);
    the hub reads it as :attr:`InboundItem.watermark`."""
    return item.watermark


class MessengerAdapter(ChannelAdapter):
    kind: ClassVar[str] = "messenger"
    capabilities: ClassVar[Capabilities] = Capabilities(max_buttons=MAX_QUICK_REPLIES, media=True)
    secret_names: ClassVar[tuple[str, ...]] = ("app_secret", "page_access_token", "verify_token")

    inbox: MessengerInbox

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limiter = Limiter(
            "messenger per page",
            overall=MESSENGER_PER_PAGE,
            per_key=_media_rate,
        )
        self._api: GraphAPI | None = None

    # -- inbound ---------------------------------------------------------------------------

    def handshake(self, request: WebhookRequest) -> WebhookResponse | None:
        return handshake(request, self.secrets["verify_token"])

    def verify(self, request: WebhookRequest) -> None:
        verify_signature(request, self.secrets["app_secret"])

    def parse(self, request: WebhookRequest) -> list[InboundItem]:
        data = load_object(request.body, "page")
        items: list[InboundItem] = []
        for entry in as_list(data["entry"]):
            reason = foreign_entry(entry, self.inbox)
            if reason is not None:
                events = sum(
                    len(as_list(entry.get(k))) for k in ("messaging", "standby", "changes")
                )
                self.refusals.add(reason, max(events, 1))
                logger.info("messenger inbox %s: entry ignored (%s)", self.slug, reason)
                continue
            for event in as_list(entry.get("messaging")):
                items.append(parse_event(event))
            for event in as_list(entry.get("standby")):  # another app holds the thread
                items.append(_as_standby(parse_event(event)))
            for change in as_list(entry.get("changes")):  # App Dashboard "Test" shape
                items.append(parse_event(as_dict(change.get("value")), field=change.get("field")))
        return screen(items, self.refusals)

    # -- outbound --------------------------------------------------------------------------

    @property
    def api(self) -> GraphAPI:
        if self._api is None:
            self._api = GraphAPI(
                access_token=self.secrets["page_access_token"],
                app_secret=self.secrets["app_secret"],
                version=self.inbox.api_version,
                base_url=str(self.inbox.graph_url).rstrip("/") + "/",
                sleep_on_rate_limit=False,  # never time.sleep() inside our worker
                timeout=15,
            )
        return self._api

    async def close(self) -> None:
        if self._api is not None:
            self._api.session.close()
            self._api = None

    async def send(self, message: OutboundMessage) -> SendResult:
        tag = self.inbox.window_tag
        decision = window.decide(
            message.customer_last_message_at,
            datetime.now(UTC),
            fallback=tag,
            fallback_label="Messenger message tag (window_tag)",
            fallback_window=window.HUMAN_AGENT_WINDOW if tag == "HUMAN_AGENT" else None,
        )
        routing: dict[str, str] = {"messaging_type": "RESPONSE"}
        if decision.mode is window.SendMode.FALLBACK and decision.fallback:
            routing = {"messaging_type": "MESSAGE_TAG", "tag": decision.fallback}
        provider_id: str | None = None
        for content, rate_key in build_messages(message):
            await self.limiter.acquire(rate_key)
            form = {
                "recipient": json.dumps({"id": message.recipient}),
                "message": json.dumps(content, ensure_ascii=False),
                **routing,
            }
            provider_id = await asyncio.to_thread(self._post, form)
        return SendResult(provider_message_id=provider_id)

    def _post(self, form: dict[str, str]) -> str | None:
        """Blocking Send API call; runs in a worker thread."""
        try:
            result = self.api.post_object(
                object_id=self.inbox.page_id, connection="messages", data=form
            )
        except FacebookError as exc:
            raise classify_facebook_error(exc) from None
        except LibraryError as exc:  # not JSON: a proxy's or Meta's 5xx page
            raise TransientSendError(f"Send API answered without JSON: {exc!r}", "http") from None
        except requests.RequestException as exc:
            raise TransientSendError(f"Send API unreachable: {exc!r}", "network") from None
        message_id = as_dict(result).get("message_id")
        return str(message_id) if message_id else None


def foreign_entry(entry: dict[str, Any], inbox: MessengerInbox) -> str | None:
    """Why an ``entry[]`` is not for this inbox's page (``None``: it is). Meta groups page
    webhooks by page, ``entry.id`` being the page id, so the events inside are the page's;
    their own ``recipient.id`` is not compared (Meta's examples leave it a placeholder)."""
    page = entry.get("id")
    if page is None or page == "":
        return binding.MISSING_RECIPIENT
    return None if str(page) == inbox.page_id else binding.WRONG_PAGE_ID


def _media_rate(key: str) -> Rate:
    return MESSENGER_MEDIA_PER_PAGE if key == MEDIA_RATE_KEY else MESSENGER_PER_PAGE


def classify_facebook_error(exc: FacebookError) -> SendError:
    error = GraphError(
        http_status=None,  # pyfacebook does not keep it; the error code carries the meaning
        code=_int(getattr(exc, "code", None)),
        subcode=_int(getattr(exc, "error_subcode", None)),
        message=str(getattr(exc, "message", "") or "no message"),
        is_transient=bool(getattr(exc, "is_transient", False)),
    )
    return error.to_send_error()


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def build_messages(message: OutboundMessage) -> list[tuple[dict[str, Any], str | None]]:
    """Send API ``message`` objects (attachments first, then text) with their rate key."""
    out: list[tuple[dict[str, Any], str | None]] = []
    for attachment in message.attachments:
        kind = SEND_KINDS.get(attachment.kind, "file")
        payload = {"url": attachment.url, "is_reusable": True}
        rate_key = MEDIA_RATE_KEY if kind in ("audio", "video") else None
        out.append(({"attachment": {"type": kind, "payload": payload}}, rate_key))
    if message.text or message.buttons:
        if message.buttons and len(message.buttons) <= MAX_QUICK_REPLIES:
            content: dict[str, Any] = {
                "text": message.text,
                "quick_replies": [
                    {"content_type": "text", "title": b.title[:20], "payload": b.id}
                    for b in message.buttons
                ],
            }
        else:
            content = {"text": numbered_fallback(message.text, message.buttons)}
        out.append((content, None))
    if not out:
        raise PermanentSendError("nothing to send: no text, buttons or attachments", "empty")
    return out


# -- parsing -----------------------------------------------------------------------------------


def parse_event(event: dict[str, Any], field: Any = None) -> InboundItem:
    """One ``messaging[]`` element as one item; unknown event kinds become EVENT items."""
    sender = as_dict(event.get("sender"))
    recipient = as_dict(event.get("recipient"))
    psid = str(sender.get("id") or sender.get("user_ref") or "")
    stamp = event.get("timestamp")
    common: dict[str, Any] = {
        "source_id": psid,
        "occurred_at": utc_from_timestamp(stamp),
    }
    data: dict[str, Any] = {"page_id": recipient.get("id")}
    if field:
        data["field"] = field
    if "message" in event:
        message = as_dict(event["message"])
        if message.get("is_echo"):
            return InboundItem(
                kind=ItemKind.EVENT,
                event_id=f"{message.get('mid')}:echo",
                message_id=message.get("mid"),
                content_type="echo",
                text=message.get("text"),
                data={
                    "page_id": sender.get("id"),
                    "app_id": message.get("app_id"),
                    "metadata": message.get("metadata"),
                },
                **{**common, "source_id": str(recipient.get("id") or "")},  # the customer
            )
        return _message(message, common, data)
    if "postback" in event:
        postback = as_dict(event["postback"])
        if "referral" in postback:
            data["referral"] = postback["referral"]
        return InboundItem(
            kind=ItemKind.MESSAGE,
            event_id=str(postback.get("mid") or f"postback:{psid}:{stamp}"),
            message_id=postback.get("mid"),
            content_type="button",
            text=postback.get("title"),
            payload=postback.get("payload"),
            data={**data, "reply_type": "postback"},
            **common,
        )
    for key, status in (("delivery", DeliveryStatus.DELIVERED), ("read", DeliveryStatus.READ)):
        if key in event:
            receipt = as_dict(event[key])
            mark = receipt.get("watermark")
            return InboundItem(
                kind=ItemKind.STATUS,
                event_id=f"{key}:{psid}:{mark}",
                content_type="status",
                status=status,
                data={**data, WATERMARK: mark, WATERMARK_MIDS: list(receipt.get("mids") or [])},
                **{**common, "occurred_at": utc_from_timestamp(mark) or common["occurred_at"]},
            )
    if "message_edit" in event:
        edit = as_dict(event["message_edit"])
        return InboundItem(
            kind=ItemKind.EVENT,
            event_id=f"{edit.get('mid')}:edit:{edit.get('num_edit')}",
            message_id=edit.get("mid"),
            reply_to=edit.get("mid"),
            content_type="edit",
            text=edit.get("text"),
            data={**data, "target_message_id": edit.get("mid"), "num_edit": edit.get("num_edit")},
            **common,
        )
    if "referral" in event:
        referral = as_dict(event["referral"])
        return InboundItem(
            kind=ItemKind.EVENT,
            event_id=f"referral:{psid}:{stamp}",
            content_type="referral",
            payload=referral.get("ref"),
            data={**data, "referral": referral},
            **common,
        )
    if "reaction" in event:
        reaction = as_dict(event["reaction"])
        return InboundItem(
            kind=ItemKind.EVENT,
            event_id=f"reaction:{psid}:{reaction.get('mid')}:{reaction.get('action')}:{stamp}",
            reply_to=reaction.get("mid"),
            content_type="reaction",
            text=reaction.get("emoji") if reaction.get("action") != "unreact" else None,
            data={**data, "target_message_id": reaction.get("mid"), "reaction": reaction},
            **common,
        )
    kind = next((k for k in event if k not in ("sender", "recipient", "timestamp")), "unknown")
    logger.info("messenger: event kind %r recorded as unsupported", kind)
    return InboundItem(
        kind=ItemKind.EVENT,
        event_id=f"{kind}:{psid}:{stamp}",
        content_type="unsupported",
        data={**data, "event_kind": kind, "event": event.get(kind)},
        **common,
    )


def _message(message: dict[str, Any], common: dict[str, Any], data: dict[str, Any]) -> InboundItem:
    mid = message.get("mid")
    attachments = tuple(_attachment(a) for a in as_list(message.get("attachments")))
    reply_to = as_dict(message.get("reply_to")).get("mid")
    quick_reply = as_dict(message.get("quick_reply"))
    content_type = "text"
    payload = None
    if quick_reply:
        content_type, payload = "button", quick_reply.get("payload")
        data["reply_type"] = "quick_reply"
    elif "sticker_id" in message:
        content_type = "sticker"
        data["sticker_id"] = message["sticker_id"]
    elif attachments and not message.get("text"):
        content_type = attachments[0].kind
    if "seq" in message:
        data["seq"] = message["seq"]
    return InboundItem(
        kind=ItemKind.MESSAGE,
        event_id=str(mid or f"message:{common['source_id']}:{common['occurred_at']}"),
        message_id=mid,
        content_type=content_type,
        text=message.get("text"),
        payload=payload,
        attachments=attachments,
        reply_to=reply_to,
        data=data,
        **common,
    )


def _attachment(raw: dict[str, Any]) -> Attachment:
    raw_type = str(raw.get("type") or "")
    payload = as_dict(raw.get("payload"))
    kind = ATTACHMENT_KINDS.get(raw_type, "file")
    if kind == "location":
        coords = as_dict(payload.get("coordinates"))
        return Attachment(
            kind="location",
            data={"latitude": coords.get("lat"), "longitude": coords.get("long")},
        )
    return Attachment(
        kind=kind,
        url=payload.get("url"),
        data={"type": raw_type, **({"title": raw["title"]} if "title" in raw else {})},
    )


def _as_standby(item: InboundItem) -> InboundItem:
    """Standby events belong to the app holding the thread: record them, never answer."""
    return InboundItem(
        kind=ItemKind.EVENT,
        event_id=f"standby:{item.event_id}",
        source_id=item.source_id,
        occurred_at=item.occurred_at,
        message_id=item.message_id,
        content_type="standby",
        text=item.text,
        data={**item.data, "standby_of": item.content_type},
    )
