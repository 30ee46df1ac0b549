"""``GET /api/events/failed``: supervisors and admins see failed events, agents do not."""

from __future__ import annotations

from datetime import UTC, datetime

from uuid_utils import uuid7

from hub.auth import create_api_token
from hub.store.models import Agent, EventStatus, InboundEvent
from tests.support.harness import HubHarness


async def _failed_event(hub: HubHarness) -> str:
    inbox_id = hub.runtime.ctx.inboxes_by_slug["api"].id  # type: ignore[union-attr]
    event_id = str(uuid7())
    await InboundEvent.create(
        id=event_id,
        inbox_id=inbox_id,
        provider_event_id="m:x",
        order_key="c",
        kind="message",
        payload='{"text": "secret customer words"}',
        status=EventStatus.FAILED,
        attempts=5,
        error="ValueError: boom",
        received_at=datetime.now(UTC),
    )
    return event_id


async def _token(role: str) -> str:
    agent = await Agent.create(email=f"{role}@example.com", name=role, role=role)
    return await create_api_token(agent)


async def test_supervisors_and_admins_see_failed_events(embedded: HubHarness) -> None:
    event_id = await _failed_event(embedded)
    for role in ("supervisor", "admin"):
        response = await embedded.http.get(
            "/api/events/failed", headers={"Authorization": f"Bearer {await _token(role)}"}
        )
        assert response.status == 200, role
        body = await response.json()
        assert [e["id"] for e in body["events"]] == [event_id]
        assert body["events"][0]["inbox"] == "api"
        assert body["events"][0]["error"] == "ValueError: boom"
        assert "secret customer words" not in await response.text()


async def test_agents_get_403_and_nobody_without_a_token(embedded: HubHarness) -> None:
    await _failed_event(embedded)
    response = await embedded.http.get(
        "/api/events/failed", headers={"Authorization": f"Bearer {await _token('agent')}"}
    )
    assert response.status == 403
    assert (await embedded.http.get("/api/events/failed")).status == 401


async def test_bad_paging_is_400(embedded: HubHarness) -> None:
    token = await _token("admin")
    for query in ("limit=x", "before=yesterday"):
        response = await embedded.http.get(
            f"/api/events/failed?{query}", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status == 400, query
