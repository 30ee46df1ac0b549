"""The aiohttp application: routes, middleware and the runtime's lifecycle."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from weakref import WeakSet

from aiohttp import web

from config.settings import Settings
from hub.auth import VisitorTokens, secret_key
from hub.runtime import Resource, Runtime
from hub.web import (
    agent_api,
    automation_api,
    events_api,
    health,
    media,
    openapi,
    webchat,
    webhooks,
)
from hub.web.errors import error_middleware
from hub.web.inbox import setup as setup_inbox
from hub.web.keys import OPEN_SOCKETS, RATE_LIMITS, RUNTIME, VISITOR_TOKENS
from hub.web.ratelimits import RequestLimits
from hub.web.request_ids import request_id_middleware


def _cleanup_context(
    resource: Resource,
) -> Callable[[web.Application], AbstractAsyncContextManager[None]]:
    return lambda app: resource()


def app_runner(app: web.Application, settings: Settings) -> web.AppRunner:
    """The server of ``app`` (no access log), set against slow clients: a connection gets
    ``header_timeout_s`` to send each request head (aiohttp's keep-alive timeout also
    covers the first), and after an answer sent early (a 408, a 413) the rest of an
    unread body is drained for at most a second instead of aiohttp's ten."""
    return web.AppRunner(
        app, access_log=None, keepalive_timeout=settings.header_timeout_s, lingering_time=1.0
    )


def create_app(runtime: Runtime, *, start_runtime: bool = True) -> web.Application:
    """Build the app; with ``start_runtime`` the runtime starts and stops with it."""
    app = web.Application(
        client_max_size=runtime.settings.max_body_bytes,
        middlewares=[request_id_middleware, error_middleware],
    )
    app[RUNTIME] = runtime
    app[RATE_LIMITS] = RequestLimits(lambda: runtime.config.hub.limits)
    app[VISITOR_TOKENS] = VisitorTokens(
        secret_key(runtime.settings), runtime.config.hub.visitor_token_days
    )
    for module in (
        webhooks,
        webchat,
        agent_api,
        automation_api,
        events_api,
        media,
        health,
        openapi,
    ):
        app.router.add_routes(module.routes)
    setup_inbox(app)  # the agent inbox at /inbox (hub/web/inbox)
    app.on_response_prepare.append(webchat.add_cors_headers)
    app[OPEN_SOCKETS] = WeakSet()
    app.on_shutdown.append(webchat.close_sockets)

    if start_runtime:
        # one cleanup context per resource: a start that fails half-way closes (in reverse
        # order) exactly those that were opened
        for _, resource in runtime.resources():
            app.cleanup_ctx.append(_cleanup_context(resource))
    return app
