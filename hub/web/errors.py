"""Every error answer is JSON with a one-line reason; internals never leak."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from hub.errors import Forbidden, InvalidRequest, NotFound

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_response(status: int, reason: str) -> web.Response:
    one_line = " ".join(reason.split())[:500]
    return web.json_response({"error": one_line}, status=status)


async def read_json(request: web.Request) -> object:
    """The body as JSON, or a 400 that says what is wrong with it."""
    body = await request.read()
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidRequest(f"malformed JSON: {exc}") from None


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except NotFound as exc:
        return error_response(404, str(exc) or "not found")
    except Forbidden as exc:
        return error_response(403, str(exc) or "forbidden")
    except InvalidRequest as exc:
        return error_response(400, str(exc))
    except web.HTTPException as exc:
        if exc.status >= 400 and exc.content_type != "application/json":
            return error_response(exc.status, exc.text or exc.reason)
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal error")
