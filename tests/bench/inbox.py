"""The agent inbox: how fast a customer's message reaches an agent's socket, beside the
visitor's own push, and how fast the list answers over many stored conversations.

Run ``python -m tests.bench.inbox [--messages N] [--conversations C] [--json]``. One hub in
this process (SQLite, in-process jobs, a real HTTP server, ``tests.support.harness``):

- push: N web chat visitors write one message each, one after another; from the 202 of
  the visitor's POST, the time until the customer's message is on a signed-in agent's
  ``/inbox/ws`` (agent push) and until the bot's greeting is on the visitor's own socket
  (visitor push, the baseline: the web chat adapter pushes it directly);
- list: C conversations stored (bulk insert), then the default view a supervisor opens
  (``/inbox/api/conversations?view=all``, 50 rows, counts included) timed R times,
  beside the agent API's plain list (``/api/conversations?limit=50``) in the same run.

Sequential, not a steady load: it measures the path's latency, not its throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hub.auth import create_api_token
from hub.store.models import Agent, Contact, ContactIdentity, Conversation, Inbox
from tests.hub.web.inbox.support import make_agent, signed_in
from tests.support.harness import HubHarness


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _agent_sees(ws: Any, text: str, start: float) -> float:
    while True:
        event = await ws.receive_json()
        if event["type"] == "message" and event["data"].get("text") == text:
            return (time.perf_counter() - start) * 1000


async def _visitor_sees(ws: Any, start: float) -> float:
    while True:
        event = await ws.receive_json()
        if event.get("type") == "message":
            return (time.perf_counter() - start) * 1000


async def _push(hub: HubHarness, messages: int) -> tuple[list[float], list[float]]:
    agent_ms: list[float] = []
    visitor_ms: list[float] = []
    ws = await hub.http.ws_connect("/inbox/ws")
    await ws.receive_json()  # hello
    for n in range(messages):
        token = await hub.visitor()
        visitor_ws = await hub.http.ws_connect(f"/api/webchat/web/ws?token={token}")
        await visitor_ws.receive_json()  # ready
        text = f"bench message {n} {uuid.uuid4().hex[:6]}"
        answer = await hub.visitor_says(token, text)
        assert answer.status == 202
        start = time.perf_counter()

        seen = await asyncio.wait_for(
            asyncio.gather(_agent_sees(ws, text, start), _visitor_sees(visitor_ws, start)), 10
        )
        agent_ms.append(seen[0])
        visitor_ms.append(seen[1])
        await visitor_ws.close()
    await ws.close()
    return agent_ms, visitor_ms


async def _store(conversations: int) -> None:
    rng = random.Random(3)
    inbox = await Inbox.get(slug="web")
    await Contact.bulk_create([Contact(name=f"C {n}") for n in range(1000)])
    contacts = list(await Contact.filter(name__startswith="C ").order_by("id"))
    identities = [
        ContactIdentity(inbox_id=inbox.id, source_id=f"b{c.id}", contact_id=c.id) for c in contacts
    ]
    await ContactIdentity.bulk_create(identities, batch_size=1000)
    by_contact = {
        i.contact_id: i.id for i in await ContactIdentity.filter(source_id__startswith="b")
    }
    base = datetime.now(UTC) - timedelta(days=30)
    rows = []
    for n in range(conversations):
        contact = contacts[n % len(contacts)]
        status = rng.choices(["resolved", "queued", "assigned", "bot"], [80, 8, 7, 5])[0]
        rows.append(
            Conversation(
                contact_id=contact.id,
                inbox_id=inbox.id,
                identity_id=by_contact[contact.id],
                status=status,
                priority=rng.choice([0, 0, 0, 1, 2]),
                sla_due_at=base + timedelta(minutes=rng.randrange(60000))
                if status == "queued"
                else None,
                escalated_at=base + timedelta(minutes=rng.randrange(60000))
                if status != "bot"
                else None,
            )
        )
    await Conversation.bulk_create(rows, batch_size=5000)


async def _time(hub: HubHarness, path: str, headers: dict[str, str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = await hub.http.get(path, headers=headers)
        await response.read()
        assert response.status == 200, await response.text()
        times.append((time.perf_counter() - start) * 1000)
    return times


async def run(messages: int, conversations: int, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        hub = HubHarness(Path(tmp))
        await hub.start()
        try:
            await make_agent(role="supervisor")
            await signed_in(hub.http)
            agent_ms, visitor_ms = await _push(hub, messages)
            started = time.perf_counter()
            await _store(conversations)
            stored_s = time.perf_counter() - started
            supervisor = await Agent.get(email="ana@example.com")
            bearer = {"Authorization": f"Bearer {await create_api_token(supervisor)}"}
            inbox_ms = await _time(hub, "/inbox/api/conversations?view=all", {}, repeat)
            api_ms = await _time(hub, "/api/conversations?limit=50", bearer, repeat)
        finally:
            await hub.close()
    return {
        "messages": messages,
        "conversations": conversations,
        "store_s": round(stored_s, 1),
        "agent_push_p50_ms": round(statistics.median(agent_ms), 1),
        "agent_push_p99_ms": round(_pct(agent_ms, 0.99), 1),
        "visitor_push_p50_ms": round(statistics.median(visitor_ms), 1),
        "visitor_push_p99_ms": round(_pct(visitor_ms, 0.99), 1),
        "list_p50_ms": round(statistics.median(inbox_ms), 1),
        "list_p99_ms": round(_pct(inbox_ms, 0.99), 1),
        "baseline_api_list_p99_ms": round(_pct(api_ms, 0.99), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.inbox", description=__doc__)
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50, help="timed list requests")
    parser.add_argument("--json", action="store_true", help="last line: the figures as JSON")
    args = parser.parse_args()
    figures = asyncio.run(run(args.messages, args.conversations, args.repeat))
    print(
        f"agent push   p50 {figures['agent_push_p50_ms']:>7} ms  p99 "
        f"{figures['agent_push_p99_ms']:>7} ms  ({args.messages} messages)"
    )
    print(
        f"visitor push p50 {figures['visitor_push_p50_ms']:>7} ms  p99 "
        f"{figures['visitor_push_p99_ms']:>7} ms  (baseline, same run)"
    )
    print(
        f"inbox list   p50 {figures['list_p50_ms']:>7} ms  p99 {figures['list_p99_ms']:>7} ms "
        f"over {args.conversations} conversations (stored in {figures['store_s']} s); "
        f"agent API list p99 {figures['baseline_api_list_p99_ms']} ms (baseline)"
    )
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
