"""Nothing lost, nothing twice, across SIGKILL of the server and of a worker."""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis

from channels.signatures import hmac_sha256_hex
from hub.jobs.arq_backend import queue_name
from tests.support import services
from tests.support.callbacks import CallbackServer
from tests.support.harness import API_SECRET, HUB_YAML
from tests.support.processes import HubProcess, free_port, serve_env
from tests.support.wait import eventually

pytestmark = pytest.mark.slow


async def _config(tmp_path: Path, callback: CallbackServer) -> Path:
    url = await callback.start()
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "hub.yaml").write_text(HUB_YAML.format(callback_url=url))
    return config_dir


async def _post(session: aiohttp.ClientSession, base: str, body: dict[str, object]) -> int:
    raw = json.dumps(body).encode()
    headers = {"X-Hub-Signature-256": "sha256=" + hmac_sha256_hex(API_SECRET, raw)}
    async with session.post(f"{base}/webhooks/api", data=raw, headers=headers) as response:
        return response.status


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


async def test_server_killed_after_acknowledging_processes_everything_once(
    tmp_path: Path,
) -> None:
    callback = CallbackServer(API_SECRET)
    config_dir = await _config(tmp_path, callback)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = serve_env(tmp_path, config_dir, port, HUB_SECRET_KEY="k", TEST_API_SECRET=API_SECRET)
    n = 40
    # First life: ingest only (no job workers), so the kill lands after every ack and
    # before any processing.
    first = await HubProcess(["serve"], {**env, "HUB_JOB_WORKERS": "0"}, tmp_path / "a.log").start()
    try:
        await first.wait_http(f"{base}/healthz")
        async with aiohttp.ClientSession() as session:
            statuses = await asyncio.gather(
                *(
                    _post(session, base, {"id": f"m-{i}", "sender": {"id": f"c-{i}"}, "text": "hi"})
                    for i in range(n)
                )
            )
        assert statuses == [200] * n
    finally:
        await first.kill()
    db = tmp_path / "var" / "hub.sqlite3"
    assert _count(db, "SELECT count(*) FROM inbound_event WHERE status='received'") == n
    assert _count(db, "SELECT count(*) FROM message") == 0

    second = await HubProcess(["serve"], env, tmp_path / "b.log").start()
    try:
        await second.wait_http(f"{base}/healthz")

        async def all_sent() -> bool:
            return (
                len(callback.received) >= n
                and _count(db, "SELECT count(*) FROM outbox WHERE status='sent'") == n
            )

        await eventually(all_sent, timeout=30)
        await asyncio.sleep(0.5)  # anything sent twice would show up now
    finally:
        await second.stop()
        await callback.close()
    assert _count(db, "SELECT count(*) FROM inbound_event WHERE status='processed'") == n
    assert _count(db, "SELECT count(*) FROM message WHERE direction='in'") == n
    assert (
        _count(db, "SELECT count(DISTINCT provider_message_id) FROM message WHERE direction='in'")
        == n
    )
    assert len(callback.received) == n
    assert len({d.body["recipient"]["id"] for d in callback.received}) == n


async def _scaled(
    tmp_path: Path, callback: CallbackServer, port: int, **extra: str
) -> dict[str, str]:
    """The environment of scaled-mode processes on fresh PostgreSQL and Redis, migrated."""
    services.need("postgres")
    services.need("redis")
    await services.reset_postgres()
    await services.reset_redis()
    config_dir = await _config(tmp_path, callback)
    env = {
        "HUB_DATABASE_URL": services.POSTGRES_URL,
        "HUB_REDIS_URL": services.REDIS_URL,
        "HUB_REDIS_NAMESPACE": services.REDIS_NAMESPACE,
        **serve_env(tmp_path, config_dir, port),
        "HUB_SECRET_KEY": "k",
        "TEST_API_SECRET": API_SECRET,
        **extra,
    }
    migrate = await HubProcess(["migrate"], env, tmp_path / "m.log").start()
    assert migrate.proc is not None
    assert await migrate.proc.wait() == 0
    return env


async def test_worker_killed_while_sending_resumes_the_outbox(tmp_path: Path) -> None:
    callback = CallbackServer(API_SECRET, hang=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = await _scaled(tmp_path, callback, port, HUB_SEND_LEASE_S="2", HUB_SWEEP_INTERVAL_S="0.5")
    serve = await HubProcess(["serve"], env, tmp_path / "serve.log").start()
    worker = await HubProcess(["worker"], env, tmp_path / "w1.log").start()
    replacement: HubProcess | None = None
    try:
        await serve.wait_http(f"{base}/healthz")
        async with aiohttp.ClientSession() as session:
            body: dict[str, object] = {"id": "m-1", "sender": {"id": "c-1"}, "text": "hi"}
            assert await _post(session, base, body) == 200

        async def sending() -> bool:
            return callback.attempts == 1

        await eventually(sending, timeout=30)  # the worker is inside send(), waiting
        await worker.kill()
        callback.hang = False
        replacement = await HubProcess(["worker"], env, tmp_path / "w2.log").start()

        async def delivered() -> bool:
            return len(callback.received) == 1

        await eventually(delivered, timeout=30)
        await asyncio.sleep(1.0)
    finally:
        for proc in (worker, replacement, serve):
            if proc is not None:
                await proc.stop()
        await callback.close()
    assert len(callback.received) == 1
    assert callback.received[0].body["text"] == "Hello! How can we help?"


async def test_stopping_the_server_sends_connected_widgets_elsewhere(tmp_path: Path) -> None:
    callback = CallbackServer(API_SECRET)
    config_dir = await _config(tmp_path, callback)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = serve_env(tmp_path, config_dir, port, HUB_SECRET_KEY="k", TEST_API_SECRET=API_SECRET)
    server = await HubProcess(["serve"], env, tmp_path / "serve.log").start()
    try:
        await server.wait_http(f"{base}/healthz")
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{base}/api/webchat/web/sessions") as response:
                token = (await response.json())["token"]
            ws = await session.ws_connect(f"{base}/api/webchat/web/ws?token={token}")
            assert (await ws.receive_json())["type"] == "ready"
            assert server.proc is not None
            server.proc.send_signal(signal.SIGTERM)
            closing = await ws.receive()
            # 1001 "going away": the widget reconnects (elsewhere) instead of the server
            # holding its shutdown open for the socket
            assert closing.type is aiohttp.WSMsgType.CLOSE
            assert closing.data == aiohttp.WSCloseCode.GOING_AWAY
            assert await server.proc.wait() == 0
    finally:
        await server.kill()
        await callback.close()


async def test_a_worker_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    """What a process manager does on every deploy: SIGTERM, then wait for the exit."""
    callback = CallbackServer(API_SECRET)
    env = await _scaled(tmp_path, callback, free_port())
    worker = await HubProcess(["worker"], env, tmp_path / "w.log").start()
    redis = Redis.from_url(services.REDIS_URL)
    try:

        async def polling() -> bool:  # arq records its health on its first poll
            return bool(await redis.exists(f"{queue_name(services.REDIS_NAMESPACE)}:health-check"))

        await eventually(polling, timeout=30)
        assert worker.proc is not None
        worker.proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(worker.proc.wait(), 10) == 0
    finally:
        await worker.kill()
        await redis.aclose()
        await callback.close()
