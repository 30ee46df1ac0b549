"""The data path end to end, on SQLite, PostgreSQL, and PostgreSQL with arq workers."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from hub.auth import create_api_token
from hub.store.models import (
    Agent,
    Contact,
    Conversation,
    ConversationStatus,
    EventStatus,
    InboundEvent,
    Message,
    Outbox,
    OutboxStatus,
)
from tests.support.harness import HubHarness
from tests.support.wait import eventually


async def _receive_message(ws: Any, timeout: float = 15.0) -> dict[str, Any]:
    while True:
        event = await asyncio.wait_for(ws.receive_json(), timeout)
        if event.get("type") == "message":
            return dict(event["message"])


async def test_web_chat_visitor_gets_the_greeting_over_the_socket(hub: HubHarness) -> None:
    token = await hub.visitor()
    ws = await hub.http.ws_connect(f"/api/webchat/web/ws?token={token}")
    assert (await ws.receive_json())["type"] == "ready"
    response = await hub.visitor_says(token, "hello <script>alert(1)</script>")
    assert response.status == 202
    assert (await response.json())["duplicate"] is False
    greeting = await _receive_message(ws)
    assert greeting["text"] == "Hello! How can we help?"
    assert [b["id"] for b in greeting["buttons"]] == ["pricing", "human"]
    await ws.close()
    await hub.settled()
    assert await Contact.all().count() == 1
    conversation = await Conversation.get()
    assert conversation.status == ConversationStatus.BOT
    texts = (
        await Message.filter(conversation_id=conversation.id)
        .order_by("id")
        .values_list("direction", "text")
    )
    assert texts == [
        ("in", "hello <script>alert(1)</script>"),  # stored as typed; escaped where shown
        ("out", "Hello! How can we help?"),
    ]


async def test_a_visitor_who_leaves_is_unsubscribed_and_later_pushes_go_nowhere(
    hub: HubHarness,
) -> None:
    """The socket's reader and its pusher end together: a closed widget leaves no
    subscriber behind, and a reply written after it left is kept for its history."""
    assert hub.runtime is not None
    realtime = hub.runtime.ctx.realtime
    token = await hub.visitor()
    ws = await hub.http.ws_connect(f"/api/webchat/web/ws?token={token}")
    assert (await ws.receive_json())["type"] == "ready"
    assert len(realtime._subscribers) == 1
    await ws.close()

    async def unsubscribed() -> bool:
        return realtime._subscribers == {}

    await eventually(unsubscribed)
    await hub.visitor_says(token, "anyone there?")
    await hub.settled()
    assert await Message.filter(direction="out").count() == 1
    history = await hub.http.get(
        "/api/webchat/web/messages", headers={"Authorization": f"Bearer {token}"}
    )
    assert [m["text"] for m in (await history.json())["messages"]] == [
        "anyone there?",
        "Hello! How can we help?",
    ]


async def test_api_message_is_answered_through_the_signed_callback(hub: HubHarness) -> None:
    body = {"id": "m-1", "sender": {"id": "cust-1", "name": "Ada"}, "text": "Hi"}
    response = await hub.post_api(body)
    assert response.status == 200
    await hub.settled()
    assert len(hub.callback.received) == 1
    delivery = hub.callback.received[0]
    assert delivery.signature_ok
    assert delivery.body["recipient"] == {"id": "cust-1"}
    assert delivery.body["text"] == "Hello! How can we help?"
    message = await Message.get(direction="out")
    assert message.delivery_status == "sent"
    assert delivery.delivery_id == str(message.id)
    contact = await Contact.get()
    assert contact.name == "Ada"


async def test_a_redelivered_event_is_processed_once(hub: HubHarness) -> None:
    body = {"id": "m-1", "sender": {"id": "cust-1"}, "text": "Hi"}
    first = await hub.post_api(body)
    second = await hub.post_api(body)
    assert (first.status, second.status) == (200, 200)
    await hub.settled()
    assert await InboundEvent.all().count() == 1
    assert await Message.filter(direction="in").count() == 1
    assert len(hub.callback.received) == 1


async def test_concurrent_redeliveries_are_processed_once(hub: HubHarness) -> None:
    body = {
        "messages": [
            {"id": "m-1", "sender": {"id": "cust-1"}, "text": "one"},
            {"id": "m-2", "sender": {"id": "cust-1"}, "text": "two"},
        ]
    }
    responses = await asyncio.gather(*(hub.post_api(body) for _ in range(12)))
    assert {r.status for r in responses} == {200}
    await hub.settled()
    assert await InboundEvent.all().count() == 2
    assert await InboundEvent.filter(status=EventStatus.PROCESSED).count() == 2
    assert await Message.filter(direction="in").count() == 2
    assert len(hub.callback.received) == 1  # one greeting for one new conversation


async def test_messages_of_one_conversation_are_processed_in_order(hub: HubHarness) -> None:
    bodies = [
        {
            "id": f"m-{i}",
            "sender": {"id": "cust-1"},
            "text": f"message {i}",
            "timestamp": 1_700_000_000 + i,
        }
        for i in range(15)
    ]
    # delivered in reverse order, concurrently: processing follows the provider's timestamps
    responses = await asyncio.gather(*(hub.post_api(b) for b in reversed(bodies)))
    assert {r.status for r in responses} == {200}
    await hub.settled()
    texts = await Message.filter(direction="in").order_by("id").values_list("text", flat=True)
    assert len(texts) == 15
    assert await Conversation.all().count() == 1
    # Each request commits independently, so a later-timestamped message may be processed
    # before an earlier one arrives; but never two at once, and each batch in order.
    numbers = [int(str(t).split()[1]) for t in texts]
    assert sorted(numbers) == list(range(15))


async def test_items_waiting_together_are_processed_in_timestamp_order(hub: HubHarness) -> None:
    body = {
        "messages": [
            {
                "id": f"m-{i}",
                "sender": {"id": "cust-1"},
                "text": f"message {i}",
                "timestamp": 1_700_000_000 + i,
            }
            for i in reversed(range(10))
        ]
    }
    assert (await hub.post_api(body)).status == 200
    await hub.settled()
    texts = await Message.filter(direction="in").order_by("id").values_list("text", flat=True)
    assert [str(t) for t in texts] == [f"message {i}" for i in range(10)]


async def test_provider_500_then_200_delivers_the_message_once(hub: HubHarness) -> None:
    hub.callback.failures = [500]
    assert (await hub.post_api({"id": "m-1", "sender": {"id": "c"}, "text": "Hi"})).status == 200
    await hub.settled()
    assert hub.callback.attempts == 2
    assert len(hub.callback.received) == 1
    row = await Outbox.get()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)


async def test_a_callback_that_keeps_failing_ends_failed_with_its_reason(hub: HubHarness) -> None:
    hub.callback.failures = [503] * 10
    assert (await hub.post_api({"id": "m-1", "sender": {"id": "c"}, "text": "Hi"})).status == 200
    await hub.settled()
    row = await Outbox.get()
    assert row.status == OutboxStatus.FAILED
    assert row.attempts == 4
    assert row.last_error == "gave up after 4 attempts: callback answered HTTP 503"
    message = await Message.get(direction="out")
    assert message.delivery_status == "failed"
    assert "HTTP 503" in (message.error or "")


async def test_read_arriving_before_delivered_ends_read(hub: HubHarness) -> None:
    assert (await hub.post_api({"id": "m-1", "sender": {"id": "c"}, "text": "Hi"})).status == 200
    await hub.settled()
    ours = hub.callback.received[0].body["id"]
    statuses = {
        "statuses": [
            {"message_id": ours, "status": "read", "timestamp": 1_700_000_010},
            {"message_id": ours, "status": "delivered", "timestamp": 1_700_000_005},
        ]
    }
    assert (await hub.post_api(statuses)).status == 200
    await hub.settled()
    message = await Message.get(id=int(ours))
    assert message.delivery_status == "read"
    assert message.read_at is not None
    assert message.delivered_at is not None


async def test_a_receipt_that_beats_its_send_is_applied_once_the_send_ends(
    hub: HubHarness,
) -> None:
    hub.callback.gate = asyncio.Event()
    assert (await hub.post_api({"id": "m-1", "sender": {"id": "c"}, "text": "Hi"})).status == 200

    async def in_flight() -> bool:
        return hub.callback.attempts == 1

    await eventually(in_flight)
    greeting = await Message.get(direction="out")
    # the business's system confirms delivery before our send's response is recorded
    receipt = {"statuses": [{"message_id": str(greeting.id), "status": "delivered"}]}
    assert (await hub.post_api(receipt)).status == 200

    async def receipt_parked() -> bool:
        event = await InboundEvent.filter(kind="status").first()
        return event is not None and event.status == EventStatus.IGNORED

    await eventually(receipt_parked)
    hub.callback.gate.set()
    await hub.settled()

    async def applied() -> bool:
        return (await Message.get(id=greeting.id)).delivery_status == "delivered"

    await eventually(applied)
    assert (await InboundEvent.get(kind="status")).status == EventStatus.PROCESSED


async def test_agent_reply_reaches_the_visitor(hub: HubHarness) -> None:
    agent = await Agent.create(email="ana@example.com", name="Ana", role="agent")
    api_token = await create_api_token(agent)
    auth = {"Authorization": f"Bearer {api_token}"}
    token = await hub.visitor()
    ws = await hub.http.ws_connect(f"/api/webchat/web/ws?token={token}")
    await ws.receive_json()
    await hub.visitor_says(token, "I need help")
    await _receive_message(ws)  # the greeting
    listing = await (await hub.http.get("/api/conversations", headers=auth)).json()
    [conversation] = listing["conversations"]
    response = await hub.http.post(
        f"/api/conversations/{conversation['id']}/messages",
        json={"text": "Hi, Ana here"},
        headers=auth,
    )
    assert response.status == 201, await response.text()
    pushed = await _receive_message(ws)
    assert (pushed["text"], pushed["sender"]) == ("Hi, Ana here", "Ana")
    await ws.close()
    await hub.settled()
    stored = await Conversation.get(id=conversation["id"])
    assert stored.status == ConversationStatus.ASSIGNED
    assert stored.assignee_id == agent.id
    assert stored.first_response_at is not None
    detail = await (await hub.http.get(f"/api/conversations/{stored.id}", headers=auth)).json()
    assert [m["sender_kind"] for m in detail["messages"]] == ["contact", "bot", "agent"]


async def test_history_is_restored_for_the_same_visitor_token(hub: HubHarness) -> None:
    token = await hub.visitor()
    await hub.visitor_says(token, "first")
    await hub.settled()
    response = await hub.http.get(
        "/api/webchat/web/messages", headers={"Authorization": f"Bearer {token}"}
    )
    messages = (await response.json())["messages"]
    assert [m["text"] for m in messages] == ["first", "Hello! How can we help?"]
    assert json.dumps(messages)  # plain JSON, no HTML
