"""Messenger sends through pyfacebook (off the loop) against the fake Graph API."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from channels.base import Attachment, Button, OutboundMessage
from channels.errors import PermanentSendError, TransientSendError
from tests.channels import adapters
from tests.channels.deliveries import META_APP_SECRET

PSID = "1423587017700273"
RECENT = datetime.now(UTC) - timedelta(hours=2)


def message(text: str = "Hi there", **kw) -> OutboundMessage:
    kw.setdefault("customer_last_message_at", RECENT)
    return OutboundMessage(recipient=PSID, text=text, reference="out-1", **kw)


@pytest.fixture
async def fb(graph):
    adapter = adapters.messenger(graph_url=graph.base_url)
    yield adapter
    await adapter.close()


async def test_text_with_quick_replies_is_the_send_api_form(fb, graph) -> None:
    buttons = (Button("yes", "Yes please"), Button("no", "No"))
    result = await fb.send(message("Shall we?", buttons=buttons))
    assert result.provider_message_id == "m_FAKE1"
    (request,) = graph.requests
    assert (request.method, request.path) == ("POST", "/v24.0/404217156637689/messages")
    proof = hmac.new(META_APP_SECRET.encode(), b"PAGE_TOKEN", hashlib.sha256).hexdigest()
    assert request.form == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {
            "text": "Shall we?",
            "quick_replies": [
                {"content_type": "text", "title": "Yes please", "payload": "yes"},
                {"content_type": "text", "title": "No", "payload": "no"},
            ],
        },
        "access_token": "PAGE_TOKEN",
        "appsecret_proof": proof,
    }


async def test_more_than_thirteen_buttons_become_numbered_text(fb, graph) -> None:
    buttons = tuple(Button(str(i), f"Choice {i}") for i in range(1, 15))
    await fb.send(message("Choose", buttons=buttons))
    sent = graph.requests[0].form["message"]
    assert "quick_replies" not in sent
    assert sent["text"].endswith("14. Choice 14")


async def test_media_by_url_goes_first_then_the_text(fb, graph) -> None:
    image = Attachment(kind="image", url="https://cdn.example/p.jpg")
    await fb.send(message("Here it is", attachments=(image,)))
    assert [r.form["message"] for r in graph.requests] == [
        {
            "attachment": {
                "type": "image",
                "payload": {"url": "https://cdn.example/p.jpg", "is_reusable": True},
            }
        },
        {"text": "Here it is"},
    ]


async def test_outside_the_window_the_tag_is_used(graph) -> None:
    fb = adapters.messenger(graph_url=graph.base_url, window_tag="HUMAN_AGENT")
    three_days = datetime.now(UTC) - timedelta(days=3)
    await fb.send(message(customer_last_message_at=three_days))
    form = graph.requests[0].form
    assert (form["messaging_type"], form["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")
    with pytest.raises(PermanentSendError, match="HUMAN_AGENT"):
        await fb.send(message(customer_last_message_at=datetime.now(UTC) - timedelta(days=8)))
    assert len(graph.requests) == 1
    await fb.close()


async def test_outside_the_window_without_tag_is_refused_before_the_provider(fb, graph) -> None:
    stale = datetime.now(UTC) - timedelta(hours=30)
    with pytest.raises(PermanentSendError, match="window_tag"):
        await fb.send(message(customer_last_message_at=stale))
    assert graph.requests == []


@pytest.mark.parametrize(
    "arrange",
    [
        lambda g: g.queue(g.error_reply(4, "Application request limit reached", status=429)),
        lambda g: g.queue(g.error_reply(613, "Calls to this api have exceeded the rate limit")),
        lambda g: g.queue(g.error_reply(1200, "Temporary send message failure")),
        lambda g: g.server_error(json_body=True),
        lambda g: g.server_error(json_body=False),
    ],
    ids=["4-app-limit", "613-rate", "1200-temporary", "500-json", "502-html"],
)
async def test_transient_errors_are_retried_later(fb, graph, arrange) -> None:
    arrange(graph)
    with pytest.raises(TransientSendError):
        await fb.send(message())
    assert (await fb.send(message())).provider_message_id == "m_FAKE1"


@pytest.mark.parametrize(
    ("code", "subcode", "words"),
    [
        (10, 2018278, "outside the 24-hour"),
        (551, None, "This person isn't available right now"),
        (100, 2018001, "No matching user found"),
        (200, None, "Permissions error"),
    ],
)
async def test_permanent_errors_keep_the_reason(fb, graph, code, subcode, words) -> None:
    graph.permanent(
        code, words if code != 10 else "Message sent outside allowed window", subcode=subcode
    )
    with pytest.raises(PermanentSendError) as caught:
        await fb.send(message())
    assert words in caught.value.reason
    assert caught.value.code == str(code)


async def test_unreachable_graph_is_transient() -> None:
    fb = adapters.messenger(graph_url="http://127.0.0.1:9")
    with pytest.raises(TransientSendError, match="unreachable"):
        await fb.send(message())
    await fb.close()
