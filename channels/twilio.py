"""SMS and WhatsApp through Twilio: one adapter, the ``whatsapp:`` address prefix tells which.

Webhooks are validated with Twilio's algorithm (``RequestValidator.compute_signature``)
against exactly the *public* URL the hub was configured with (``WebhookRequest.url``, from
``HUB_PUBLIC_URL``): behind a proxy the scheme and host aiohttp sees are not the ones Twilio
signed, and twilio-python's own ``validate`` also accepts the URL with its port removed
(see :func:`same_endpoint_urls`). A signed webhook must then name this inbox's account and
number (``channels/binding.py``), or it is refused with 403. Sends use ``create_async`` on an
``AsyncTwilioHttpClient``; ``api_url`` in the inbox config points it at a fake in tests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, parse_qsl, urlsplit, urlunsplit

import aiohttp
from multidict import MultiDict
from twilio.base.exceptions import TwilioException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

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
)
from channels.errors import (
    PayloadInvalid,
    PermanentSendError,
    SendError,
    TransientSendError,
    WebhookRejected,
)
from channels.phones import strip_channel_prefix, to_e164
from channels.ratelimit import Limiter, Rate
from channels.screen import screen
from channels.wire import clean_text, header
from config.inboxes import TwilioInbox

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Twilio-Signature"
SETTINGS_HEADER = "X-Twilio-Webhooks-Signature-Settings"
EMPTY_TWIML = "<Response/>"
WHATSAPP = "whatsapp"
MESSAGING_SERVICE_PREFIX = "MG"

STATUS_MAP = {
    "accepted": DeliveryStatus.QUEUED,
    "queued": DeliveryStatus.QUEUED,
    "scheduled": DeliveryStatus.QUEUED,
    "sending": DeliveryStatus.QUEUED,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}
#: REST codes worth retrying: 20429 too many concurrent requests; 63017/63018 rate limits.
TRANSIENT_CODES = frozenset({20429, 63017, 63018})
#: Codes with a reason operators need spelled out (all permanent).
PERMANENT_REASONS = {
    63016: "outside the WhatsApp 24-hour window; a Content template is required",
    21211: "invalid 'To' phone number",
    21610: "the recipient replied STOP (unsubscribed)",
    21408: "sending to this region is not enabled on the account",
    21614: "'To' is not a mobile number",
    63003: "the recipient's WhatsApp account is unavailable",
}


class TwilioAdapter(ChannelAdapter):
    kind: ClassVar[str] = "twilio"
    #: No window at the class level: SMS has none; WhatsApp recipients get 24 h (see send).
    capabilities: ClassVar[Capabilities] = Capabilities(max_buttons=0, media=True)
    secret_names: ClassVar[tuple[str, ...]] = ("account_sid", "auth_token")

    inbox: TwilioInbox

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.validator = RequestValidator(self.secrets["auth_token"])
        self.limiter = Limiter(
            "twilio per sender", per_key=Rate.per(self.inbox.messages_per_second, 1)
        )
        self._client: Client | None = None
        self._last_form: DecodedForm | None = None

    # -- inbound ---------------------------------------------------------------------------

    def verify(self, request: WebhookRequest) -> None:
        """The signature over exactly the public URL, then the recipient (403 if not ours).

        Only the raw bytes are read here, decoded leniently: an unsigned body of any bytes
        is a 401, and strict decoding waits for :meth:`parse`."""
        params = self.check_signature(request)
        if params is not None:
            reason = self.foreign(params)
            if reason is not None:
                self.refusals.add(reason)
                logger.info("twilio inbox %s: webhook refused (%s)", self.slug, reason)
                raise WebhookRejected(f"this webhook is for another Twilio {_WHAT[reason]}", 403)

    def check_signature(self, request: WebhookRequest) -> Mapping[str, Any] | None:
        """Raise 401 unless ``X-Twilio-Signature`` matches; the signed form parameters, or
        ``None`` for a JSON-bodied webhook (signed URL plus ``bodySHA256``)."""
        signature = header(request.headers, SIGNATURE_HEADER)
        if not signature:
            raise WebhookRejected("missing X-Twilio-Signature", 401)
        if header(request.headers, SETTINGS_HEADER):
            # HMAC-SHA256 with a SharedKey secret: not configured for inboxes (yet).
            raise WebhookRejected("SharedKey webhook signatures are not supported", 401)
        body_hash = (
            parse_qs(urlsplit(request.url).query).get("bodySHA256")
            if "bodySHA256=" in request.url
            else None
        )
        if body_hash:  # JSON-bodied webhooks sign the URL only, plus a hash of the body
            digest = hashlib.sha256(request.body).hexdigest()
            if not hmac.compare_digest(digest.encode(), body_hash[0].encode()):
                raise WebhookRejected("bodySHA256 does not match the body", 401)
            params: Mapping[str, Any] = {}
        else:
            params = self._decoded(request).signed
        if not signature_matches(self.validator, request.url, params, signature):
            raise WebhookRejected("X-Twilio-Signature does not match URL and parameters", 401)
        return None if body_hash else params

    def foreign(self, form: Mapping[str, Any]) -> str | None:
        """Why a signed form is not for this inbox (``None``: it is): the ``AccountSid``
        must be our account's, and our side of the message (``To`` of an inbound message,
        ``From`` of a status callback) our number, or ``MessagingServiceSid`` our service."""
        account = form.get("AccountSid")
        if not account:
            return binding.MISSING_RECIPIENT
        if not hmac.compare_digest(str(account).encode(), self.secrets["account_sid"].encode()):
            return binding.WRONG_ACCOUNT_SID
        sender = self.inbox.from_number
        if sender.startswith(MESSAGING_SERVICE_PREFIX):
            if form.get("MessagingServiceSid") != sender:
                return binding.WRONG_MESSAGING_SERVICE
            return None
        ours = form.get("From") if form.get("MessageStatus") else form.get("To")
        if not ours:
            return binding.MISSING_RECIPIENT
        return None if binding.same_address(ours, sender) else binding.WRONG_NUMBER

    def parse(self, request: WebhookRequest) -> list[InboundItem]:
        return screen([parse_form(self._decoded(request).strict())], self.refusals)

    def _decoded(self, request: WebhookRequest) -> DecodedForm:
        """The form of ``request``, decoded once for verify and parse (the hub calls them
        one after the other on the same body, with nothing awaited in between)."""
        cached = self._last_form
        if cached is None or cached.body is not request.body or cached.form is not request.form:
            cached = self._last_form = DecodedForm.of(request)
        return cached

    def acknowledgement(self, items: list[InboundItem]) -> WebhookResponse:
        return WebhookResponse(status=200, body=EMPTY_TWIML, content_type="text/xml")

    # -- outbound --------------------------------------------------------------------------

    @property
    def client(self) -> Client:
        if self._client is None:
            client = Client(
                self.secrets["account_sid"],
                self.secrets["auth_token"],
                http_client=AsyncTwilioHttpClient(timeout=15),
            )
            if self.inbox.api_url is not None:
                client.api.base_url = str(self.inbox.api_url).rstrip("/")
            self._client = client
        return self._client

    async def fetch_media(self, url: str) -> tuple[bytes, str]:
        """Download an MMS/WhatsApp medium lazily. Twilio media URLs need Basic auth, which
        goes to Twilio's API host only: the URL comes from the webhook, and the redirect
        Twilio answers leads to a CDN that must not see the token (``media_policy``)."""
        auth = aiohttp.encode_basic_auth(self.secrets["account_sid"], self.secrets["auth_token"])
        return await media_fetch.fetch_media(
            self.services.http, self.media_policy, url, {"Authorization": auth}
        )

    async def close(self) -> None:
        if self._client is not None:
            await self._client.http_client.close()
            self._client = None

    def sender_for(self, recipient: str) -> str:
        """``from_`` for a recipient: the inbox number, prefixed like the recipient
        (a Messaging Service SID ``MG...`` is used as is)."""
        channel, _ = strip_channel_prefix(recipient)
        _, number = strip_channel_prefix(self.inbox.from_number)
        if number.startswith(MESSAGING_SERVICE_PREFIX):
            return number
        return f"{channel}:{number}" if channel else number

    async def send(self, message: OutboundMessage) -> SendResult:
        channel, _ = strip_channel_prefix(message.recipient)
        sender = self.sender_for(message.recipient)
        params: dict[str, Any] = {"to": message.recipient}
        if sender.startswith(MESSAGING_SERVICE_PREFIX):  # Twilio picks the number from the pool
            params["messaging_service_sid"] = sender
        else:
            params["from_"] = sender
        if self.inbox.status_callback_url is not None:
            params["status_callback"] = str(self.inbox.status_callback_url)
        fallback = None
        if channel == WHATSAPP:
            decision = window.decide(
                message.customer_last_message_at,
                datetime.now(UTC),
                fallback=self.inbox.window_content_sid,
                fallback_label="Twilio Content template (window_content_sid)",
            )
            fallback = decision.fallback if decision.mode is window.SendMode.FALLBACK else None
        if fallback:
            params["content_sid"] = fallback
            params["content_variables"] = json.dumps({"1": message.text}, ensure_ascii=False)
        else:
            params["body"] = numbered_fallback(message.text, message.buttons)
            urls = [a.url for a in message.attachments if a.url]
            if urls:
                params["media_url"] = urls
        await self.limiter.acquire(sender)
        try:
            created = await self.client.messages.create_async(**params)
        except TwilioException as exc:
            raise classify_twilio_error(exc) from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise TransientSendError(f"Twilio unreachable: {exc!r}", "network") from exc
        return SendResult(provider_message_id=getattr(created, "sid", None))


def classify_twilio_error(exc: TwilioException) -> SendError:
    """429/20429/5xx and Twilio's rate-limit codes retry; everything else is permanent."""
    status = getattr(exc, "status", None) or 0
    code = getattr(exc, "code", None)
    message = str(getattr(exc, "msg", None) or getattr(exc, "detail", None) or exc)
    label = f"Twilio {code or status}"
    if status == 429 or status >= 500 or code in TRANSIENT_CODES:
        return TransientSendError(f"{label}: {message}", str(code or status))
    reason = PERMANENT_REASONS.get(code) if isinstance(code, int) else None
    return PermanentSendError(f"{label}: {reason or message}", str(code or status))


