"""Inbox actions over HTTP: the snippet palette's previews, take-over races, resolve."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from hub.store.models import Contact, Conversation, Message
from hub.web.app import create_app
from tests.hub.web.inbox.support import make_agent, signed_in
from tests.support.harness import HubHarness

SNIPPETS = """\
snippets:
  - name: ticket-received
    shortcut: ack
    title: Ticket acknowledgement
    text:
      en: "Thanks {{ contact.first_name }}! Ticket #{{ ticket.id }} for {{ contact.email }}."
      fr: "Merci {{ contact.first_name }} ! Dossier #{{ ticket.id }}."
"""


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = HubHarness(tmp_path, extra_files={"snippets.yaml": SNIPPETS})
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


async def _conversation(hub: HubHarness, name: str = "Zoé Martin") -> Conversation:
    visitor = await hub.visitor()
    await hub.visitor_says(visitor, "hello")
    await hub.settled()
    await Contact.all().update(name=name)
    return await Conversation.get()


async def test_the_palette_previews_for_this_contact_in_its_language(hub: HubHarness) -> None:
    await make_agent()
    await signed_in(hub.http)
    conversation = await _conversation(hub)
    await Conversation.filter(id=conversation.id).update(language="fr")
    response = await hub.http.get(
        "/inbox/api/snippets", params={"q": "/ac", "conversation": str(conversation.id)}
    )
    assert response.status == 200, await response.text()
    [hit] = (await response.json())["hits"]
    assert hit["command"] == "ack"
    assert hit["matched"] == "shortcut"
    assert hit["language"] == "fr"
    assert hit["text"] == f"Merci Zoé ! Dossier #{conversation.id}."
    await Conversation.filter(id=conversation.id).update(language="en")
    english = await hub.http.get(
        "/inbox/api/snippets", params={"q": "ticket", "conversation": str(conversation.id)}
    )
    [hit] = (await english.json())["hits"]
    assert hit["matched"] == "title"
    assert hit["missing"] == ["contact.email"]  # the visitor left no email
    assert {"text": "", "empty": True} in hit["parts"]


async def test_the_palette_refuses_bad_or_foreign_conversations(hub: HubHarness) -> None:
    await make_agent()
    await signed_in(hub.http)
    missing = await hub.http.get("/inbox/api/snippets", params={"q": "ack"})
    assert missing.status == 400
    unknown = await hub.http.get("/inbox/api/snippets", params={"conversation": "999"})
    assert unknown.status == 404


async def test_two_agents_taking_at_once_cannot_both_win(hub: HubHarness) -> None:
    await make_agent()
    await make_agent(email="bo@example.com", name="Bo")
    conversation = await _conversation(hub)
    assert hub.runtime is not None
    other = TestClient(TestServer(create_app(hub.runtime, start_runtime=False)))
    await other.start_server()
    try:
        ana = await signed_in(hub.http)
        bo = await signed_in(other, "bo@example.com")
        path = f"/inbox/api/conversations/{conversation.id}/take"
        answers = await asyncio.gather(
            hub.http.post(path, headers={"X-CSRF-Token": ana}),
            other.post(path, headers={"X-CSRF-Token": bo}),
        )
        statuses = sorted(a.status for a in answers)
        assert statuses[0] == 200
        assert statuses[1] in (404, 409)  # lost the race: refused, never a silent steal
        winner = await Conversation.get(id=conversation.id)
        assert winner.status == "assigned"
        assert winner.assignee_id is not None
    finally:
        await other.close()


async def test_reply_then_resolve(hub: HubHarness) -> None:
    agent = await make_agent()
    csrf = await signed_in(hub.http)
    conversation = await _conversation(hub)
    headers = {"X-CSRF-Token": csrf}
    base = f"/inbox/api/conversations/{conversation.id}"
    sent = await hub.http.post(f"{base}/messages", json={"text": "Hi, Ana here"}, headers=headers)
    assert sent.status == 201, await sent.text()
    stored = await Message.get(text="Hi, Ana here")
    assert stored.agent_id == agent.id
    assert (await Conversation.get()).assignee_id == agent.id  # replying took it over
    empty = await hub.http.post(f"{base}/messages", json={"text": ""}, headers=headers)
    assert empty.status == 400
    done = await hub.http.post(f"{base}/resolve", headers=headers)
    assert done.status == 200
    assert (await done.json())["conversation"]["status"] == "resolved"
    again = await hub.http.post(f"{base}/resolve", headers=headers)
    assert again.status == 409
    closed = await hub.http.post(f"{base}/messages", json={"text": "late"}, headers=headers)
    assert closed.status == 403
