"""Sign-in and sign-out of the inbox: email and password (argon2), throttled.

The sign-in form has no session yet, so it is protected by a double-submit token: the
page carries it and an HttpOnly, SameSite=Strict cookie carries it again; a forged form
from another site has neither the page's copy nor (cross-site) the cookie. Wrong email
and wrong password get the same answer, and an unknown email still costs one hash, so
neither the answer nor its time says which accounts exist.
"""

from __future__ import annotations

import hmac
import secrets

from aiohttp import web
from pydantic import Field

from hub.auth import check_password, hash_password
from hub.store.models import Agent
from hub.web.agent_api import AGENT
from hub.web.errors import error_response, read_json
from hub.web.inbox.keys import LIMITER
from hub.web.inbox.pages import page
from hub.web.inbox.sessions import (
    COOKIE,
    COOKIE_PATH,
    CSRF_HEADER,
    SESSION_LIFETIME,
    end_session,
    same_origin,
    set_cookie,
    signed_in,
    start_session,
)
from hub.web.schemas import Body, parse_body

routes = web.RouteTableDef()
LOGIN_COOKIE = "hub_login_csrf"
#: verified against when the email is unknown, so that case costs what a real check costs
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


class LoginIn(Body):
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


@routes.get("/inbox/login")
async def login_page(request: web.Request) -> web.Response:
    token = secrets.token_urlsafe(32)
    response = page("login.html", {"csrf": token})
    set_cookie(response, request, LOGIN_COOKIE, token, max_age=3600, same_site="Strict")
    return response


@routes.post("/inbox/api/login")
async def login(request: web.Request) -> web.Response:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER, "")
    if not same_origin(request) or not cookie or not hmac.compare_digest(cookie, sent):
        raise web.HTTPForbidden(text=f"missing or wrong {CSRF_HEADER} header (reload the page)")
    body = parse_body(LoginIn, await read_json(request))
    email = body.email.strip().lower()
    address = request.remote or "unknown"
    limiter = request.app[LIMITER]
    wait = limiter.retry_after(email, address)
    if wait > 0:
        refused = error_response(429, "too many failed sign-ins; try again later")
        refused.headers["Retry-After"] = str(int(wait) + 1)
        return refused
    agent = await Agent.get_or_none(email=email)
    ok = check_password(agent.password_hash if agent else _DUMMY_HASH, body.password)
    if agent is None or not ok or agent.disabled_at is not None:
        limiter.failed(email, address)
        raise web.HTTPUnauthorized(text="wrong email or password")
    limiter.succeeded(email)
    session = await start_session(agent)
    response = web.json_response(
        {"id": agent.id, "name": agent.name, "role": agent.role, "csrf_token": session.csrf_token}
    )
    set_cookie(
        response, request, COOKIE, session.token, max_age=int(SESSION_LIFETIME.total_seconds())
    )
    response.del_cookie(LOGIN_COOKIE, path=COOKIE_PATH)
    return response


@routes.post("/inbox/api/logout")
@signed_in
async def logout(request: web.Request) -> web.Response:
    await end_session(request.cookies.get(COOKIE))
    response = web.json_response({"signed_out": request[AGENT].email})
    response.del_cookie(COOKIE, path=COOKIE_PATH)
    return response
