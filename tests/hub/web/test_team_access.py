"""Team boundaries on every conversation endpoint: an agent outside a team cannot list,
read, reply to (take over), explain, download from or write the fields of that team's
unassigned conversations; its members can, supervisors and admins see everything."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub.auth import create_api_token
from hub.store.models import Agent, Conversation, ConversationStatus, Message
from tests.support.harness import HubHarness

TEAMS = """\
teams:
  - name: billing
    agents: [bea@example.com]
  - name: tech
    agents: [tom@example.com]
"""
ROLES = {
    "member": ("bea@example.com", "agent"),
    "outsider": ("tom@example.com", "agent"),
    "supervisor": ("sue@example.com", "supervisor"),
    "admin": ("ada@example.com", "admin"),
}


@pytest.fixture
async def teamed(tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = HubHarness(tmp_path, extra_files={"teams.yaml": TEAMS})
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


async def _billing_conversation(hub: HubHarness, sender: str) -> tuple[Conversation, Message]:
    body = {"id": f"m-{sender}", "sender": {"id": sender}, "text": "my invoice is wrong"}
    assert (await hub.post_api(body)).status == 200
    await hub.settled()
    message = await Message.filter(direction="in").order_by("-id").first()
    assert message is not None
    await Conversation.filter(id=message.conversation_id).update(
        team="billing", status=ConversationStatus.QUEUED, assignee_id=None
    )
    return await Conversation.get(id=message.conversation_id), message


async def _tokens() -> dict[str, str]:
    tokens = {}
    for role, (email, kind) in ROLES.items():
        agent = await Agent.create(email=email, name=role, role=kind)
        tokens[role] = await create_api_token(agent)
    return tokens


@pytest.mark.parametrize("role", list(ROLES))
async def test_reading_endpoints_respect_the_team(teamed: HubHarness, role: str) -> None:
    conversation, message = await _billing_conversation(teamed, "c-read")
    token = (await _tokens())[role]
    auth = {"Authorization": f"Bearer {token}"}
    http = teamed.http
    allowed = role != "outsider"
    listed = await http.get("/api/conversations", headers=auth)
    ids = [c["id"] for c in (await listed.json())["conversations"]]
    assert (conversation.id in ids) is allowed
    read = await http.get(f"/api/conversations/{conversation.id}", headers=auth)
    assert read.status == (200 if allowed else 404)
    explained = await http.get(f"/api/conversations/{conversation.id}/explanations", headers=auth)
    assert explained.status == (200 if allowed else 404)
    fields = await http.patch(
        f"/api/contacts/{conversation.contact_id}/fields",
        json={"fields": {"nickname": "x"}},
        headers=auth,
    )
    if allowed:
        assert fields.status != 404  # reached field validation (no such field: 400)
    else:
        assert fields.status == 404
    media = await http.get(f"/api/messages/{message.id}/attachments/0", headers=auth)
    assert media.status == 404
    reason = (await media.json())["error"]
    assert (reason == "no such message") is not allowed
    queue = await http.get("/api/teams/billing/conversations", headers=auth)
    if allowed:
        assert queue.status == 200
        assert [c["id"] for c in (await queue.json())["conversations"]] == [conversation.id]
    else:
        assert queue.status == 403


@pytest.mark.parametrize("role", list(ROLES))
async def test_only_members_and_supervisors_take_over(teamed: HubHarness, role: str) -> None:
    conversation, _ = await _billing_conversation(teamed, "c-take")
    token = (await _tokens())[role]
    response = await teamed.http.post(
        f"/api/conversations/{conversation.id}/messages",
        json={"text": "I can help"},
        headers={"Authorization": f"Bearer {token}"},
    )
    after = await Conversation.get(id=conversation.id)
    if role == "outsider":
        assert response.status == 404
        assert after.assignee_id is None
        assert after.status is ConversationStatus.QUEUED
    else:
        assert response.status == 201, await response.text()
        assert after.status is ConversationStatus.ASSIGNED


async def test_unassigned_conversations_of_no_team_stay_in_the_common_pool(
    teamed: HubHarness,
) -> None:
    assert (
        await teamed.post_api({"id": "m-x", "sender": {"id": "c-x"}, "text": "hi"})
    ).status == 200
    await teamed.settled()
    conversation = await Conversation.all().first()
    assert conversation is not None
    assert conversation.team is None
    token = (await _tokens())["outsider"]
    read = await teamed.http.get(
        f"/api/conversations/{conversation.id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert read.status == 200
