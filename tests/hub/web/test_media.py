"""``GET /api/messages/{id}/attachments/{index}``: inbound media fetched lazily from the fakes."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from channels.media_policy import Origin
from hub.auth import create_api_token
from hub.store.models import Agent, Conversation, Message
from tests.channels.adapters import TWILIO_SID, WA_TOKEN
from tests.channels.deliveries import TWILIO_AUTH_TOKEN, load
from tests.fakes.providers import FakeGraph, FakeProvider, FakeTwilio
from tests.hub.inbound.test_provider_fixtures import (
    Providers,
    deliver,
    first_post,
    meta_post,
    provider_hub,
    twilio_post,
)

TWILIO_MEDIA = b"\x89PNG\r\n\x1a\nfake-png"
CDN_MEDIA = b"RIFF....WEBPfake-sticker" * 1000  # large enough to arrive in several chunks


class MediaTwilio(FakeTwilio):
    """The fake Twilio API plus the media URLs of inbound MMS / WhatsApp messages."""

    def __init__(self) -> None:
        super().__init__(account_sid=TWILIO_SID, auth_token=TWILIO_AUTH_TOKEN)
        self.media_status = 200
        self.app.router.add_get(
            "/2010-04-01/Accounts/{sid}/Messages/{message}/Media/{media}", self._media
        )

    async def _media(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        if self.media_status != 200:
            return web.Response(status=self.media_status, text="boom")
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if recorded.headers.get("Authorization") != f"Basic {expected}":
            return web.Response(status=401)
        return web.Response(body=TWILIO_MEDIA, content_type="image/png")


class FakeCdn(FakeProvider):
    """A public CDN (Messenger attachment URLs need no token)."""

    def __init__(self) -> None:
        super().__init__()
        self.app.router.add_get("/cdn/{name}", self._file)

    async def _file(self, request: web.Request) -> web.Response:
        await self._record(request)
        if request.match_info["name"] == "gone.webp":
            return web.Response(status=404)
        return web.Response(body=CDN_MEDIA, content_type="image/webp")


@dataclass
class MediaHub:
    providers: Providers
    twilio: MediaTwilio
    cdn: FakeCdn
    token: str
    agent: Agent

    @property
    def graph(self) -> FakeGraph:
        return self.providers.graph

    async def get(self, message_id: int | str, index: int | str = 0, token: str | None = None):
        headers = {"Authorization": f"Bearer {token or self.token}"} if token != "" else {}
        return await self.providers.hub.http.get(
            f"/api/messages/{message_id}/attachments/{index}", headers=headers
        )

    async def receive(self, post: Any, slug: str | None = None) -> Message:
        response = await deliver(self.providers.hub, post, slug)
        assert response.status == 200, await response.text()
        await self.providers.hub.settled()
        return await Message.filter(direction="in").order_by("-id").first()  # type: ignore[return-value]


@pytest.fixture
async def media(tmp_path: Path) -> AsyncIterator[MediaHub]:
    twilio = MediaTwilio()
    async with FakeCdn() as cdn, provider_hub(tmp_path, twilio_fake=twilio) as providers:
        agent = await Agent.create(email="ana@example.com", name="Ana", role="agent")
        token = await create_api_token(agent)
        trust_cdn(providers, cdn)
        yield MediaHub(providers, twilio, cdn, token, agent)  # type: ignore[arg-type]


def trust_cdn(providers: Providers, cdn: FakeProvider) -> None:
    """The fake CDN listens on loopback, which the media policy refuses: this test's
    Messenger policy trusts its origin explicitly, as an operator's proxy would be."""
    ctx = providers.hub.runtime.ctx  # type: ignore[union-attr]
    origin = Origin.of(cdn.base_url)
    assert origin is not None
    policy = ctx.media_policies["messenger"]
    ctx.media_policies["messenger"] = replace(policy, trusted=(*policy.trusted, origin))


def media_requests(fake: FakeProvider) -> list[str]:
    return [r.path for r in fake.requests if r.method == "GET"]


async def test_whatsapp_image_is_fetched_from_the_graph_api_when_opened(media: MediaHub) -> None:
    message = await media.receive(first_post("whatsapp_cloud/image.json"))
    assert message.attachments[0]["media_id"] == "65463453"
    assert media_requests(media.graph) == []  # nothing downloaded during ingestion
    response = await media.get(message.id)
    assert response.status == 200
    assert await response.read() == b"\xff\xd8fake-jpeg"
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert media_requests(media.graph) == ["/v24.0/65463453", "/media/65463453"]
    for request in media.graph.requests:
        assert request.headers["Authorization"] == f"Bearer {WA_TOKEN}"


async def test_twilio_media_url_is_fetched_with_basic_auth(media: MediaHub) -> None:
    url = f"{media.twilio.base_url}/2010-04-01/Accounts/{TWILIO_SID}/Messages/MM1/Media/ME1"
    params = {
        "MessageSid": "MM" + "1" * 32,
        "AccountSid": TWILIO_SID,
        "From": "whatsapp:+27726961505",
        "To": "whatsapp:+14155238886",
        "Body": "",
        "NumMedia": "1",
        "MediaUrl0": url,
        "MediaContentType0": "image/png",
    }
    message = await media.receive(twilio_post(params), "twilio")
    assert [a["kind"] for a in message.attachments] == ["image"]
    response = await media.get(message.id)
    assert response.status == 200
    assert await response.read() == TWILIO_MEDIA
    assert response.headers["Content-Type"] == "image/png"
    assert media_requests(media.twilio) == [url[len(media.twilio.base_url) :]]