_WHAT = {
    binding.MISSING_RECIPIENT: "account or number (AccountSid/To/From missing)",
    binding.WRONG_ACCOUNT_SID: "account (AccountSid)",
    binding.WRONG_NUMBER: "number",
    binding.WRONG_MESSAGING_SERVICE: "Messaging Service",
}


def same_endpoint_urls(url: str) -> tuple[str, ...]:
    """``url`` and its default-port twin (``https://h/p`` and ``https://h:443/p``), which
    name the same endpoint. Unlike twilio-python's ``validate`` a non-default port is never
    stripped: a signature made for ``https://h/p`` must not be accepted at
    ``https://h:8443/p``, another endpoint that Twilio was never told about."""
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:
        return (url,)
    if default is None:
        return (url,)
    if port is None:
        twin = parts._replace(netloc=f"{parts.netloc}:{default}")
    elif port == default:
        twin = parts._replace(netloc=parts.netloc.rsplit(":", 1)[0])
    else:
        return (url,)
    return (url, urlunsplit(twin))


def signature_matches(
    validator: RequestValidator, url: str, params: Mapping[str, Any], signature: str
) -> bool:
    """Twilio's algorithm (``compute_signature``) over exactly :func:`same_endpoint_urls`,
    compared in constant time."""
    given = signature.strip().encode()
    return any(
        hmac.compare_digest(validator.compute_signature(candidate, params).encode(), given)
        for candidate in same_endpoint_urls(url)
    )


