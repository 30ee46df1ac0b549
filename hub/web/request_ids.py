"""A request id on every request: taken from ``X-Request-Id`` when a proxy set a sane one,
else made here; it is on every log record of the request and echoed in the answer, so an
operator can match a client's report to the log lines."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web

from hub.logs import REQUEST_ID

HEADER = "X-Request-Id"
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,64}")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    given = request.headers.get(HEADER, "")
    request_id = given if _SANE.fullmatch(given) else uuid.uuid4().hex[:16]
    token = REQUEST_ID.set(request_id)
    try:
        response = await handler(request)
        if not response.prepared:
            response.headers[HEADER] = request_id
        return response
    finally:
        REQUEST_ID.reset(token)
