"""A business's callback endpoint for the API channel: records deliveries, can fail on cue."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from channels.signatures import hmac_sha256_hex


@dataclass
class Delivery:
    body: dict[str, Any]
    signature_ok: bool
    delivery_id: str


@dataclass
class CallbackServer:
    secret: str
    #: statuses to answer before answering 200 (e.g. [500] = fail once)
    failures: list[int] = field(default_factory=list)
    hang: bool = False
    #: when set, every delivery waits for it (a send held "in flight")
    gate: asyncio.Event | None = None
    received: list[Delivery] = field(default_factory=list)
    attempts: int = 0
    server: TestServer | None = None

    async def _handle(self, request: web.Request) -> web.Response:
        self.attempts += 1
        raw = await request.read()
        if self.hang:
            await asyncio.sleep(3600)
        if self.gate is not None:
            await self.gate.wait()
        if self.failures:
            status = self.failures.pop(0)
            return web.Response(status=status, headers={"Retry-After": "0"})
        expected = "sha256=" + hmac_sha256_hex(self.secret, raw)
        self.received.append(
            Delivery(
                json.loads(raw),
                request.headers.get("X-Hub-Signature-256") == expected,
                request.headers.get("X-Hub-Delivery", ""),
            )
        )
        return web.json_response({"ok": True})

    async def start(self) -> str:
        app = web.Application()
        app.router.add_post("/callback", self._handle)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()
        return str(self.server.make_url("/callback"))

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()
