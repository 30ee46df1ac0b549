"""Access can be taken away: revoked tokens, disabled agents and expired tokens get 401."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.auth import AccessError, create_api_token, revoke_tokens, set_agent_disabled
from hub.store.models import Agent, ApiToken
from tests.support.harness import HubHarness


async def _me(hub: HubHarness, token: str) -> int:
    response = await hub.http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    return int(response.status)


async def test_a_revoked_token_is_refused_and_the_others_still_work(embedded: HubHarness) -> None:
    agent = await Agent.create(email="ana@example.com", name="Ana")
    kept, revoked = await create_api_token(agent, "kept"), await create_api_token(agent, "old")
    assert await _me(embedded, revoked) == 200
    row = await ApiToken.get(name="old")
    assert await revoke_tokens(row.id) == 1
    assert await _me(embedded, revoked) == 401
    assert await _me(embedded, kept) == 200
    assert await revoke_tokens(email="ana@example.com") == 1
    assert await _me(embedded, kept) == 401
    with pytest.raises(AccessError):
        await revoke_tokens(999)


async def test_a_disabled_agent_is_refused_until_enabled(embedded: HubHarness) -> None:
    agent = await Agent.create(email="bo@example.com", name="Bo")
    token = await create_api_token(agent)
    await set_agent_disabled("BO@example.com", True)
    assert await _me(embedded, token) == 401
    await set_agent_disabled("bo@example.com", False)
    assert await _me(embedded, token) == 200
    with pytest.raises(AccessError):
        await set_agent_disabled("nobody@example.com", True)


async def test_a_token_past_its_own_expiry_is_refused(embedded: HubHarness) -> None:
    agent = await Agent.create(email="cy@example.com", name="Cy")
    short = await create_api_token(agent, expires_in=timedelta(hours=1))
    assert await _me(embedded, short) == 200
    await ApiToken.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert await _me(embedded, short) == 401


@pytest.fixture
async def ttl_hub(tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = HubHarness(tmp_path, settings_overrides={"token_ttl_days": 30})
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


async def test_hub_token_ttl_days_ends_old_tokens(ttl_hub: HubHarness) -> None:
    agent = await Agent.create(email="di@example.com", name="Di")
    token = await create_api_token(agent)
    assert await _me(ttl_hub, token) == 200
    await ApiToken.all().update(created_at=datetime.now(UTC) - timedelta(days=31))
    assert await _me(ttl_hub, token) == 401
