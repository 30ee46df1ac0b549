"""Every error answer is JSON with a one-line reason; internals never leak."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from channels.errors import PayloadInvalid
from channels.wire import load_json
from hub.errors import BodyTimeout, Forbidden, InvalidRequest, NotFound
from hub.logs import failure
from hub.web.bodies import read_body
from hub.web.ratelimits import RateLimited, too_many

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def error_response(status: int, reason: str) -> web.Response:
    one_line = " ".join(reason.split())[:500]
    return web.json_response({"error": one_line}, status=status)


async def read_json(request: web.Request) -> object:
    """The body as JSON, or a 400 that says what is wrong with it. Parsed under the same
    limits as provider bodies (``channels.wire``: nesting depth, integer size, no NaN),
    and NUL or lone surrogates in strings become U+FFFD, so what is stored reads back the
    same on SQLite and PostgreSQL."""
    body = await read_body(request)
    try:
        return load_json(body)
    except PayloadInvalid as exc:
        raise InvalidRequest(exc.reason) from None


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
    except RateLimited as exc:
        return too_many(exc)
    except BodyTimeout as exc:
        response = error_response(408, str(exc))
        response.force_close()
        return response
    except web.HTTPException as exc:
        if exc.status >= 400 and exc.content_type != "application/json":
            return error_response(exc.status, exc.text or exc.reason)
        raise
    except Exception as exc:
        route = request.match_info.route.resource
        where = route.canonical if route is not None else "?"
        failure(log, f"{request.method} {where}", exc)
        return error_response(500, "internal error")
