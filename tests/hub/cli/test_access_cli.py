"""``hub tokens list|revoke`` and ``hub agents disable|enable`` through click's CliRunner."""

from __future__ import annotations

import asyncio
from pathlib import Path

from click.testing import CliRunner, Result

from config.settings import Settings
from hub.auth import agent_for_token, create_api_token
from hub.cli.main import main
from hub.store import db
from hub.store.models import Agent


def _hub(data_dir: Path, *args: str) -> Result:
    env = {"HUB_DATA_DIR": str(data_dir), "HUB_DATABASE_URL": "", "HUB_REDIS_URL": ""}
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


async def _seed(settings: Settings) -> str:
    await db.migrate(settings)
    await db.close_db()
    await db.init_db(settings)
    try:
        agent = await Agent.create(email="ana@example.com", name="Ana")
        return await create_api_token(agent, "laptop")
    finally:
        await db.close_db()


async def _works(settings: Settings, token: str) -> bool:
    await db.init_db(settings)
    try:
        return await agent_for_token(token) is not None
    finally:
        await db.close_db()


def test_disable_enable_list_and_revoke(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    settings = Settings(data_dir=data_dir)
    token = asyncio.run(_seed(settings))
    assert _hub(data_dir, "agents", "disable", "ana@example.com").exit_code == 0
    assert not asyncio.run(_works(settings, token))
    assert _hub(data_dir, "agents", "enable", "ana@example.com").exit_code == 0
    assert asyncio.run(_works(settings, token))
    listed = _hub(data_dir, "tokens", "list")
    assert listed.exit_code == 0
    assert listed.output.startswith("1 ana@example.com laptop ")
    assert token not in listed.output
    revoked = _hub(data_dir, "tokens", "revoke", "1")
    assert revoked.output.strip() == "1 token(s) revoked"
    assert not asyncio.run(_works(settings, token))


def test_unknown_names_exit_1_with_a_reason(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    asyncio.run(_seed(Settings(data_dir=data_dir)))
    missing = _hub(data_dir, "agents", "disable", "nobody@example.com")
    assert missing.exit_code == 1
    assert missing.output.strip() == "no agent with email nobody@example.com"
    assert _hub(data_dir, "tokens", "revoke", "42").output.strip() == "no token 42"
    assert _hub(data_dir, "tokens", "revoke").exit_code == 2
