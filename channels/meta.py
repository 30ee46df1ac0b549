"""What WhatsApp Cloud and Messenger share: the GET handshake, the body signature, JSON
parsing of a verified body, and the classification of Graph API errors."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from channels.base import WebhookRequest, WebhookResponse
from channels.errors import (
    PayloadInvalid,
    PermanentSendError,
    SendError,
    TransientSendError,
    WebhookRejected,
)
from channels.signatures import verify_sha256_header, verify_shared_token
from channels.wire import as_dict, header, json_object

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"

#: Graph error codes worth retrying (contracts doc 2.6 and 4.6): rate limits (4, 17, 32, 613,
#: 80007, 130429, 131056), "temporary" (2, 1200) and WhatsApp's transient 131000-131002.
TRANSIENT_CODES = frozenset({2, 4, 17, 32, 613, 1200, 80007, 130429, 131000, 131001, 131002})
#: Per-user pair rate (WhatsApp 131056): about one message per 6 s to the same user.
PAIR_RATE_CODE = 131056
PAIR_RATE_DELAY = 6.0
#: Errors that mean "outside the 24-hour window" (WhatsApp 131047, Messenger 10/2018278).
WINDOW_ERRORS = frozenset({(131047, None), (10, 2018278)})


def handshake(request: WebhookRequest, verify_token: str) -> WebhookResponse:
    """Meta's subscription check: echo ``hub.challenge`` when the verify token matches.

    A wrong mode or token raises :class:`~channels.errors.WebhookRejected` (403).
    """
    if request.query.get("hub.mode") != "subscribe":
        raise WebhookRejected("hub.mode is not 'subscribe'", 403)
    verify_shared_token(request.query.get("hub.verify_token"), verify_token)
    challenge = request.query.get("hub.challenge", "")
    return WebhookResponse(status=200, body=challenge, content_type="text/plain")


def verify_signature(request: WebhookRequest, app_secret: str) -> None:
    """``X-Hub-Signature-256`` over the raw bytes, never over re-serialised JSON."""
    verify_sha256_header(header(request.headers, SIGNATURE_HEADER), app_secret, request.body)


def load_object(body: bytes, expected_object: str) -> dict[str, Any]:
    """Decode a verified body; anything but ``{"object": expected, ...}`` is a 400."""
    data = json_object(body)
    if data.get("object") != expected_object:
        raise PayloadInvalid(f"object is {data.get('object')!r}, expected {expected_object!r}")
    if not isinstance(data.get("entry"), list):
        raise PayloadInvalid("entry[] is missing")
    return data


@dataclass(frozen=True, slots=True, kw_only=True)
class GraphError:
    """A Graph API ``error`` object plus what the HTTP layer said."""

    http_status: int | None
    code: int | None
    subcode: int | None
    message: str
    is_transient: bool = False
    retry_after: float | None = None

    @classmethod
    def from_body(
        cls, http_status: int | None, body: Any, retry_after: float | None = None
    ) -> GraphError:
        error = as_dict(as_dict(body).get("error"))
        return cls(
            http_status=http_status,
            code=_int_or_none(error.get("code")),
            subcode=_int_or_none(error.get("error_subcode")),
            message=str(error.get("message") or error.get("error_user_msg") or "no message"),
            is_transient=bool(error.get("is_transient")),
            retry_after=retry_after,
        )

    def to_send_error(self) -> SendError:
        """Retry on 429, 5xx and the rate-limit / temporary codes; give up on the rest."""
        code = str(self.code) if self.code is not None else None
        label = f"Graph error {self.code}" + (f"/{self.subcode}" if self.subcode else "")
        if (self.code, self.subcode) in WINDOW_ERRORS or (self.code, None) in WINDOW_ERRORS:
            return PermanentSendError(
                f"{label}: outside the 24-hour customer-service window ({self.message})", code
            )
        if self.code == PAIR_RATE_CODE:
            return TransientSendError(
                f"{label}: too many messages to this user ({self.message})",
                code,
                retry_after=max(self.retry_after or 0.0, PAIR_RATE_DELAY),
            )
        status = self.http_status or 0
        if self.code in TRANSIENT_CODES or self.is_transient or status == 429 or status >= 500:
            return TransientSendError(f"{label}: {self.message}", code, self.retry_after)
        return PermanentSendError(f"{label}: {self.message}", code)


def retry_after_header(headers: Mapping[str, str]) -> float | None:
    value = header(headers, "Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
