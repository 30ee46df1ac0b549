"""Slow clients are closed: a request head or body that does not arrive in time ends the
connection (408 for a body), and SQLite commits with synchronous=FULL by default."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from tortoise import connections

from config.loader import load_config
from hub.runtime import Runtime
from hub.web.app import app_runner, create_app
from tests.support.harness import HUB_YAML, HubHarness, backend_settings

GIVE_UP_S = 30.0  # far above the limits under test: only a connection left open fails


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[str, int]]:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "hub.yaml").write_text(HUB_YAML.format(callback_url="http://127.0.0.1:9/"))
    settings = backend_settings(
        "sqlite", tmp_path / "var", config_dir=config_dir, header_timeout_s=0.5, body_timeout_s=0.5
    )
    runtime = Runtime(settings, load_config(config_dir), environ={"TEST_API_SECRET": "s"})
    app = create_app(runtime, start_runtime=False)
    await runtime.start(migrate=True)
    runner = app_runner(app, settings)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield "127.0.0.1", port
    finally:
        await runner.cleanup()
        await runtime.close()


async def _read_until_closed(reader: asyncio.StreamReader) -> bytes:
    async with asyncio.timeout(GIVE_UP_S):
        return await reader.read()  # returns once the server closes the connection


async def test_a_slow_body_gets_408_and_the_connection_is_closed(
    server: tuple[str, int],
) -> None:
    reader, writer = await asyncio.open_connection(*server)
    writer.write(
        b"POST /webhooks/api HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 1000\r\n\r\n{"id": '
    )
    await writer.drain()
    answer = await _read_until_closed(reader)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 408"), answer[:100]


async def test_a_slow_request_head_is_closed(server: tuple[str, int]) -> None:
    reader, writer = await asyncio.open_connection(*server)
    writer.write(b"POST /webhooks/api HTTP/1.1\r\nHost: x\r\n")  # never ends its head
    await writer.drain()
    assert await _read_until_closed(reader) == b""
    writer.close()


async def test_sqlite_commits_with_synchronous_full_by_default(embedded: HubHarness) -> None:
    rows = await connections.get("default").execute_query_dict("PRAGMA synchronous")
    assert rows[0]["synchronous"] == 2  # FULL


@pytest.fixture
async def normal_sync(tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = HubHarness(tmp_path, settings_overrides={"sqlite_synchronous": "NORMAL"})
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


async def test_hub_sqlite_synchronous_changes_it(normal_sync: HubHarness) -> None:
    rows = await connections.get("default").execute_query_dict("PRAGMA synchronous")
    assert rows[0]["synchronous"] == 1  # NORMAL