async def test_stored_url_is_streamed_through(media: MediaHub) -> None:
    now = int(datetime.now(UTC).timestamp() * 1000)
    body = {
        "object": "page",
        "entry": [
            {
                "id": "404217156637689",
                "time": now,
                "messaging": [
                    {
                        "sender": {"id": "7002"},
                        "recipient": {"id": "404217156637689"},
                        "timestamp": now,
                        "message": {
                            "mid": "m_sticker1",
                            "attachments": [
                                {
                                    "type": "image",
                                    "payload": {"url": f"{media.cdn.base_url}/cdn/s.webp"},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    message = await media.receive(meta_post("messenger", body), "messenger")
    response = await media.get(message.id)
    assert response.status == 200
    assert await response.read() == CDN_MEDIA
    assert response.headers["Content-Type"] == "image/webp"
    assert media_requests(media.cdn) == ["/cdn/s.webp"]


async def test_missing_attachment_or_message_is_404(media: MediaHub) -> None:
    image = await media.receive(first_post("whatsapp_cloud/image.json"))
    body = load("whatsapp_cloud/location.json")  # same wamid as image.json: give it its own
    body["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = "wamid.location1"
    location = await media.receive(meta_post("whatsapp_cloud", body))
    assert location.content_type == "location"
    text = await media.receive(first_post("twilio/sms_inbound_text_multiline.json"))
    cases: list[tuple[int | str, int | str]] = [
        (image.id, 1),
        (image.id, -1),
        (image.id, "x"),
        (location.id, 0),  # a location has no media
        (text.id, 0),
        (999999, 0),
        ("abc", 0),
    ]
    for message_id, index in cases:
        response = await media.get(message_id, index)
        assert response.status == 404, (message_id, index)
        assert (await response.json())["error"]
    assert media_requests(media.graph) == []


async def test_only_agents_who_may_see_the_conversation_get_the_media(media: MediaHub) -> None:
    message = await media.receive(first_post("whatsapp_cloud/image.json"))
    assert (await media.get(message.id, token="")).status == 401
    assert (await media.get(message.id, token="hub_not-a-token")).status == 401
    other = await Agent.create(email="bo@example.com", name="Bo", role="agent")
    await Conversation.filter(id=message.conversation_id).update(assignee_id=other.id)
    assert (await media.get(message.id)).status == 404  # someone else's conversation
    supervisor = await Agent.create(email="sue@example.com", name="Sue", role="supervisor")
    response = await media.get(message.id, token=await create_api_token(supervisor))
    assert response.status == 200


async def test_graph_error_is_a_502_with_the_providers_reason(media: MediaHub) -> None:
    message = await media.receive(first_post("whatsapp_cloud/image.json"))
    media.graph.queue(FakeGraph.error_reply(100, "Unsupported get request", status=400))
    response = await media.get(message.id)
    assert response.status == 502
    reason = (await response.json())["error"]
    assert "Unsupported get request" in reason
    assert "\n" not in reason
    media.graph.media.clear()  # the medium expired on Meta's side
    response = await media.get(message.id)
    assert response.status == 502


async def test_twilio_and_cdn_failures_are_502(media: MediaHub) -> None:
    url = f"{media.twilio.base_url}/2010-04-01/Accounts/{TWILIO_SID}/Messages/MM2/Media/ME2"
    params = {
        "MessageSid": "MM" + "2" * 32,
        "AccountSid": TWILIO_SID,
        "From": "+19086162013",
        "To": "+14155238886",
        "NumMedia": "1",
        "MediaUrl0": url,
        "MediaContentType0": "image/png",
    }
    message = await media.receive(twilio_post(params), "twilio")
    media.twilio.media_status = 500
    response = await media.get(message.id)
    assert response.status == 502
    assert "500" in (await response.json())["error"]
    # a plain stored URL (Messenger) whose CDN answers 404
    cdn_message = await media.receive(
        messenger_attachment(f"{media.cdn.base_url}/cdn/gone.webp", "m_gone1"), "messenger"
    )
    response = await media.get(cdn_message.id)
    assert response.status == 502
    assert "404" in (await response.json())["error"]


def messenger_attachment(url: str, mid: str) -> Any:
    return meta_post(
        "messenger",
        {
            "object": "page",
            "entry": [
                {
                    "id": "404217156637689",
                    "time": 0,
                    "messaging": [
                        {
                            "sender": {"id": "7004"},
                            "recipient": {"id": "404217156637689"},
                            "timestamp": int(datetime.now(UTC).timestamp() * 1000),
                            "message": {
                                "mid": mid,
                                "attachments": [{"type": "image", "payload": {"url": url}}],
                            },
                        }
                    ],
                }
            ],
        },
    )


@pytest.mark.parametrize(
    "url",
    [
        "{cdn}/cdn/s.webp",  # loopback, not trusted by this inbox's policy
        "http://localhost:{port}/cdn/s.webp",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8/cdn/s.webp",
        "https://[::1]:{port}/cdn/s.webp",
        "file:///etc/passwd",
        "https://user:pw@scontent.fbcdn.net/x.webp",
    ],
)
async def test_a_private_or_foreign_stored_url_is_refused_and_not_fetched(
    media: MediaHub, url: str
) -> None:
    ctx = media.providers.hub.runtime.ctx  # type: ignore[union-attr]
    ctx.media_policies["messenger"] = replace(ctx.media_policies["messenger"], trusted=())
    port = media.cdn.base_url.rsplit(":", 1)[1]
    stored = url.format(cdn=media.cdn.base_url, port=port)
    message = await media.receive(messenger_attachment(stored, f"m_private{abs(hash(url))}"))
    assert message.attachments[0]["url"] == stored
    response = await media.get(message.id)
    assert 400 <= response.status < 500, response.status
    reason = (await response.json())["error"]
    assert reason.startswith("media URL refused"), reason
    assert media_requests(media.cdn) == []
