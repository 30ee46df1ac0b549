"""Local fake provider servers (aiohttp on 127.0.0.1) that the real SDK clients talk to.

Each fake records every request (method, path, headers, decoded body) and answers like the
provider. Tests can queue failures — a 429 with a retry delay, a 500, any permanent error —
that are served, in order, to the next matching requests.
"""

from __future__ import annotations

import base64
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    body: bytes
    json: Any = None  #: decoded JSON body, if it was JSON
    form: dict[str, Any] = field(default_factory=dict)  #: form fields, JSON values decoded

    @property
    def fields(self) -> dict[str, Any]:
        """The request parameters, however they were encoded."""
        return self.json if isinstance(self.json, dict) else self.form


@dataclass
class Reply:
    status: int
    body: Any  #: JSON-able, or ``str`` sent as text/plain
    headers: dict[str, str] = field(default_factory=dict)
    path_contains: str = ""  #: only requests whose path contains this get the reply


class FakeProvider:
    """Base: recording, queued failures, a no-op route for baseline throughput."""

    name = "fake"

    def __init__(self, record: bool = True) -> None:
        self.requests: list[Recorded] = []
        self.record = record
        self._failures: deque[Reply] = deque()
        self._ids = itertools.count(1)
        self.app = web.Application()
        self.app.router.add_route("*", "/noop", self._noop)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def start(self) -> str:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeProvider:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- failures ---------------------------------------------------------------------------

    def queue(self, reply: Reply, times: int = 1) -> None:
        for _ in range(times):
            self._failures.append(reply)

    def _take_failure(self, path: str) -> Reply | None:
        for reply in list(self._failures):
            if reply.path_contains in path:
                self._failures.remove(reply)
                return reply
        return None

    # -- helpers ----------------------------------------------------------------------------

    async def _noop(self, request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"ok": True})

    async def _record(self, request: web.Request) -> Recorded:
        body = await request.read()
        decoded: Any = None
        form: dict[str, Any] = {}
        if request.content_type == "application/json" and body:
            decoded = json.loads(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            posted = await request.post()
            for key in posted:
                values = [_maybe_json(v) for v in posted.getall(key)]
                form[key] = values[0] if len(values) == 1 else values
        recorded = Recorded(
            method=request.method,
            path=request.path,
            headers=dict(request.headers),
            query=dict(request.query),
            body=body,
            json=decoded,
            form=form,
        )
        if self.record:
            self.requests.append(recorded)
        return recorded

    def next_id(self) -> int:
        return next(self._ids)

    @staticmethod
    def respond(reply: Reply) -> web.Response:
        if isinstance(reply.body, str):
            return web.Response(status=reply.status, text=reply.body, headers=reply.headers)
        return web.json_response(reply.body, status=reply.status, headers=reply.headers)


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeGraph(FakeProvider):
    """Meta Graph API: WhatsApp Cloud (JSON bodies) and Messenger Send API (form bodies)."""

    name = "graph"

    def __init__(self, access_tokens: tuple[str, ...] = ("WA_TOKEN", "PAGE_TOKEN"), **kw: Any):
        super().__init__(**kw)
        self.access_tokens = access_tokens
        self.media: dict[str, tuple[bytes, str]] = {
            "65463453": (b"\xff\xd8fake-jpeg", "image/jpeg")
        }
        self.app.router.add_post("/{version}/{node}/messages", self._messages)
        self.app.router.add_get("/media/{media_id}", self._media_bytes)
        self.app.router.add_get("/{version}/{media_id}", self._media_meta)

    def _authorised(self, recorded: Recorded) -> bool:
        bearer = recorded.headers.get("Authorization", "").removeprefix("Bearer ")
        token = bearer or recorded.fields.get("access_token") or recorded.query.get("access_token")
        return token in self.access_tokens

    async def _messages(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        failure = self._take_failure(request.path)
        if failure:
            return self.respond(failure)
        if not self._authorised(recorded):
            return self.respond(self.error_reply(190, "Invalid OAuth access token", status=401))
        number = self.next_id()
        if isinstance(recorded.json, dict):  # WhatsApp Cloud
            to = recorded.json.get("to")
            return web.json_response(
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": to, "wa_id": to}],
                    "messages": [{"id": f"wamid.FAKE{number}"}],
                }
            )
        recipient = recorded.form.get("recipient", {})
        return web.json_response(
            {"recipient_id": recipient.get("id"), "message_id": f"m_FAKE{number}"}
        )

    async def _media_meta(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        failure = self._take_failure(request.path)
        if failure:
            return self.respond(failure)
        if not self._authorised(recorded):
            return self.respond(self.error_reply(190, "Invalid OAuth access token", status=401))
        media_id = request.match_info["media_id"]
        if media_id not in self.media:
            return self.respond(self.error_reply(100, "Unsupported get request", status=400))
        content, mime = self.media[media_id]
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "url": f"{self.base_url}/media/{media_id}",
                "mime_type": mime,
                "file_size": len(content),
                "id": media_id,
            }
        )

    async def _media_bytes(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        if not self._authorised(recorded):
            return web.Response(status=401)
        content, mime = self.media[request.match_info["media_id"]]
        return web.Response(body=content, content_type=mime)

    @staticmethod
    def error_reply(
        code: int,
        message: str = "error",
        *,
        status: int = 400,
        subcode: int | None = None,
        retry_after: float | None = None,
        is_transient: bool = False,
    ) -> Reply:
        error: dict[str, Any] = {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AFAKETRACE",
        }
        if subcode is not None:
            error["error_subcode"] = subcode
        if is_transient:
            error["is_transient"] = True
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return Reply(status=status, body={"error": error}, headers=headers)

    def rate_limited(self, code: int = 130429, retry_after: float = 7) -> None:
        self.queue(self.error_reply(code, "Rate limit hit", status=429, retry_after=retry_after))

    def server_error(self, json_body: bool = True) -> None:
        if json_body:
            self.queue(
                self.error_reply(
                    2, "Service temporarily unavailable", status=500, is_transient=True
                )
            )
        else:
            self.queue(Reply(status=502, body="<html>Bad Gateway</html>"))

    def permanent(self, code: int, message: str = "error", subcode: int | None = None) -> None:
        self.queue(self.error_reply(code, message, subcode=subcode))


class FakeTwilio(FakeProvider):
    """Twilio REST API: ``POST /2010-04-01/Accounts/{sid}/Messages.json`` (form, Basic auth)."""

    name = "twilio"

    def __init__(self, account_sid: str = "AC_TEST", auth_token: str = "TW_TOKEN", **kw: Any):
        super().__init__(**kw)
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create)

    async def _create(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        failure = self._take_failure(request.path)
        if failure:
            return self.respond(failure)
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if recorded.headers.get("Authorization") != f"Basic {expected}":
            return self.respond(self.error_reply(20003, "Authenticate", status=401))
        sid = f"SM{self.next_id():032x}"
        form = recorded.form
        return web.json_response(
            {
                "sid": sid,
                "status": "queued",
                "to": form.get("To"),
                "from": form.get("From"),
                "body": form.get("Body"),
                "account_sid": request.match_info["sid"],
                "num_media": "0",
                "direction": "outbound-api",
            },
            status=201,
        )

    @staticmethod
    def error_reply(
        code: int, message: str = "error", *, status: int = 400, retry_after: float | None = None
    ) -> Reply:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        body = {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        return Reply(status=status, body=body, headers=headers)

    def rate_limited(self, retry_after: float = 7) -> None:
        self.queue(
            self.error_reply(20429, "Too Many Requests", status=429, retry_after=retry_after)
        )

    def server_error(self) -> None:
        self.queue(
            Reply(
                status=500, body={"code": 20500, "message": "Internal Server Error", "status": 500}
            )
        )

    def permanent(self, code: int, message: str = "error") -> None:
        self.queue(self.error_reply(code, message))


class FakeTelegram(FakeProvider):
    """Telegram Bot API: ``POST /bot{token}/{method}`` (JSON or form)."""

    name = "telegram"

    def __init__(self, token: str = "123:ABC", **kw: Any):
        super().__init__(**kw)
        self.token = token
        self.app.router.add_post("/bot{token}/{method}", self._method)

    def calls(self, method: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith(f"/{method}")]

    async def _method(self, request: web.Request) -> web.Response:
        recorded = await self._record(request)
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return self.respond(self.error_reply(401, "Unauthorized"))
        if method != "getMe":
            failure = self._take_failure(request.path)
            if failure:
                return self.respond(failure)
        fields = recorded.fields
        if method == "getMe":
            result: Any = {"id": 123, "is_bot": True, "first_name": "Fake", "username": "fake_bot"}
        elif method.startswith("send"):
            chat_id = int(fields.get("chat_id", 0))
            result = {
                "message_id": self.next_id(),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
            }
            if "text" in fields:
                result["text"] = fields["text"]
        else:
            result = True
        return web.json_response({"ok": True, "result": result})

    @staticmethod
    def error_reply(code: int, description: str, retry_after: int | None = None) -> Reply:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return Reply(status=code, body=body)

    def rate_limited(self, retry_after: int = 7) -> None:
        self.queue(
            self.error_reply(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        )

    def server_error(self) -> None:
        self.queue(self.error_reply(502, "Bad Gateway"))

    def permanent(self, code: int, description: str) -> None:
        self.queue(self.error_reply(code, description))
