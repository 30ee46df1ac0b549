"""A whole hub in the test process: real database, real queue, real HTTP server.

Backends: ``sqlite`` (embedded: SQLite + in-process queue), ``postgres`` (PostgreSQL +
in-process queue) and ``postgres+arq`` (PostgreSQL + arq on Redis with a real arq worker
consuming the queue).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from channels.signatures import hmac_sha256_hex
from config.loader import load_config
from config.settings import Settings
from hub.runtime import Runtime
from hub.store.models import EventStatus, InboundEvent, Outbox, OutboxStatus
from hub.web.app import create_app
from tests.support import services
from tests.support.callbacks import CallbackServer
from tests.support.wait import eventually

BACKENDS = ("sqlite", "postgres", "postgres+arq")
API_SECRET = "test-api-secret"

HUB_YAML = """\
name: Test hub
languages: [en, fr]
default_language: en
greeting:
  text: {{en: "Hello! How can we help?", fr: "Bonjour ! Comment pouvons-nous aider ?"}}
  buttons:
    - {{id: pricing, title: {{en: Pricing, fr: Tarifs}}}}
    - {{id: human, title: {{en: Talk to someone, fr: Parler à quelqu'un}}}}
inboxes:
  - {{slug: web, kind: webchat}}
  - slug: api
    kind: api
    callback_url: {callback_url}
    secrets: {{signing_secret: TEST_API_SECRET}}
outbox: {{max_attempts: 4, base_delay_s: 0.05, max_delay_s: 0.2}}
"""


def need_backend(backend: str) -> None:
    if backend.startswith("postgres"):
        services.need("postgres")
    if backend.endswith("+arq"):
        services.need("redis")


def backend_settings(backend: str, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "public_url": "http://hub.test",
        "secret_key": "test-secret-key",
        # long: a test must not pass because the sweeper rescued a lost job
        "sweep_interval_s": 60.0,
        "send_lease_s": 2.0,
    }
    if backend.startswith("postgres"):
        values["database_url"] = services.POSTGRES_URL
    if backend.endswith("+arq"):
        values["redis_url"] = services.REDIS_URL
        values["redis_namespace"] = services.REDIS_NAMESPACE
    values.update(overrides)
    return Settings(**values)


async def reset_backend(backend: str) -> None:
    if backend.startswith("postgres"):
        await services.reset_postgres()
    if backend.endswith("+arq"):
        await services.reset_redis()


@dataclass
class HubHarness:
    tmp_path: Path
    backend: str = "sqlite"
    hub_yaml: str = HUB_YAML
    settings_overrides: dict[str, Any] = field(default_factory=dict)
    #: extra environment for adapters (provider secrets named in ``hub_yaml``)
    environ: dict[str, str] = field(default_factory=dict)
    #: more config files (fields.yaml, rules.yaml...) written beside hub.yaml
    extra_files: dict[str, str] = field(default_factory=dict)
    callback: CallbackServer = field(default_factory=lambda: CallbackServer(API_SECRET))
    runtime: Runtime | None = None
    client: TestClient[Any, Any] | None = None
    _worker_task: asyncio.Task[Any] | None = None
    _worker: Any = None

    async def start(self) -> HubHarness:
        need_backend(self.backend)
        await reset_backend(self.backend)
        callback_url = await self.callback.start()
        config_dir = self.tmp_path / "config"
        config_dir.mkdir(exist_ok=True)
        (config_dir / "hub.yaml").write_text(self.hub_yaml.format(callback_url=callback_url))
        for name, text in self.extra_files.items():
            (config_dir / name).write_text(text)
        settings = backend_settings(
            self.backend, self.tmp_path / "var", config_dir=config_dir, **self.settings_overrides
        )
        config = load_config(config_dir)
        environ = {"TEST_API_SECRET": API_SECRET, **self.environ}
        self.runtime = Runtime(settings, config, environ=environ)
        app = create_app(self.runtime, start_runtime=False)
        await self.runtime.start(migrate=True)
        self.client = TestClient(TestServer(app, host="127.0.0.1"))
        await self.client.start_server()
        if self.backend.endswith("+arq"):
            from hub.jobs.worker import build_worker

            self._worker = build_worker(settings, config, runtime=self.runtime)
            self._worker_task = asyncio.create_task(self._worker.main())
        return self

    async def close(self) -> None:
        if self._worker_task is not None:
            self._worker_task.cancel()
            await asyncio.gather(self._worker_task, return_exceptions=True)
            await self._worker.close()
        if self.client is not None:
            await self.client.close()
        if self.runtime is not None:
            await self.runtime.close()
        await self.callback.close()

    @property
    def http(self) -> TestClient[Any, Any]:
        assert self.client is not None
        return self.client

    # --- API channel -------------------------------------------------------------------

    async def post_api(self, body: object, *, secret: str = API_SECRET, raw: bytes | None = None):
        data = raw if raw is not None else json.dumps(body).encode()
        signature = "sha256=" + hmac_sha256_hex(secret, data)
        return await self.http.post(
            "/webhooks/api",
            data=data,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
        )

    # --- web chat ----------------------------------------------------------------------

    async def visitor(self, inbox: str = "web") -> str:
        response = await self.http.post(f"/api/webchat/{inbox}/sessions")
        assert response.status == 201, await response.text()
        return str((await response.json())["token"])

    async def visitor_says(
        self,
        token: str,
        text: str | None = None,
        payload: str | None = None,
        client_id: str | None = None,
        inbox: str = "web",
    ):
        body: dict[str, Any] = {"client_id": client_id or uuid.uuid4().hex}
        if text is not None:
            body["text"] = text
        if payload is not None:
            body["payload"] = payload
        return await self.http.post(
            f"/api/webchat/{inbox}/messages",
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )

    # --- waiting -----------------------------------------------------------------------

    async def settled(self, timeout: float = 20.0) -> None:
        """Wait until every stored event is processed and every send has finished."""

        async def done() -> bool:
            pending_events = await InboundEvent.filter(status=EventStatus.RECEIVED).count()
            pending_sends = await Outbox.filter(
                status__in=[OutboxStatus.QUEUED, OutboxStatus.SENDING]
            ).count()
            return pending_events == 0 and pending_sends == 0

        await eventually(done, timeout=timeout)
