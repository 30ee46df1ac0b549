"""A site listed in the inbox's allowed_origins can embed the widget; others cannot."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.harness import HUB_YAML, HubHarness

SHOP = "https://shop.example"
YAML = HUB_YAML.replace(
    "  - {{slug: web, kind: webchat}}\n",
    "  - {{slug: web, kind: webchat, allowed_origins: ['https://shop.example']}}\n",
)


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubHarness]:
    assert YAML != HUB_YAML
    harness = HubHarness(tmp_path, hub_yaml=YAML)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


async def test_an_allowed_origin_passes_the_preflight_and_reads_answers(hub: HubHarness) -> None:
    preflight = await hub.http.options(
        "/api/webchat/web/messages",
        headers={"Origin": SHOP, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == SHOP
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    session = await hub.http.post("/api/webchat/web/sessions", headers={"Origin": SHOP})
    assert session.status == 201
    assert session.headers["Access-Control-Allow-Origin"] == SHOP
    refused = await hub.http.get(
        "/api/webchat/web/messages", headers={"Origin": SHOP, "Authorization": "Bearer forged"}
    )
    assert refused.status == 401  # errors are readable by the widget too
    assert refused.headers["Access-Control-Allow-Origin"] == SHOP


async def test_other_origins_get_no_cors_headers(hub: HubHarness) -> None:
    evil = "https://evil.example"
    preflight = await hub.http.options(
        "/api/webchat/web/messages",
        headers={"Origin": evil, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 403
    assert "Access-Control-Allow-Origin" not in preflight.headers
    session = await hub.http.post("/api/webchat/web/sessions", headers={"Origin": evil})
    assert "Access-Control-Allow-Origin" not in session.headers
    # same-origin use (no Origin header) is unchanged
    assert (await hub.http.post("/api/webchat/web/sessions")).status == 201