@dataclass(frozen=True, slots=True)
class DecodedForm:
    """A form body decoded both ways: ``signed`` leniently (what the signature is checked
    over: invalid UTF-8 becomes U+FFFD, which cannot match a real signature and cannot
    raise either) and, for :meth:`strict`, only when the body is UTF-8."""

    body: bytes
    form: Mapping[str, Any] | None
    signed: Mapping[str, Any]
    utf8: bool

    @classmethod
    def of(cls, request: WebhookRequest) -> DecodedForm:
        if not request.body and request.form is not None:  # tests, or a GET
            return cls(request.body, request.form, request.form, True)
        try:
            text, utf8 = request.body.decode("utf-8"), True
        except UnicodeDecodeError:
            text, utf8 = request.body.decode("utf-8", "replace"), False
        pairs = MultiDict(parse_qsl(text, keep_blank_values=True))
        return cls(request.body, request.form, pairs, utf8)

    def strict(self) -> Mapping[str, Any]:
        """The fields of a verified request: a body that is not UTF-8 is a 400; NUL in a
        name or value becomes U+FFFD (see ``channels.wire.clean_text``)."""
        if not self.utf8:
            raise PayloadInvalid("form body is not UTF-8")
        return MultiDict((clean_text(str(k)), clean_text(str(v))) for k, v in self.signed.items())


