"""The inbox's socket: live events, resume after a drop with nothing missed, visibility."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from hub.store.models import Conversation
from hub.web.app import create_app
from tests.hub.web.inbox.support import make_agent, signed_in
from tests.support.harness import HubHarness


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = HubHarness(tmp_path)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


async def _until(ws: Any, wanted: Any, timeout: float = 10.0) -> list[dict[str, Any]]:
    """Events received until one satisfies ``wanted`` (that one included)."""
    seen: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while True:
            event = await ws.receive_json()
            seen.append(event)
            if wanted(event):
                return seen


def _text(event: dict[str, Any]) -> str | None:
    return event["data"].get("text") if event["type"] == "message" else None


async def test_events_arrive_live_and_a_dropped_socket_resumes_in_order(hub: HubHarness) -> None:
    await make_agent()
    await signed_in(hub.http)
    ws = await hub.http.ws_connect("/inbox/ws")
    hello = await ws.receive_json()
    assert hello["type"] == "hello"
    assert hello["resync"] is False
    visitor = await hub.visitor()
    await hub.visitor_says(visitor, "first question")
    events = await _until(ws, lambda e: _text(e) == "first question")
    assert any(e["type"] == "conversation" for e in events)
    last = events[-1]["seq"]
    await ws.close()

    # while the agent is away, the customer writes twice
    await hub.visitor_says(visitor, "second")
    await hub.visitor_says(visitor, "third")
    await hub.settled()
    await asyncio.sleep(0.3)  # the feed's poll picks them up

    ws = await hub.http.ws_connect(f"/inbox/ws?epoch={hello['epoch']}&after={last}")
    again = await ws.receive_json()
    assert again == {"type": "hello", "epoch": hello["epoch"], "seq": again["seq"], "resync": False}
    replayed = await _until(ws, lambda e: _text(e) == "third")
    texts = [_text(e) for e in replayed if _text(e) in ("second", "third")]
    assert texts == ["second", "third"]
    seqs = [e["seq"] for e in replayed]
    assert seqs == sorted(seqs)
    assert seqs[0] == last + 1  # nothing skipped between the drop and the resume
    await ws.close()

    # numbers of another process (or an old run) cannot be resumed: the client resyncs
    ws = await hub.http.ws_connect("/inbox/ws?epoch=elsewhere&after=3")
    assert (await ws.receive_json())["resync"] is True
    await ws.close()


async def test_a_conversation_taken_by_a_colleague_is_hidden_from_an_agent(
    hub: HubHarness,
) -> None:
    await make_agent()
    await make_agent(email="bo@example.com", name="Bo")
    await signed_in(hub.http)
    visitor = await hub.visitor()
    await hub.visitor_says(visitor, "hello")
    await hub.settled()
    conversation = await Conversation.get()

    assert hub.runtime is not None
    bo_client = TestClient(TestServer(create_app(hub.runtime, start_runtime=False)))
    await bo_client.start_server()
    try:
        bo_csrf = await signed_in(bo_client, "bo@example.com")
        ws = await hub.http.ws_connect("/inbox/ws")
        await ws.receive_json()
        taken = await bo_client.post(
            f"/inbox/api/conversations/{conversation.id}/take", headers={"X-CSRF-Token": bo_csrf}
        )
        assert taken.status == 200, await taken.text()
        events = await _until(ws, lambda e: e["type"] == "hidden")
        assert events[-1]["conversation_id"] == conversation.id
        # and Ana cannot take it back (409), nor read it any more (404)
        ana_csrf = (await (await hub.http.get("/inbox/api/me")).json())["csrf_token"]
        again = await hub.http.post(
            f"/inbox/api/conversations/{conversation.id}/take",
            headers={"X-CSRF-Token": ana_csrf},
        )
        assert again.status == 404
        await ws.close()
    finally:
        await bo_client.close()


async def test_the_socket_refuses_strangers_and_other_sites(hub: HubHarness) -> None:
    await make_agent()
    with pytest.raises(aiohttp.WSServerHandshakeError) as no_session:
        await hub.http.ws_connect("/inbox/ws")
    assert no_session.value.status == 401
    await signed_in(hub.http)
    with pytest.raises(aiohttp.WSServerHandshakeError) as other_site:
        await hub.http.ws_connect("/inbox/ws", headers={"Origin": "https://evil.example"})
    assert other_site.value.status == 403


async def test_a_bad_resume_number_gets_a_reason(hub: HubHarness) -> None:
    await make_agent()
    await signed_in(hub.http)
    with pytest.raises(aiohttp.WSServerHandshakeError) as bad:
        await hub.http.ws_connect("/inbox/ws?epoch=x&after=soon")
    assert bad.value.status == 400
