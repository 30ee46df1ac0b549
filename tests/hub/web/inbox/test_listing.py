"""The inbox's list: views, counts, visibility and keyset pages in the agents' order."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.store.models import Agent, Contact, ContactIdentity, Conversation, Inbox
from tests.hub.web.inbox.support import make_agent, signed_in
from tests.support.harness import HubHarness

FAR = datetime(9999, 1, 1, tzinfo=UTC)


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = HubHarness(tmp_path)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


async def _conversations(count: int, assignee: Agent | None = None) -> list[Conversation]:
    """``count`` queued conversations with mixed priorities, SLAs and escalation times."""
    rng = random.Random(7)
    inbox = await Inbox.get(slug="web")
    base = datetime(2026, 12, 1, tzinfo=UTC)
    made = []
    start = await Contact.all().count()
    for n in range(start, start + count):
        contact = await Contact.create(name=f"Customer {n}")
        identity = await ContactIdentity.create(inbox=inbox, source_id=f"v{n}", contact=contact)
        made.append(
            await Conversation.create(
                contact=contact,
                inbox=inbox,
                identity=identity,
                status="queued" if assignee is None else "assigned",
                assignee_id=assignee.id if assignee else None,
                priority=rng.choice([0, 0, 1, 2]),
                # few distinct values, so ties on every column are exercised
                sla_due_at=rng.choice([None, base, base + timedelta(hours=1)]),
                escalated_at=rng.choice([None, base, base + timedelta(minutes=5)]),
            )
        )
    return made


def _expected(rows: list[Conversation]) -> list[int]:
    return [
        c.id
        for c in sorted(
            rows,
            key=lambda c: (-c.priority, c.sla_due_at or FAR, c.escalated_at or FAR, c.id),
        )
    ]


async def test_pages_follow_priority_then_sla_then_waiting_without_gaps(hub: HubHarness) -> None:
    await make_agent(role="supervisor")
    await signed_in(hub.http)
    rows = await _conversations(23)
    seen: list[int] = []
    after = None
    for _ in range(10):
        query = {"view": "all", "status": "any", "limit": "4"}
        if after:
            query["after"] = after
        response = await hub.http.get("/inbox/api/conversations", params=query)
        assert response.status == 200, await response.text()
        body = await response.json()
        seen += [row["id"] for row in body["conversations"]]
        after = body["next"]
        if after is None:
            break
    assert seen == _expected(rows)
    first = body["conversations"][0]
    assert first["channel"] == "webchat"
    assert "waiting_since" in first


async def test_views_and_counts_for_an_agent(hub: HubHarness) -> None:
    ana = await make_agent()
    other = await make_agent(email="bo@example.com", name="Bo")
    await signed_in(hub.http)
    await _conversations(3)  # queued, unassigned
    mine = await _conversations(2, assignee=ana)
    await _conversations(1, assignee=other)
    body = await (await hub.http.get("/inbox/api/conversations", params={"view": "mine"})).json()
    assert {r["id"] for r in body["conversations"]} == {c.id for c in mine}
    assert body["counts"] == {"mine": 2, "unassigned": 3}
    unassigned = await hub.http.get("/inbox/api/conversations", params={"view": "unassigned"})
    assert len((await unassigned.json())["conversations"]) == 3
    # an agent has no "all" view, and cannot open a colleague's conversation by URL
    refused = await hub.http.get("/inbox/api/conversations", params={"view": "all"})
    assert refused.status == 403
    theirs = await Conversation.get(assignee_id=other.id)
    assert (await hub.http.get(f"/inbox/api/conversations/{theirs.id}")).status == 404


async def test_bad_list_parameters_get_a_reason(hub: HubHarness) -> None:
    await make_agent()
    await signed_in(hub.http)
    for query, reason in (
        ({"view": "everything"}, "view must be one of"),
        ({"status": "done"}, "status must be one of"),
        ({"after": "not-a-cursor"}, "bad cursor"),
        ({"after": "WzEsMl0"}, "bad cursor"),  # [1,2]: the wrong length
        ({"limit": "many"}, "limit must be an integer"),
    ):
        response = await hub.http.get("/inbox/api/conversations", params=query)
        assert response.status == 400, query
        assert reason in (await response.json())["error"]
