"""Twilio sends with create_async + AsyncTwilioHttpClient against the fake REST API."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from channels.base import Attachment, Button, OutboundMessage
from channels.errors import PermanentSendError, TransientSendError
from tests.channels import adapters
from tests.channels.deliveries import TWILIO_AUTH_TOKEN

WA_TO = "whatsapp:+558282136275"
SMS_TO = "+19086162013"
RECENT = datetime.now(UTC) - timedelta(minutes=5)
STALE = datetime.now(UTC) - timedelta(hours=26)


def message(recipient: str = WA_TO, text: str = "Olá!", **kw) -> OutboundMessage:
    kw.setdefault("customer_last_message_at", RECENT)
    return OutboundMessage(recipient=recipient, text=text, reference="out-1", **kw)


@pytest.fixture
async def tw(twilio_api):
    adapter = adapters.twilio(api_url=twilio_api.base_url)
    yield adapter
    await adapter.close()


async def test_whatsapp_send_uses_the_prefixed_sender(tw, twilio_api) -> None:
    result = await tw.send(message())
    (request,) = twilio_api.requests
    assert (request.method, request.path) == ("POST", "/2010-04-01/Accounts/AC_TEST/Messages.json")
    auth = base64.b64encode(f"AC_TEST:{TWILIO_AUTH_TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {auth}"
    assert request.form == {"To": WA_TO, "From": "whatsapp:+14155238886", "Body": "Olá!"}
    assert result.provider_message_id == f"SM{1:032x}"


async def test_sms_send_with_media_and_numbered_buttons(tw, twilio_api) -> None:
    picture = Attachment(kind="image", url="https://cdn.example/map.png")
    buttons = (Button("a", "Opening hours"), Button("b", "Talk to someone"))
    await tw.send(
        message(
            SMS_TO,
            "How can we help?",
            buttons=buttons,
            attachments=(picture,),
            customer_last_message_at=STALE,
        )
    )  # SMS has no 24-hour window
    assert twilio_api.requests[0].form == {
        "To": SMS_TO,
        "From": "+14155238886",
        "Body": "How can we help?\n\n1. Opening hours\n2. Talk to someone",
        "MediaUrl": "https://cdn.example/map.png",
    }


async def test_whatsapp_outside_the_window_is_refused_without_content_sid(tw, twilio_api) -> None:
    with pytest.raises(PermanentSendError, match="window_content_sid"):
        await tw.send(message(customer_last_message_at=STALE))
    assert twilio_api.requests == []


async def test_whatsapp_outside_the_window_uses_the_content_template(twilio_api) -> None:
    tw = adapters.twilio(
        api_url=twilio_api.base_url,
        window_content_sid="HX123",
        status_callback_url="https://hub.example/webhooks/tw",
    )
    await tw.send(message(text="Your order shipped", customer_last_message_at=STALE))
    assert twilio_api.requests[0].form == {
        "To": WA_TO,
        "From": "whatsapp:+14155238886",
        "ContentSid": "HX123",
        "ContentVariables": {"1": "Your order shipped"},  # JSON, decoded by the fake
        "StatusCallback": "https://hub.example/webhooks/tw",
    }
    await tw.close()


@pytest.mark.parametrize(
    "arrange",
    [lambda t: t.rate_limited(retry_after=3), lambda t: t.server_error()],
    ids=["429-20429", "500"],
)
async def test_transient_errors(tw, twilio_api, arrange) -> None:
    arrange(twilio_api)
    with pytest.raises(TransientSendError):
        await tw.send(message())
    assert len(twilio_api.requests) == 1  # the SDK client does not retry on its own
    assert (await tw.send(message())).provider_message_id


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (63016, "24-hour window"),
        (21211, "invalid 'To'"),
        (21610, "STOP"),
        (21408, "region"),
        (30007, "Message filtered"),  # no special text: the provider's own message is kept
    ],
)
async def test_permanent_errors(tw, twilio_api, code, words) -> None:
    twilio_api.permanent(code, "Message filtered" if code == 30007 else "error")
    with pytest.raises(PermanentSendError) as caught:
        await tw.send(message())
    assert words in caught.value.reason
    assert caught.value.code == str(code)


async def test_unreachable_api_is_transient() -> None:
    tw = adapters.twilio(api_url="http://127.0.0.1:9")
    with pytest.raises(TransientSendError, match="unreachable"):
        await tw.send(message())
    await tw.close()


async def test_messaging_service_sid_as_sender(twilio_api) -> None:
    service = "MG0123456789abcdef0123456789abcdef"
    tw = adapters.twilio(api_url=twilio_api.base_url, from_number=service)
    await tw.send(message(SMS_TO, "hi"))
    assert twilio_api.requests[0].form == {
        "To": SMS_TO,
        "MessagingServiceSid": service,
        "Body": "hi",
    }
    await tw.close()
