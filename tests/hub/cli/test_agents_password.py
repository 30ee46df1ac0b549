"""``hub agents password``: sets the inbox password, ends open sessions, refuses bad input."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from hub.auth import check_password
from hub.cli.main import main
from hub.store import db
from hub.store.inbox_models import AgentSession
from hub.store.models import Agent
from tests.support.harness import backend_settings


def _env(tmp_path: Path) -> dict[str, str]:
    return {"HUB_DATA_DIR": str(tmp_path / "var"), "HUB_SECRET_KEY": "k"}


def test_password_is_set_prompted_twice_and_sessions_end(tmp_path: Path) -> None:
    env = _env(tmp_path)
    runner = CliRunner()
    asyncio.run(db.migrate(backend_settings("sqlite", tmp_path / "var")))
    asyncio.run(db.close_db())
    added = runner.invoke(main, ["agents", "add", "--email", "Ana@x.io", "--name", "Ana"], env=env)
    assert added.exit_code == 0, added.output

    async def open_session() -> None:
        await db.init_db(backend_settings("sqlite", tmp_path / "var"))
        agent = await Agent.get()
        expires = datetime.now(UTC) + timedelta(hours=1)
        await AgentSession.create(
            id="x" * 64, agent_id=agent.id, csrf_token="c", expires_at=expires
        )
        await db.close_db()

    asyncio.run(open_session())
    result = runner.invoke(
        main, ["agents", "password", "ana@x.io"], input="s3cret-pass\ns3cret-pass\n", env=env
    )
    assert result.exit_code == 0, result.output
    assert "password set for ana@x.io" in result.output

    async def stored() -> tuple[str | None, int]:
        await db.init_db(backend_settings("sqlite", tmp_path / "var"))
        try:
            return (await Agent.get()).password_hash, await AgentSession.all().count()
        finally:
            await db.close_db()

    password_hash, sessions = asyncio.run(stored())
    assert check_password(password_hash, "s3cret-pass")
    assert sessions == 0


def test_unknown_agents_and_short_passwords_are_refused(tmp_path: Path) -> None:
    env = _env(tmp_path)
    asyncio.run(db.migrate(backend_settings("sqlite", tmp_path / "var")))
    asyncio.run(db.close_db())
    runner = CliRunner()
    unknown = runner.invoke(
        main, ["agents", "password", "nobody@x.io", "--password", "long-enough"], env=env
    )
    assert unknown.exit_code == 1
    assert "no agent with email nobody@x.io" in unknown.output
    short = runner.invoke(main, ["agents", "password", "a@x.io", "--password", "short"], env=env)
    assert short.exit_code == 2
    assert "at least 8 characters" in short.output
    add_short = runner.invoke(
        main,
        ["agents", "add", "--email", "b@x.io", "--name", "B", "--password", "short"],
        env=env,
    )
    assert add_short.exit_code == 2
