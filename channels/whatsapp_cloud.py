"""WhatsApp Business Cloud API (Meta): webhook parsing and sending.

Sending talks to the Graph API with the hub's shared ``aiohttp`` session instead of
``pyfacebook``: pyfacebook is synchronous (a thread hop per send), form-encodes the body
(WhatsApp documents JSON bodies), and hides the HTTP status and ``Retry-After`` that the
error classification needs. ``python -m tests.bench.channels`` measures both paths.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any, ClassVar

import aiohttp

from channels import binding, media_fetch, window
from channels.base import (
    Attachment,
    Capabilities,
    ChannelAdapter,
    DeliveryStatus,
    InboundItem,
    ItemKind,
    OutboundMessage,
    Profile,
    SendResult,
    WebhookRequest,
    WebhookResponse,
    numbered_fallback,
    utc_from_timestamp,
)
from channels.errors import MediaRefused, PermanentSendError, SendError, TransientSendError
from channels.meta import (
    GraphError,
    handshake,
    load_object,
    retry_after_header,
    verify_signature,
)
from channels.phones import to_e164
from channels.ratelimit import Limiter, Rate
from channels.screen import screen
from channels.wire import as_dict, as_list
from config.inboxes import WhatsAppCloudInbox

logger = logging.getLogger(__name__)

MAX_REPLY_BUTTONS = 3
MAX_LIST_ROWS = 10
MEDIA_TYPES = ("image", "video", "audio", "document", "sticker")
CAPTIONED = frozenset({"image", "video", "document"})
STATUS_MAP = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
}
TIMEOUT = aiohttp.ClientTimeout(total=15)
#: A Graph media id: one path segment of word characters (Meta's are digits).
MEDIA_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")


class WhatsAppCloudAdapter(ChannelAdapter):
    kind: ClassVar[str] = "whatsapp_cloud"
    capabilities: ClassVar[Capabilities] = Capabilities(max_buttons=MAX_LIST_ROWS, media=True)
    secret_names: ClassVar[tuple[str, ...]] = ("app_secret", "access_token", "verify_token")

    inbox: WhatsAppCloudInbox

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Meta's default is WHATSAPP_PER_NUMBER (80/s); upgraded numbers raise it in config.
        rate = Rate.per(self.inbox.messages_per_second, 1)
        self.limiter = Limiter("whatsapp_cloud per number", overall=rate)

    # -- inbound ---------------------------------------------------------------------------

    def handshake(self, request: WebhookRequest) -> WebhookResponse | None:
        return handshake(request, self.secrets["verify_token"])

    def verify(self, request: WebhookRequest) -> None:
        verify_signature(request, self.secrets["app_secret"])

    def parse(self, request: WebhookRequest) -> list[InboundItem]:
        data = load_object(request.body, "whatsapp_business_account")
        items: list[InboundItem] = []
        for entry in as_list(data["entry"]):
            for change in as_list(entry.get("changes")):
                reason = foreign_change(change, entry, self.inbox)
                if reason is not None:
                    self.refusals.add(reason)
                    logger.info("whatsapp_cloud inbox %s: change ignored (%s)", self.slug, reason)
                    continue
                items.extend(parse_change(change, entry))
        return screen(items, self.refusals)

    # -- outbound --------------------------------------------------------------------------

    @property
    def _base(self) -> str:
        return f"{str(self.inbox.graph_url).rstrip('/')}/{self.inbox.api_version}"

    @property
    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secrets['access_token']}"}

    async def send(self, message: OutboundMessage) -> SendResult:
        decision = window.decide(
            message.customer_last_message_at,
            datetime.now(UTC),
            fallback=self.inbox.window_template,
            fallback_label="WhatsApp template (window_template)",
        )
        if decision.mode is window.SendMode.FALLBACK:
            bodies = [self._template_body(message, decision.fallback or "")]
        else:
            bodies = build_bodies(message)
        provider_id: str | None = None
        for body in bodies:
            await self.limiter.acquire()
            provider_id = await self._post_message(body)
        return SendResult(provider_message_id=provider_id)

    def _template_body(self, message: OutboundMessage, name: str) -> dict[str, Any]:
        template: dict[str, Any] = {
            "name": name,
            "language": {"code": self._template_language},
        }
        if self.inbox.window_template_text_param:
            template["components"] = [
                {"type": "body", "parameters": [{"type": "text", "text": message.text}]}
            ]
        return _envelope(message.recipient, {"type": "template", "template": template})

    @property
    def _template_language(self) -> str:
        return self.inbox.window_template_language or self.inbox.language or "en"

    async def _post_message(self, body: dict[str, Any]) -> str | None:
        url = f"{self._base}/{self.inbox.phone_number_id}/messages"
        result = await self._request("POST", url, json=body)
        messages = as_list(as_dict(result).get("messages"))
        return str(messages[0]["id"]) if messages and "id" in messages[0] else None

    async def _request(self, method: str, url: str, **kwargs: Any) -> Any:
        try:
            async with self.services.http.request(
                method, url, headers=self._auth, timeout=TIMEOUT, **kwargs
            ) as response:
                try:
                    payload = await response.json(content_type=None)
                except ValueError:
                    payload = None
                if response.status >= 400 or as_dict(payload).get("error"):
                    error = GraphError.from_body(
                        response.status, payload, retry_after_header(response.headers)
                    )
                    raise error.to_send_error()
                return payload
        except SendError:
            raise
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise TransientSendError(f"Graph API unreachable: {exc!r}", "network") from exc

    async def fetch_media(self, media_id: str) -> tuple[bytes, str]:
        """Download an inbound medium lazily: ``GET /{media-id}`` for its URL, then the URL.

        The media id comes from the webhook and is checked to be one path segment (else
        ``../me/accounts`` would read other Graph objects with our token). The URL expires
        after a few minutes, so it is never stored; it is fetched under the media policy
        (Meta's hosts only, the token only to them). Errors are the same
        transient/permanent ``SendError`` classes as sends.
        """
        if not MEDIA_ID.fullmatch(media_id):
            raise MediaRefused("the stored media id is not a WhatsApp media id")
        meta = as_dict(await self._request("GET", f"{self._base}/{media_id}"))
        url = meta.get("url")
        if not isinstance(url, str):
            raise PermanentSendError(f"media {media_id} has no URL", "media_url")
        content, served = await media_fetch.fetch_media(
            self.services.http, self.media_policy, url, self._auth
        )
        mime = meta.get("mime_type")
        return content, str(mime) if isinstance(mime, str) and mime else served


# -- parsing (module functions: pure, reused by the benchmark) -------------------------------


def foreign_change(
    change: dict[str, Any], entry: dict[str, Any], inbox: WhatsAppCloudInbox
) -> str | None:
    """Why ``change`` is not for this inbox's number (``None``: it is).

    ``messages`` changes must name our ``phone_number_id``; account-level changes
    (template or quality updates) carry no number and are kept unless ``waba_id`` is
    configured and the entry names another account. They only ever become EVENT items,
    which trigger no reply.
    """
    if inbox.waba_id is not None and str(entry.get("id")) != inbox.waba_id:
        return binding.WRONG_WABA_ID
    number = as_dict(as_dict(change.get("value")).get("metadata")).get("phone_number_id")
    if number is None:
        return binding.MISSING_RECIPIENT if change.get("field") == "messages" else None
    if str(number) != inbox.phone_number_id:
        return binding.WRONG_PHONE_NUMBER_ID
    return None


def parse_change(change: dict[str, Any], entry: dict[str, Any]) -> list[InboundItem]:
    value = as_dict(change.get("value"))
    field = change.get("field")
    meta = as_dict(value.get("metadata"))
    base_data = {"phone_number_id": meta.get("phone_number_id"), "waba_id": entry.get("id")}
    if field != "messages":
        logger.info("whatsapp_cloud: recording change field %r as an event", field)
        return [
            InboundItem(
                kind=ItemKind.EVENT,
                event_id=f"{entry.get('id')}:{field}:{entry.get('time') or value.get('timestamp')}",
                source_id=str(entry.get("id") or ""),
                content_type=str(field or "unknown"),
                data={**base_data, "value": value},
            )
        ]
    profiles = {
        str(c.get("wa_id")): as_dict(c.get("profile")).get("name")
        for c in as_list(value.get("contacts"))
    }
    value_errors = as_list(value.get("errors"))
    items = [
        parse_message(m, profiles, value_errors, base_data) for m in as_list(value.get("messages"))
    ]
    items += [parse_status(s, base_data) for s in as_list(value.get("statuses"))]
    if not items and value_errors:
        items.append(
            InboundItem(
                kind=ItemKind.EVENT,
                event_id=f"{entry.get('id')}:error:{_error_text(value_errors)}",
                source_id=str(entry.get("id") or ""),
                content_type="error",
                error=_error_text(value_errors),
                data={**base_data, "errors": value_errors},
            )
        )
    return items


def parse_message(
    msg: dict[str, Any],
    profiles: dict[str, Any],
    value_errors: list[dict[str, Any]],
    base_data: dict[str, Any],
) -> InboundItem:
    sender = str(msg.get("from") or "")
    kind = str(msg.get("type") or "unknown")
    body = as_dict(msg.get(kind))
    context = as_dict(msg.get("context"))
    data: dict[str, Any] = {**base_data, "type": kind}
    if context.get("forwarded") or context.get("frequently_forwarded"):
        data["forwarded"] = True
    if "referral" in msg:
        data["referral"] = msg["referral"]
    fields: dict[str, Any] = {
        "kind": ItemKind.MESSAGE,
        "event_id": str(msg.get("id") or ""),
        "source_id": sender,
        "message_id": str(msg.get("id") or "") or None,
        "occurred_at": utc_from_timestamp(msg.get("timestamp")),
        "reply_to": context.get("id"),
        "profile": _profile(profiles.get(sender), sender),
    }
    errors = as_list(msg.get("errors")) or value_errors
    if kind == "text":
        fields.update(content_type="text", text=body.get("body"))
    elif kind in MEDIA_TYPES:
        fields.update(_media_fields(kind, body))
    elif kind == "location":
        fields.update(
            content_type="location",
            attachments=(Attachment(kind="location", data=body),),
            text=body.get("name") or body.get("address"),
        )
    elif kind == "contacts":
        cards = as_list(msg.get("contacts"))
        fields.update(
            content_type="contacts",
            attachments=tuple(
                Attachment(
                    kind="contacts", filename=as_dict(c.get("name")).get("formatted_name"), data=c
                )
                for c in cards
            ),
        )
    elif kind == "interactive" and body:
        reply_type = str(body.get("type"))
        reply = as_dict(body.get(reply_type))
        data["reply_type"] = reply_type
        fields.update(content_type="button", payload=reply.get("id"), text=reply.get("title"))
        if reply.get("description"):
            data["description"] = reply["description"]
    elif kind == "button":  # quick-reply button of a template
        data["reply_type"] = "template_quick_reply"
        fields.update(content_type="button", payload=body.get("payload"), text=body.get("text"))
    elif kind == "reaction":
        fields.update(
            kind=ItemKind.EVENT,
            content_type="reaction",
            text=body.get("emoji") or None,  # empty emoji = reaction removed
            reply_to=body.get("message_id"),
        )
        data["target_message_id"] = body.get("message_id")
    elif kind in ("edit", "revoke"):
        original = body.get("original_message_id")
        inner = as_dict(body.get("message"))
        inner_type = str(inner.get("type") or "")
        new = _media_fields(inner_type, as_dict(inner.get(inner_type)))
        new_text = as_dict(inner.get("text")).get("body") if inner_type == "text" else None
        fields.update(
            kind=ItemKind.EVENT,
            content_type=kind,
            text=new_text or new.get("text"),
            attachments=new.get("attachments", ()),
            reply_to=original,
        )
        data["target_message_id"] = original
    else:  # "unsupported", "interactive" without payload, and types newer than this code
        if kind != "unsupported":
            logger.info("whatsapp_cloud: message type %r kept as unsupported", kind)
        if body:
            data["unsupported"] = body
        fields.update(content_type="unsupported")
    if errors:
        fields["error"] = _error_text(errors)
        data["errors"] = errors
    fields["data"] = data
    return InboundItem(**fields)


def _profile(name: Any, wa_id: str) -> Profile | None:
    phone = to_e164(wa_id)
    if not name and not phone:
        return None
    return Profile(name=str(name) if name else None, phone=phone)


def _media_fields(kind: str, body: dict[str, Any]) -> dict[str, Any]:
    if kind not in MEDIA_TYPES:
        return {}
    content_type = "voice" if kind == "audio" and body.get("voice") else kind
    attachment = Attachment(
        kind=content_type,
        url=body.get("url"),
        media_id=body.get("id"),
        mime_type=body.get("mime_type"),
        filename=body.get("filename"),
        caption=body.get("caption"),
        data={k: body[k] for k in ("sha256", "animated") if k in body},
    )
    return {"content_type": content_type, "text": body.get("caption"), "attachments": (attachment,)}


def parse_status(status: dict[str, Any], base_data: dict[str, Any]) -> InboundItem:
    raw = str(status.get("status") or "")
    errors = as_list(status.get("errors"))
    mapped = STATUS_MAP.get(raw)
    data: dict[str, Any] = {
        **base_data,
        "status": raw,
        **{k: status[k] for k in ("conversation", "pricing") if k in status},
    }
    if errors:
        data["errors"] = errors
        data["error_code"] = errors[0].get("code")
        data["error_title"] = errors[0].get("title")
    recipient = str(status.get("recipient_id") or "")
    return InboundItem(
        kind=ItemKind.STATUS if mapped else ItemKind.EVENT,
        event_id=f"{status.get('id')}:{raw}",
        source_id=recipient,
        message_id=str(status.get("id") or "") or None,
        occurred_at=utc_from_timestamp(status.get("timestamp")),
        content_type="status" if mapped else f"status_{raw or 'unknown'}",
        status=mapped,
        error=_error_text(errors) if errors else None,
        data=data,
    )


def _error_text(errors: list[dict[str, Any]]) -> str:
    first = errors[0]
    detail = as_dict(first.get("error_data")).get("details")
    text = f"{first.get('code')} {first.get('title') or first.get('message') or ''}".strip()
    return f"{text}: {detail}" if detail else text


# -- building send bodies ---------------------------------------------------------------------


def _envelope(recipient: str, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": recipient,
        **content,
    }


def build_bodies(message: OutboundMessage) -> list[dict[str, Any]]:
    """Media first (the text rides as the caption of the first captionable one), then text.

    Buttons: up to 3 become reply buttons, up to 10 a list, more a numbered text.
    """
    bodies: list[dict[str, Any]] = []
    text_used = False
    for attachment in message.attachments:
        kind = attachment.kind if attachment.kind in MEDIA_TYPES else "document"
        media: dict[str, Any] = (
            {"link": attachment.url} if attachment.url else {"id": attachment.media_id}
        )
        caption = attachment.caption
        if not caption and not text_used and not message.buttons and kind in CAPTIONED:
            caption, text_used = message.text, True
        if caption and kind in CAPTIONED:
            media["caption"] = caption
        if attachment.filename and kind == "document":
            media["filename"] = attachment.filename
        bodies.append(_envelope(message.recipient, {"type": kind, kind: media}))
    if not text_used and (message.text or message.buttons):
        bodies.append(_envelope(message.recipient, _text_or_interactive(message)))
    if message.reply_to and bodies:
        bodies[0]["context"] = {"message_id": message.reply_to}
    return bodies


def _text_or_interactive(message: OutboundMessage) -> dict[str, Any]:
    buttons = message.buttons
    if buttons and len(buttons) <= MAX_REPLY_BUTTONS:
        return {
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": message.text},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": b.id, "title": b.title[:20]}}
                        for b in buttons
                    ]
                },
            },
        }
    if buttons and len(buttons) <= MAX_LIST_ROWS:
        return {
            "type": "interactive",
            "interactive": {
                "type": "list",
                "body": {"text": message.text},
                "action": {
                    "button": "Choose",
                    "sections": [
                        {
                            "title": "Options",
                            "rows": [{"id": b.id, "title": b.title[:24]} for b in buttons],
                        }
                    ],
                },
            },
        }
    text = numbered_fallback(message.text, buttons)
    return {"type": "text", "text": {"body": text, "preview_url": False}}