def parse_form(form: Mapping[str, Any]) -> InboundItem:
    """One form post = one item: a status callback (``MessageStatus``) or a message."""
    sid = str(form.get("MessageSid") or form.get("SmsMessageSid") or form.get("SmsSid") or "")
    if not sid:
        raise PayloadInvalid("MessageSid is missing")
    raw_status = form.get("MessageStatus")
    if raw_status:
        customer = str(form.get("To") or "")
        status = STATUS_MAP.get(str(raw_status))
        error_code = form.get("ErrorCode")
        status_data: dict[str, Any] = {
            "status": raw_status,
            "channel": strip_channel_prefix(customer)[0] or "sms",
            **(
                {"error_code": error_code, "error_message": form.get("ErrorMessage")}
                if error_code
                else {}
            ),
        }
        return InboundItem(
            kind=ItemKind.STATUS if status else ItemKind.EVENT,
            event_id=f"{sid}:{raw_status}",
            source_id=customer,
            message_id=sid,
            content_type="status",
            status=status,
            error=f"{error_code} {form.get('ErrorMessage') or ''}".strip() if error_code else None,
            data=status_data,
        )
    sender = str(form.get("From") or "")
    channel = strip_channel_prefix(sender)[0] or "sms"
    attachments = _media(form)
    body = form.get("Body") or None
    data: dict[str, Any] = {"channel": channel, "to": form.get("To")}
    content_type = "text" if body or not attachments else attachments[0].kind
    payload = form.get("ButtonPayload") or None
    if payload:
        content_type = "button"
        data["reply_type"] = "button"
        body = form.get("ButtonText") or body
    if form.get("Latitude") and form.get("Longitude"):
        content_type = "location"
        location = {k.lower(): form.get(k) for k in ("Latitude", "Longitude", "Address", "Label")}
        attachments = (*attachments, Attachment(kind="location", data=location))
    phone = to_e164(form.get("WaId") or sender)
    name = form.get("ProfileName") or None
    return InboundItem(
        kind=ItemKind.MESSAGE,
        event_id=sid,
        source_id=sender,
        message_id=sid,
        content_type=content_type,
        text=body,
        payload=payload,
        attachments=attachments,
        reply_to=form.get("OriginalRepliedMessageSid") or None,
        profile=Profile(name=name, phone=phone) if (name or phone) else None,
        data=data,
    )


def _media(form: Mapping[str, Any]) -> tuple[Attachment, ...]:
    try:
        count = int(form.get("NumMedia") or 0)
    except ValueError:
        raise PayloadInvalid("NumMedia is not a number") from None
    found = []
    for index in range(min(count, 10)):  # Twilio caps MMS at 10 media
        url = form.get(f"MediaUrl{index}")
        mime = form.get(f"MediaContentType{index}") or None
        if url:
            found.append(Attachment(kind=_kind_of(mime), url=str(url), mime_type=mime))
    return tuple(found)


def _kind_of(mime: str | None) -> str:
    major = (mime or "").split("/")[0]
    return {"image": "image", "audio": "audio", "video": "video"}.get(major, "document")
