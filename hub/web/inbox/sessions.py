"""Browser sessions of the inbox: a random token in an HttpOnly cookie, its row in the
database, and a synchronizer CSRF token that every state-changing request echoes.

Why both: the cookie alone would let any site make the browser act for the agent; the
CSRF token is only readable by the inbox's own pages (``/inbox/api/me`` answers it, and
no other origin may read that answer), so a forged request cannot carry it. The existing
bearer tokens of ``/api/`` are untouched: integrations keep using them, and the cookie is
never accepted there.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from aiohttp import web

from hub.store.inbox_models import AgentSession
from hub.store.models import Agent
from hub.web.agent_api import AGENT
from hub.web.keys import RUNTIME

COOKIE = "hub_session"
COOKIE_PATH = "/inbox"
CSRF_HEADER = "X-CSRF-Token"
SESSION_LIFETIME = timedelta(hours=12)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION = web.RequestKey("inbox_session", AgentSession)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class NewSession:
    token: str
    csrf_token: str
    expires_at: datetime


async def start_session(agent: Agent, now: datetime | None = None) -> NewSession:
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    await AgentSession.create(
        id=_digest(token), agent_id=agent.id, csrf_token=csrf, expires_at=expires
    )
    return NewSession(token, csrf, expires)


async def session_for(token: str | None) -> tuple[AgentSession, Agent] | None:
    """The live session of a cookie's token and its agent; None if unknown or expired."""
    if not token:
        return None
    row = await AgentSession.get_or_none(id=_digest(token))
    if row is None:
        return None
    if row.expires_at <= datetime.now(UTC):
        await AgentSession.filter(id=row.id).delete()
        return None
    agent = await Agent.get_or_none(id=row.agent_id)
    if agent is None or agent.disabled_at is not None:  # `hub agents disable` ends sessions too
        return None
    return row, agent


async def end_session(token: str | None) -> None:
    if token:
        await AgentSession.filter(id=_digest(token)).delete()


def secure_cookies(request: web.Request) -> bool:
    """Secure when the public URL is https (behind a TLS proxy the hub itself sees http)."""
    return request.app[RUNTIME].settings.public_url.startswith("https://")


def set_cookie(
    response: web.StreamResponse,
    request: web.Request,
    name: str,
    value: str,
    *,
    max_age: int,
    same_site: str = "Lax",
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        httponly=True,
        secure=secure_cookies(request),
        samesite=same_site,
    )


def same_origin(request: web.Request) -> bool:
    """A browser's Origin (when it sends one) names this hub: its public URL or the Host
    it was reached at. Checked on unsafe requests and on the socket's upgrade, which
    browsers let any site open with the agent's cookie."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    public = urlsplit(request.app[RUNTIME].settings.public_url).netloc
    return urlsplit(origin).netloc in {public, request.host}


def signed_in(handler: Handler) -> Handler:
    """Session-cookie auth for the inbox's own endpoints: the agent becomes
    ``request[AGENT]`` (the agent API's key, so its handlers can be reused), and an unsafe
    method must carry the session's CSRF token and come from this origin."""

    async def wrapper(request: web.Request) -> web.StreamResponse:
        found = await session_for(request.cookies.get(COOKIE))
        if found is None:
            raise web.HTTPUnauthorized(text="not signed in, or the session expired")
        row, agent = found
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not same_origin(request):
                raise web.HTTPForbidden(text="cross-origin request refused")
            if not sent or not hmac.compare_digest(sent, row.csrf_token):
                raise web.HTTPForbidden(text=f"missing or wrong {CSRF_HEADER} header")
        request[AGENT] = agent
        request[SESSION] = row
        return await handler(request)

    wrapper.__name__ = handler.__name__
    wrapper.__doc__ = handler.__doc__
    return wrapper
