"""Our own web chat: visitors post through the hub's visitor API, replies go out by push.

There is no provider webhook: the hub builds :class:`InboundItem` values from the visitor
API (see :func:`visitor_item`) and this adapter's ``send`` pushes to the visitor's socket
channel, which reaches the visitor whichever serving process holds its web socket.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from channels.base import (
    Capabilities,
    ChannelAdapter,
    InboundItem,
    ItemKind,
    OutboundMessage,
    SendResult,
    WebhookRequest,
)
from channels.errors import PermanentSendError, WebhookRejected
from channels.wire import clean_text


def visitor_channel(inbox: str, visitor_id: str) -> str:
    return f"webchat:{inbox}:{visitor_id}"


def visitor_item(
    visitor_id: str, client_id: str, text: str | None, payload: str | None, name: str | None
) -> InboundItem:
    """A visitor's message; ``client_id`` (from the browser) makes a resend idempotent.
    NUL and lone surrogates become U+FFFD, as in every provider body (``channels.wire``)."""
    from channels.base import Profile

    key = clean_text(f"{visitor_id}:{client_id}")
    return InboundItem(
        kind=ItemKind.MESSAGE,
        event_id=key,
        source_id=clean_text(visitor_id),
        occurred_at=datetime.now(UTC),
        message_id=key,
        content_type="button" if payload else "text",
        text=clean_text(text) if text is not None else None,
        payload=clean_text(payload) if payload is not None else None,
        profile=Profile(name=clean_text(name)) if name else None,
    )


def message_event(message: OutboundMessage) -> dict[str, Any]:
    return {
        "type": "message",
        "message": {
            "id": message.reference,
            "direction": "out",
            "sender": message.sender_name or "bot",
            "text": message.text,
            "buttons": [{"id": b.id, "title": b.title} for b in message.buttons],
            "created_at": datetime.now(UTC).isoformat(),
        },
    }


class WebchatAdapter(ChannelAdapter):
    kind = "webchat"
    capabilities = Capabilities(max_buttons=10, media=True)

    def verify(self, request: WebhookRequest) -> None:
        raise WebhookRejected("web chat inboxes take messages through /api/webchat/", 404)

    def parse(self, request: WebhookRequest) -> list[InboundItem]:
        return []

    async def send(self, message: OutboundMessage) -> SendResult:
        push = self.services.push
        if push is None:
            raise PermanentSendError("web chat push is not available in this process")
        await push(visitor_channel(self.slug, message.recipient), message_event(message))
        return SendResult(provider_message_id=None)
