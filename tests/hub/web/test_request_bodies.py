"""Bodies of the agent and visitor APIs under the webhooks' limits: bounded nesting and
integers are a 400, and NUL or lone surrogates become U+FFFD on every backend (what the
channels do), so a reply is stored as it reads back."""

from __future__ import annotations

import pytest

from hub.auth import create_api_token
from hub.store.models import Agent, Conversation, Message
from tests.support.harness import HubHarness

DEEP = b'{"text": ' + b"[" * 5000 + b"]" * 5000 + b"}"
HUGE_INT = b'{"text": "hi", "x": ' + b"9" * 5000 + b"}"
NAN = b'{"text": "hi", "x": NaN}'


async def _conversation_and_token(hub: HubHarness) -> tuple[Conversation, str]:
    assert (await hub.post_api({"id": "m-1", "sender": {"id": "c"}, "text": "Hi"})).status == 200
    await hub.settled()
    conversation = await Conversation.all().first()
    assert conversation is not None
    agent = await Agent.create(email="sue@example.com", name="Sue", role="supervisor")
    return conversation, await create_api_token(agent)


@pytest.mark.parametrize("body", [DEEP, HUGE_INT, NAN, b"\xff\xfe", b'{"text": "a'])
async def test_bodies_past_the_limits_are_400(embedded: HubHarness, body: bytes) -> None:
    conversation, token = await _conversation_and_token(embedded)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    reply = await embedded.http.post(
        f"/api/conversations/{conversation.id}/messages", data=body, headers=headers
    )
    assert reply.status == 400, await reply.text()
    fields = await embedded.http.patch(
        f"/api/contacts/{conversation.contact_id}/fields", data=body, headers=headers
    )
    assert fields.status == 400
    visitor = await embedded.visitor()
    chat = await embedded.http.post(
        "/api/webchat/web/messages",
        data=body,
        headers={"Authorization": f"Bearer {visitor}", "Content-Type": "application/json"},
    )
    assert chat.status == 400


async def test_a_nul_or_lone_surrogate_in_a_reply_becomes_u_fffd(embedded: HubHarness) -> None:
    conversation, token = await _conversation_and_token(embedded)
    response = await embedded.http.post(
        f"/api/conversations/{conversation.id}/messages",
        data=b'{"text": "a\\u0000b\\ud83dc"}',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status == 201, await response.text()
    stored = await Message.filter(direction="out", sender_kind="agent").first()
    assert stored is not None
    assert stored.text == "a\ufffdb\ufffdc"
    assert (await response.json())["text"] == stored.text
