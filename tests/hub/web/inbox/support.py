"""Signing in to the inbox from a test client, as the login page's script does."""

from __future__ import annotations

import re
from typing import Any

from aiohttp.test_utils import TestClient

from hub.auth import hash_password
from hub.store.models import Agent

PASSWORD = "correct horse battery"


async def make_agent(
    email: str = "ana@example.com", role: str = "agent", name: str = "Ana"
) -> Agent:
    return await Agent.create(
        email=email, name=name, role=role, password_hash=hash_password(PASSWORD)
    )


async def login_token(http: TestClient[Any, Any]) -> str:
    page = await (await http.get("/inbox/login")).text()
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found, page
    return found.group(1)


async def sign_in(
    http: TestClient[Any, Any], email: str = "ana@example.com", password: str = PASSWORD
) -> Any:
    token = await login_token(http)
    return await http.post(
        "/inbox/api/login",
        json={"email": email, "password": password},
        headers={"X-CSRF-Token": token},
    )


async def signed_in(http: TestClient[Any, Any], email: str = "ana@example.com") -> str:
    """Sign in and return the session's CSRF token."""
    response = await sign_in(http, email)
    assert response.status == 200, await response.text()
    return str((await response.json())["csrf_token"])
