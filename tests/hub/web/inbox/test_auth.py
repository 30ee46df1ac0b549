"""Inbox sign-in: passwords, session cookies, CSRF, expiry, sign-out, throttling."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hub.auth import create_api_token
from hub.store.inbox_models import AgentSession
from hub.store.models import Agent
from tests.hub.web.inbox.support import PASSWORD, login_token, make_agent, sign_in, signed_in
from tests.support.harness import HubHarness


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = HubHarness(tmp_path)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


async def test_right_password_signs_in_with_a_locked_down_cookie(hub: HubHarness) -> None:
    await make_agent()
    response = await sign_in(hub.http)
    assert response.status == 200, await response.text()
    cookie = response.cookies["hub_session"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/inbox"
    assert not cookie["secure"]  # the harness's public URL is http
    me = await hub.http.get("/inbox/api/me")
    assert me.status == 200
    assert (await me.json())["email"] == "ana@example.com"
    # the session's row keeps only a digest of the cookie's token
    row = await AgentSession.get()
    assert row.id != cookie.value
    assert len(row.id) == 64


async def test_cookie_is_secure_when_the_public_url_is_https(tmp_path: Path) -> None:
    harness = HubHarness(tmp_path, settings_overrides={"public_url": "https://hub.test"})
    await harness.start()
    try:
        await make_agent()
        page = await harness.http.get("/inbox/login")
        assert page.cookies["hub_login_csrf"]["secure"] is True
        token = page.cookies["hub_login_csrf"].value
        # the client's jar (rightly) keeps a Secure cookie off plain http: send it by hand
        response = await harness.http.post(
            "/inbox/api/login",
            json={"email": "ana@example.com", "password": PASSWORD},
            headers={"X-CSRF-Token": token, "Cookie": f"hub_login_csrf={token}"},
        )
        assert response.status == 200, await response.text()
        assert response.cookies["hub_session"]["secure"] is True
    finally:
        await harness.close()


async def test_wrong_password_and_unknown_email_are_refused_alike(hub: HubHarness) -> None:
    await make_agent()
    wrong = await sign_in(hub.http, password="not the password")
    unknown = await sign_in(hub.http, email="nobody@example.com")
    assert wrong.status == unknown.status == 401
    assert (await wrong.json()) == (await unknown.json()) == {"error": "wrong email or password"}
    assert "hub_session" not in wrong.cookies
    assert (await hub.http.get("/inbox/api/me")).status == 401


async def test_sign_in_without_the_pages_csrf_token_is_refused(hub: HubHarness) -> None:
    await make_agent()
    await login_token(hub.http)  # the cookie half is there, the header is not
    response = await hub.http.post(
        "/inbox/api/login", json={"email": "ana@example.com", "password": PASSWORD}
    )
    assert response.status == 403
    forged = await hub.http.post(
        "/inbox/api/login",
        json={"email": "ana@example.com", "password": PASSWORD},
        headers={"X-CSRF-Token": "guessed"},
    )
    assert forged.status == 403


async def test_a_change_without_the_sessions_csrf_token_is_refused(hub: HubHarness) -> None:
    await make_agent()
    csrf = await signed_in(hub.http)
    token = await hub.visitor()
    await hub.visitor_says(token, "hello")
    await hub.settled()
    from hub.store.models import Conversation

    conversation = await Conversation.get()
    path = f"/inbox/api/conversations/{conversation.id}/take"
    missing = await hub.http.post(path)
    assert missing.status == 403
    assert "X-CSRF-Token" in (await missing.json())["error"]
    wrong = await hub.http.post(path, headers={"X-CSRF-Token": "x" + csrf})
    assert wrong.status == 403
    other_site = await hub.http.post(
        path, headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"}
    )
    assert other_site.status == 403
    assert (await Conversation.get()).assignee_id is None  # nothing happened
    ok = await hub.http.post(path, headers={"X-CSRF-Token": csrf})
    assert ok.status == 200, await ok.text()


async def test_an_expired_session_is_refused(hub: HubHarness) -> None:
    await make_agent()
    await signed_in(hub.http)
    await AgentSession.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    response = await hub.http.get("/inbox/api/me")
    assert response.status == 401
    assert await AgentSession.all().count() == 0  # and forgotten
    page = await hub.http.get("/inbox", allow_redirects=False)
    assert page.status == 302
    assert page.headers["Location"] == "/inbox/login"


async def test_sign_out_ends_the_session_even_for_a_copied_cookie(hub: HubHarness) -> None:
    await make_agent()
    csrf = await signed_in(hub.http)
    copied = hub.http.session.cookie_jar.filter_cookies(hub.http.make_url("/inbox"))["hub_session"]
    out = await hub.http.post("/inbox/api/logout", headers={"X-CSRF-Token": csrf})
    assert out.status == 200
    assert (await hub.http.get("/inbox/api/me")).status == 401
    replayed = await hub.http.get(
        "/inbox/api/me", headers={"Cookie": f"hub_session={copied.value}"}
    )
    assert replayed.status == 401


async def test_sign_out_needs_the_csrf_token(hub: HubHarness) -> None:
    await make_agent()
    await signed_in(hub.http)
    assert (await hub.http.post("/inbox/api/logout")).status == 403
    assert (await hub.http.get("/inbox/api/me")).status == 200


async def test_repeated_failures_are_throttled_per_email(hub: HubHarness) -> None:
    await make_agent()
    for _ in range(5):
        assert (await sign_in(hub.http, password="guess")).status == 401
    throttled = await sign_in(hub.http)  # even the right password waits now
    assert throttled.status == 429
    assert int(throttled.headers["Retry-After"]) > 0


async def test_api_tokens_keep_working_and_the_cookie_is_no_token(hub: HubHarness) -> None:
    agent = await make_agent()
    token = await create_api_token(agent)
    await signed_in(hub.http)
    # the session cookie is sent (same client) but /api/ still wants a bearer token
    assert (await hub.http.get("/api/me")).status == 401
    response = await hub.http.get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 200
    assert (await response.json())["email"] == "ana@example.com"


async def test_pages_carry_a_csp_without_inline_scripts(hub: HubHarness) -> None:
    await make_agent()
    login = await hub.http.get("/inbox/login")
    csp = login.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    await signed_in(hub.http)
    page = await hub.http.get("/inbox")
    assert page.status == 200
    assert "unsafe" not in page.headers["Content-Security-Policy"]
    assert "<script>" not in await page.text()  # modules by src only


async def test_malformed_sign_in_bodies_get_a_reason(hub: HubHarness) -> None:
    token = await login_token(hub.http)
    headers = {"X-CSRF-Token": token, "Content-Type": "application/json"}
    broken = await hub.http.post("/inbox/api/login", data=b"{not json", headers=headers)
    assert broken.status == 400
    assert "malformed JSON" in (await broken.json())["error"]
    extra = await hub.http.post(
        "/inbox/api/login", json={"email": "a@b.c", "password": "x", "admin": True}, headers=headers
    )
    assert extra.status == 400
    assert "admin" in (await extra.json())["error"]


async def test_a_disabled_agent_is_signed_out_and_cannot_sign_in_again(hub: HubHarness) -> None:
    agent = await make_agent()
    await signed_in(hub.http)
    assert (await hub.http.get("/inbox/api/me")).status == 200
    await Agent.filter(id=agent.id).update(disabled_at=datetime.now(UTC))
    assert (await hub.http.get("/inbox/api/me")).status == 401
    assert (await sign_in(hub.http)).status == 401
