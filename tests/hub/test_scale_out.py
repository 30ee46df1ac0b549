"""Scaled mode with real processes: two `hub serve` and a `hub worker` on PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from tests.support import services
from tests.support.callbacks import CallbackServer
from tests.support.harness import API_SECRET, HUB_YAML
from tests.support.processes import HubProcess, free_port, run_cli

pytestmark = pytest.mark.slow


async def test_a_visitor_on_one_server_gets_pushes_caused_through_another(
    tmp_path: Path,
) -> None:
    services.need("postgres")
    services.need("redis")
    await services.reset_postgres()
    await services.reset_redis()
    callback = CallbackServer(API_SECRET)
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "hub.yaml").write_text(HUB_YAML.format(callback_url=await callback.start()))
    env = {
        "HUB_DATABASE_URL": services.POSTGRES_URL,
        "HUB_REDIS_URL": services.REDIS_URL,
        "HUB_REDIS_NAMESPACE": services.REDIS_NAMESPACE,
        "HUB_CONFIG_DIR": str(config_dir),
        "HUB_SECRET_KEY": "shared-by-every-server",
        "TEST_API_SECRET": API_SECRET,
    }
    await run_cli(["migrate"], {**env, "HUB_DATA_DIR": str(tmp_path / "m")})
    ports = [free_port(), free_port()]
    servers = [
        await HubProcess(
            ["serve"],
            {**env, "HUB_PORT": str(p), "HUB_DATA_DIR": str(tmp_path / f"s{i}")},
            tmp_path / f"serve{i}.log",
        ).start()
        for i, p in enumerate(ports)
    ]
    worker = await HubProcess(
        ["worker"], {**env, "HUB_DATA_DIR": str(tmp_path / "w")}, tmp_path / "worker.log"
    ).start()
    a, b = (f"http://127.0.0.1:{p}" for p in ports)
    try:
        for server, base in zip(servers, (a, b), strict=True):
            await server.wait_http(f"{base}/healthz")
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{a}/api/webchat/web/sessions") as response:
                token = (await response.json())["token"]
            async with http.ws_connect(f"{a}/api/webchat/web/ws?token={token}") as ws:
                assert (await ws.receive_json(timeout=10))["type"] == "ready"
                # the visitor's message goes to server B (a load balancer's choice)
                async with http.post(
                    f"{b}/api/webchat/web/messages",
                    json={"client_id": "c1", "text": "hello"},
                    headers={"Authorization": f"Bearer {token}"},
                ) as response:
                    assert response.status == 202
                event = await ws.receive_json(timeout=20)
                assert event["type"] == "message"
                assert event["message"]["text"] == "Hello! How can we help?"
            # history is the same whichever server answers
            for base in (a, b):
                async with http.get(
                    f"{base}/api/webchat/web/messages",
                    headers={"Authorization": f"Bearer {token}"},
                ) as response:
                    texts = [m["text"] for m in (await response.json())["messages"]]
                assert texts == ["hello", "Hello! How can we help?"]
    finally:
        for proc in (*servers, worker):
            await proc.stop()
        await callback.close()
        await asyncio.sleep(0)
