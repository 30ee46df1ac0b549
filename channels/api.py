"""The API channel: a business's own system posts signed JSON; replies go to its callback.

Inbound body (signed with ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>``)::

    {"messages": [{"id": "m-1", "sender": {"id": "cust-42", "name": "Ada"},
                   "text": "Hello", "timestamp": 1700000000, "payload": null}],
     "statuses": [{"id": "s-1", "message_id": "42", "status": "delivered"}]}

A single message object at the top level is accepted too. Replies are POSTed to the
inbox's ``callback_url`` as JSON signed the same way, with ``X-Hub-Delivery`` carrying the
hub's message id so the receiver can drop a retried delivery.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from channels.base import (
    Capabilities,
    ChannelAdapter,
    DeliveryStatus,
    InboundItem,
    ItemKind,
    OutboundMessage,
    Profile,
    SendResult,
    WebhookRequest,
    utc_from_timestamp,
)
from channels.errors import PayloadInvalid, PermanentSendError, TransientSendError
from channels.phones import to_e164
from channels.screen import screen
from channels.signatures import hmac_sha256_hex, verify_sha256_header
from channels.wire import header, json_object

SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_ID = 255


def _text(value: Any, field: str, required: bool = False) -> str | None:
    if value is None:
        if required:
            raise PayloadInvalid(f"'{field}' is required")
        return None
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise PayloadInvalid(f"'{field}' must be a string")
    text = str(value)
    if required and not text.strip():
        raise PayloadInvalid(f"'{field}' must not be empty")
    return text


def _parse_message(raw: Any, index: int) -> InboundItem:
    where = f"messages[{index}]"
    if not isinstance(raw, Mapping):
        raise PayloadInvalid(f"{where} must be an object")
    message_id = _text(raw.get("id"), f"{where}.id", required=True)
    sender = raw.get("sender")
    if not isinstance(sender, Mapping):
        raise PayloadInvalid(f"{where}.sender must be an object with an 'id'")
    sender_id = _text(sender.get("id"), f"{where}.sender.id", required=True)
    text = _text(raw.get("text"), f"{where}.text")
    payload = _text(raw.get("payload"), f"{where}.payload")
    if text is None and payload is None:
        raise PayloadInvalid(f"{where} needs 'text' or 'payload'")
    assert message_id is not None
    assert sender_id is not None
    if len(message_id) > MAX_ID or len(sender_id) > MAX_ID:
        raise PayloadInvalid(f"{where}: ids are limited to {MAX_ID} characters")
    return InboundItem(
        kind=ItemKind.MESSAGE,
        event_id=f"m:{message_id}",
        source_id=sender_id,
        occurred_at=utc_from_timestamp(raw.get("timestamp")),
        message_id=message_id,
        content_type="button" if payload and text is None else "text",
        text=text,
        payload=payload,
        profile=Profile(
            name=_text(sender.get("name"), f"{where}.sender.name"),
            phone=to_e164(_text(sender.get("phone"), f"{where}.sender.phone")),
            email=_text(sender.get("email"), f"{where}.sender.email"),
        ),
    )


def _parse_status(raw: Any, index: int) -> InboundItem:
    where = f"statuses[{index}]"
    if not isinstance(raw, Mapping):
        raise PayloadInvalid(f"{where} must be an object")
    message_id = _text(raw.get("message_id"), f"{where}.message_id", required=True)
    try:
        status = DeliveryStatus(str(raw.get("status")))
    except ValueError:
        raise PayloadInvalid(
            f"{where}.status must be one of {', '.join(s.value for s in DeliveryStatus)}"
        ) from None
    recipient = _text(raw.get("recipient_id"), f"{where}.recipient_id") or f"status:{message_id}"
    return InboundItem(
        kind=ItemKind.STATUS,
        event_id=f"s:{message_id}:{status.value}",
        source_id=recipient,
        occurred_at=utc_from_timestamp(raw.get("timestamp")),
        message_id=message_id,
        status=status,
        error=_text(raw.get("error"), f"{where}.error"),
    )


class ApiAdapter(ChannelAdapter):
    kind = "api"
    capabilities = Capabilities(max_buttons=10, media=True)
    secret_names = ("signing_secret",)

    def verify(self, request: WebhookRequest) -> None:
        # The signing secret is this inbox's own: it is the binding (the body names none).
        verify_sha256_header(
            header(request.headers, SIGNATURE_HEADER), self.secrets["signing_secret"], request.body
        )

    def parse(self, request: WebhookRequest) -> list[InboundItem]:
        body: Mapping[str, Any] = json_object(request.body)
        if "messages" not in body and "statuses" not in body:
            body = {"messages": [body]}
        messages = body.get("messages") or []
        statuses = body.get("statuses") or []
        if not isinstance(messages, list) or not isinstance(statuses, list):
            raise PayloadInvalid("'messages' and 'statuses' must be arrays")
        items = [_parse_message(raw, i) for i, raw in enumerate(messages)]
        items += [_parse_status(raw, i) for i, raw in enumerate(statuses)]
        if not items:
            raise PayloadInvalid("no messages or statuses in body")
        return screen(items, self.refusals)

    def callback_body(self, message: OutboundMessage) -> bytes:
        return json.dumps(
            {
                "id": message.reference,
                "conversation_id": message.conversation_ref,
                "recipient": {"id": message.recipient},
                "text": message.text,
                "buttons": [{"id": b.id, "title": b.title} for b in message.buttons],
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()

    async def send(self, message: OutboundMessage) -> SendResult:
        url = getattr(self.inbox, "callback_url", None)
        if url is None:
            raise PermanentSendError("this API inbox has no callback_url")
        body = self.callback_body(message)
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: "sha256=" + hmac_sha256_hex(self.secrets["signing_secret"], body),
            "X-Hub-Delivery": message.reference,
        }
        try:
            async with self.services.http.post(str(url), data=body, headers=headers) as response:
                if 200 <= response.status < 300:
                    return SendResult(provider_message_id=message.reference)
                retry_after = _retry_after(response.headers.get("Retry-After"))
                raise TransientSendError(
                    f"callback answered HTTP {response.status}",
                    code=str(response.status),
                    retry_after=retry_after,
                )
        except TransientSendError:
            raise
        except (TimeoutError, OSError) as exc:
            raise TransientSendError(f"callback unreachable: {type(exc).__name__}") from exc
        except Exception as exc:  # aiohttp.ClientError and friends: the network, not the message
            raise TransientSendError(f"callback failed: {type(exc).__name__}") from exc


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
