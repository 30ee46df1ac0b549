"""WhatsApp Cloud sends against the fake Graph API: exact requests, retries, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels.base import Attachment, Button, OutboundMessage
from channels.errors import PermanentSendError, TransientSendError
from tests.channels import adapters

TO = "972987654321"
RECENT = datetime.now(UTC) - timedelta(hours=1)
STALE = datetime.now(UTC) - timedelta(hours=25)


def message(text: str = "Hello", **kw) -> OutboundMessage:
    kw.setdefault("customer_last_message_at", RECENT)
    return OutboundMessage(recipient=TO, text=text, reference="out-1", **kw)


@pytest.fixture
def wa(http, graph):
    return adapters.whatsapp(http=http, graph_url=graph.base_url)


def envelope(**content):
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": TO, **content}


async def test_text_is_posted_as_json_with_the_bearer_token(wa, graph) -> None:
    result = await wa.send(message())
    assert result.provider_message_id == "wamid.FAKE1"
    (request,) = graph.requests
    assert (request.method, request.path) == ("POST", "/v24.0/1122334455667/messages")
    assert request.headers["Authorization"] == "Bearer WA_TOKEN"
    assert request.json == envelope(type="text", text={"body": "Hello", "preview_url": False})


async def test_up_to_three_buttons_are_reply_buttons(wa, graph) -> None:
    buttons = (Button("yes", "Yes"), Button("no", "No"), Button("later", "A very long title, cut"))
    await wa.send(message("Continue?", buttons=buttons, reply_to="wamid.IN"))
    body = graph.requests[0].json
    assert body["type"] == "interactive"
    assert body["context"] == {"message_id": "wamid.IN"}
    assert body["interactive"] == {
        "type": "button",
        "body": {"text": "Continue?"},
        "action": {
            "buttons": [
                {"type": "reply", "reply": {"id": "yes", "title": "Yes"}},
                {"type": "reply", "reply": {"id": "no", "title": "No"}},
                {"type": "reply", "reply": {"id": "later", "title": "A very long title, c"}},
            ]
        },
    }


async def test_four_to_ten_buttons_become_a_list(wa, graph) -> None:
    buttons = tuple(Button(f"b{i}", f"Option {i}") for i in range(1, 6))
    await wa.send(message("Pick one", buttons=buttons))
    interactive = graph.requests[0].json["interactive"]
    assert interactive["type"] == "list"
    rows = interactive["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == ["b1", "b2", "b3", "b4", "b5"]


async def test_more_than_ten_buttons_fall_back_to_numbered_text(wa, graph) -> None:
    buttons = tuple(Button(f"b{i}", f"Option {i}") for i in range(1, 12))
    await wa.send(message("Pick one", buttons=buttons))
    body = graph.requests[0].json
    assert body["type"] == "text"
    assert body["text"]["body"].splitlines()[:3] == ["Pick one", "", "1. Option 1"]
    assert body["text"]["body"].endswith("11. Option 11")


async def test_media_by_url_carries_the_text_as_caption(wa, graph) -> None:
    image = Attachment(kind="image", url="https://cdn.example/p.jpg")
    result = await wa.send(message("Your receipt", attachments=(image,)))
    (request,) = graph.requests
    assert request.json == envelope(
        type="image", image={"link": "https://cdn.example/p.jpg", "caption": "Your receipt"}
    )
    assert result.provider_message_id == "wamid.FAKE1"


async def test_media_that_takes_no_caption_is_followed_by_the_text(wa, graph) -> None:
    audio = Attachment(kind="audio", url="https://cdn.example/a.ogg")
    await wa.send(message("Listen", attachments=(audio,)))
    assert [r.json["type"] for r in graph.requests] == ["audio", "text"]


@pytest.mark.parametrize(
    ("arrange", "retry_after"),
    [
        (lambda g: g.rate_limited(130429, retry_after=7), 7.0),
        (lambda g: g.queue(g.error_reply(131056, "pair rate", status=400)), 6.0),
        (lambda g: g.queue(g.error_reply(80007, "rate limit", status=400)), None),
        (lambda g: g.server_error(json_body=True), None),
        (lambda g: g.server_error(json_body=False), None),
    ],
    ids=["429-retry-after", "131056-pair-rate", "80007", "500-json", "502-html"],
)
async def test_transient_errors_say_retry_and_when(wa, graph, arrange, retry_after) -> None:
    arrange(graph)
    with pytest.raises(TransientSendError) as caught:
        await wa.send(message())
    assert caught.value.retry_after == retry_after
    assert len(graph.requests) == 1  # never retried inside the adapter: the outbox does it
    assert (await wa.send(message())).provider_message_id  # and the next try goes through


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (131047, "24-hour"),
        (131026, "Message undeliverable"),
        (100, "Invalid parameter"),
        (190, "expired"),
        (131051, "Unsupported message type"),
    ],
)
async def test_permanent_errors_keep_the_provider_reason(wa, graph, code, words) -> None:
    reasons = {
        131026: "Message undeliverable",
        100: "Invalid parameter",
        190: "Token expired",
        131051: "Unsupported message type",
        131047: "Re-engagement message",
    }
    graph.permanent(code, reasons[code])
    with pytest.raises(PermanentSendError) as caught:
        await wa.send(message())
    assert caught.value.code == str(code)
    assert words in caught.value.reason


async def test_outside_the_window_without_template_is_refused_before_the_provider(wa, graph):
    with pytest.raises(PermanentSendError, match="outside the 24-hour customer-service window"):
        await wa.send(message(customer_last_message_at=STALE))
    with pytest.raises(PermanentSendError, match="not written yet"):
        await wa.send(message(customer_last_message_at=None))
    assert graph.requests == []


async def test_outside_the_window_the_configured_template_is_sent(http, graph) -> None:
    wa = adapters.whatsapp(
        http=http, graph_url=graph.base_url, window_template="agent_reply", language="fr"
    )
    await wa.send(message("Votre colis part demain", customer_last_message_at=STALE))
    assert graph.requests[0].json == envelope(
        type="template",
        template={
            "name": "agent_reply",
            "language": {"code": "fr"},
            "components": [
                {
                    "type": "body",
                    "parameters": [{"type": "text", "text": "Votre colis part demain"}],
                }
            ],
        },
    )


async def test_unreachable_graph_is_transient(http) -> None:
    wa = adapters.whatsapp(http=http, graph_url="http://127.0.0.1:9")
    with pytest.raises(TransientSendError, match="unreachable"):
        await wa.send(message())


async def test_fetch_media_resolves_the_url_then_downloads_with_the_token(wa, graph) -> None:
    content, mime = await wa.fetch_media("65463453")
    assert (content, mime) == (b"\xff\xd8fake-jpeg", "image/jpeg")
    assert [r.path for r in graph.requests] == ["/v24.0/65463453", "/media/65463453"]
    assert all(r.headers["Authorization"] == "Bearer WA_TOKEN" for r in graph.requests)
    with pytest.raises(PermanentSendError):
        await wa.fetch_media("404404")
