"""Turn a fixture file into the signed HTTP deliveries a provider would make.

Reusable by hub-level tests: each :class:`Delivery` has the exact body bytes, headers (with a
valid signature), the public URL and, for Twilio, the decoded form. ``secret`` is the key the
signature was made with (the inbox's app secret / auth token / webhook secret).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from multidict import CIMultiDict, MultiDict
from twilio.request_validator import RequestValidator

from channels.base import WebhookRequest

SHARED = Path(__file__).parents[2].parent / "shared"
FIXTURES = SHARED / "fixtures" / "providers"

META_APP_SECRET = "test-app-secret"
META_VERIFY_TOKEN = "test-verify-token"
TWILIO_AUTH_TOKEN = "12345"  # the token the fixtures' computed signatures were made with
TWILIO_URL = "https://example.com/twilio/webhook"
TELEGRAM_SECRET = "test-telegram-secret"

#: How a fixture file becomes request bodies (see SOURCES.md for why files differ).
BODY = "body"  #: the file is one full webhook body
DELIVERIES = "deliveries"  #: ``{"deliveries": [body, ...]}``: one POST each (redeliveries)
RAW = "raw"  #: ``raw_body`` + real signature header (whatsapp_cloud/signed_text.json)
MESSAGING_EVENT = "messaging_event"  #: Messenger docs: one ``messaging[]`` element
ENTRY = "entry"  #: Messenger docs: one ``entry[]`` element
CHANGE = "change"  #: Messenger App Dashboard test: ``{field, value}`` (an ``entry.changes[]``)
TWILIO_FORM = "twilio_form"  #: ``params`` (+ ``raw_body``, ``computed_signature``)
VECTOR = "vector"  #: signature test vectors, no webhook body


@dataclass(frozen=True)
class Delivery:
    channel: str
    body: bytes
    headers: dict[str, str]
    url: str
    secret: str
    content_type: str = "application/json"
    form: MultiDict[str] | None = None
    query: dict[str, str] = field(default_factory=dict)

    def request(self, **changes: Any) -> WebhookRequest:
        values: dict[str, Any] = {
            "method": "POST",
            "url": self.url,
            "headers": CIMultiDict(self.headers),
            "query": self.query,
            "body": self.body,
            "content_type": self.content_type,
            "form": self.form,
        }
        values.update(changes)
        return WebhookRequest(**values)


def channel_of(rel: str) -> str:
    return rel.split("/", 1)[0]


def load(rel: str) -> Any:
    return json.loads((FIXTURES / rel).read_text(encoding="utf-8"))


def meta_body(obj: Any) -> bytes:
    """Compact, ASCII-escaped JSON: how Meta serialises (non-ASCII arrives as \\uXXXX)."""
    return json.dumps(obj, separators=(",", ":")).encode()


def meta_signature(body: bytes, secret: str = META_APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def meta_delivery(channel: str, body: bytes, secret: str = META_APP_SECRET) -> Delivery:
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": meta_signature(body, secret),
    }
    return Delivery(channel, body, headers, f"https://hub.example/webhooks/{channel}", secret)


def telegram_delivery(body: bytes) -> Delivery:
    headers = {
        "Content-Type": "application/json",
        "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET,
    }
    return Delivery(
        "telegram", body, headers, "https://hub.example/webhooks/telegram", TELEGRAM_SECRET
    )


def twilio_delivery(
    params: dict[str, str], raw_body: str | None = None, signature: str | None = None
) -> Delivery:
    body = raw_body if raw_body is not None else urlencode(params)
    computed = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(TWILIO_URL, params)
    if signature is not None:
        assert signature == computed, "fixture signature and twilio-python disagree"
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": signature or computed,
    }
    return Delivery(
        "twilio",
        body.encode(),
        headers,
        TWILIO_URL,
        TWILIO_AUTH_TOKEN,
        content_type="application/x-www-form-urlencoded",
        form=MultiDict(params),
    )


def wrap_messenger(obj: dict[str, Any], shape: str) -> dict[str, Any]:
    if shape == ENTRY:
        return {"object": "page", "entry": [obj]}
    if shape == CHANGE:
        return {"object": "page", "entry": [{"id": "PAGE-ID", "time": 0, "changes": [obj]}]}
    return {"object": "page", "entry": [{"id": "<PAGE_ID>", "time": 0, "messaging": [obj]}]}


def deliveries(rel: str, shape: str) -> list[Delivery]:
    """Every POST the fixture stands for, signed as the provider would sign it."""
    channel = channel_of(rel)
    data = load(rel)
    if shape == VECTOR:
        return []
    if shape == RAW:
        raw = (FIXTURES / rel).parent.joinpath(data["raw_body_file"]).read_bytes()
        assert raw == data["raw_body"].encode()
        delivery = meta_delivery(channel, raw, data["app_secret"])
        assert delivery.headers["X-Hub-Signature-256"] == data["headers"]["X-Hub-Signature-256"]
        return [delivery]
    if shape == TWILIO_FORM:
        signed = data.get("computed_signature", {})
        return [
            twilio_delivery(data["params"], data.get("raw_body"), signed.get("X-Twilio-Signature"))
        ]
    bodies = data["deliveries"] if shape == DELIVERIES else [data]
    if shape in (MESSAGING_EVENT, ENTRY, CHANGE):
        bodies = [wrap_messenger(data, shape)]
    if channel == "twilio":
        return [twilio_delivery(params) for params in bodies]
    if channel == "telegram":
        return [telegram_delivery(json.dumps(b, ensure_ascii=False).encode()) for b in bodies]
    return [meta_delivery(channel, meta_body(b)) for b in bodies]
