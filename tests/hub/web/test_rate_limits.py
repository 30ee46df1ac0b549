"""Rate limits: a client over its limit gets 429 with Retry-After, and nobody else does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from config.errors import ConfigError
from config.limits import LimitsDef, RateDef
from config.loader import load_config
from hub.auth import create_api_token
from hub.store.models import Agent
from hub.web.ratelimits import RateLimited, RequestLimits
from tests.support.harness import HUB_YAML, HubHarness

LIMITS = """\
limits:
  visitor_messages: {{count: 3, per_s: 60}}
  ip_messages: {{count: 5, per_s: 60}}
  ip_sessions: {{count: 4, per_s: 60}}
  agent_requests: {{count: 2, per_s: 60}}
"""


@pytest.fixture
async def limited(tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = HubHarness(tmp_path, hub_yaml=HUB_YAML + LIMITS)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


def test_a_refused_request_charges_no_bucket() -> None:
    now = [0.0]
    limits = RequestLimits(
        LimitsDef(
            visitor_messages=RateDef(count=1, per_s=10),
            ip_messages=RateDef(count=2, per_s=10),
        ),
        clock=lambda: now[0],
    )
    both = [("visitor_messages", "v1"), ("ip_messages", "1.2.3.4")]
    limits.check(both)
    with pytest.raises(RateLimited) as refused:
        limits.check(both)
    assert 9.9 < refused.value.retry_after <= 10
    # the refused request took no IP token: another visitor on that IP still passes once
    limits.check([("visitor_messages", "v2"), ("ip_messages", "1.2.3.4")])
    now[0] = 10.0
    limits.check(both)  # refilled


def test_disabled_limits_refuse_nothing() -> None:
    limits = RequestLimits(LimitsDef(enabled=False, agent_requests=RateDef(count=1, per_s=60)))
    for _ in range(10):
        limits.check([("agent_requests", "1")])


async def test_a_flooding_visitor_gets_429_and_another_visitor_does_not(
    limited: HubHarness,
) -> None:
    flooder, other = await limited.visitor(), await limited.visitor()
    statuses = [(await limited.visitor_says(flooder, f"spam {n}")).status for n in range(4)]
    assert statuses == [202, 202, 202, 429]
    refused = await limited.visitor_says(flooder, "more")
    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert (await refused.json())["error"].startswith("too many requests (visitor messages)")
    assert (await limited.visitor_says(other, "hello")).status == 202
    # the IP's budget (5) is now spent for everyone on it
    assert (await limited.visitor_says(other, "again")).status == 202
    assert (await limited.visitor_says(other, "and again")).status == 429


async def test_sessions_are_limited_per_ip(limited: HubHarness) -> None:
    statuses = [(await limited.http.post("/api/webchat/web/sessions")).status for _ in range(5)]
    assert statuses == [201, 201, 201, 201, 429]


async def test_agent_requests_are_limited_per_agent(limited: HubHarness) -> None:
    ana = await create_api_token(await Agent.create(email="ana@example.com", name="Ana"))
    bo = await create_api_token(await Agent.create(email="bo@example.com", name="Bo"))

    async def me(token: str) -> int:
        response = await limited.http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        return int(response.status)

    assert [await me(ana) for _ in range(3)] == [200, 200, 429]
    assert await me(bo) == 200


def test_a_bad_limit_is_a_config_error_with_its_line(tmp_path: Path) -> None:
    (tmp_path / "hub.yaml").write_text(
        "inboxes:\n  - {slug: web, kind: webchat}\n"
        "limits:\n  visitor_messages: {count: 0, per_s: 1}\n"
    )
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    problems = [str(p) for p in error.value.problems]
    assert any("hub.yaml:4" in p and "count" in p for p in problems), problems


def test_a_reloaded_config_brings_its_limits() -> None:
    config = [LimitsDef(agent_requests=RateDef(count=1, per_s=60))]
    limits = RequestLimits(lambda: config[0], clock=lambda: 0.0)
    limits.check([("agent_requests", "1")])
    with pytest.raises(RateLimited):
        limits.check([("agent_requests", "1")])
    config[0] = LimitsDef(agent_requests=RateDef(count=5, per_s=60))
    for _ in range(5):
        limits.check([("agent_requests", "1")])
