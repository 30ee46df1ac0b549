"""HMAC helpers shared by the Meta channels and the API channel; comparisons are constant-time."""

from __future__ import annotations

import hashlib
import hmac

from channels.errors import WebhookRejected


def hmac_sha256_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_sha256_header(header: str | None, secret: str, body: bytes) -> None:
    """Check a ``sha256=<hex>`` header over the raw body; raise 401 when it does not match."""
    if not header:
        raise WebhookRejected("missing signature header", 401)
    scheme, _, digest = header.partition("=")
    if scheme.strip().lower() != "sha256" or not digest:
        raise WebhookRejected("malformed signature header", 401)
    expected = hmac_sha256_hex(secret, body)
    if not hmac.compare_digest(expected.encode(), digest.strip().lower().encode()):
        raise WebhookRejected("signature does not match the body", 401)


def verify_shared_token(given: str | None, expected: str) -> None:
    """Constant-time check of a shared secret header (Telegram) or verify token (Meta)."""
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise WebhookRejected("secret token does not match", 403)
