"""``hub events failed|retry|discard`` against a SQLite database of failed events."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from uuid_utils import uuid7

from config.settings import Settings
from hub.cli.main import main
from hub.inbound.failed_events import DISCARDED
from hub.store import db
from hub.store.models import EventStatus, InboundEvent, Inbox

SECRET_TEXT = "my card number is 4111"


async def _seed(settings: Settings) -> list[str]:
    await db.migrate(settings)
    await db.close_db()
    await db.init_db(settings)
    try:
        inbox = await Inbox.create(slug="api", kind="api")
        ids = []
        for n in range(2):
            event_id = str(uuid7())
            await InboundEvent.create(
                id=event_id,
                inbox_id=inbox.id,
                provider_event_id=f"m:{n}",
                order_key="c",
                kind="message",
                payload=f'{{"text": "{SECRET_TEXT}"}}',
                status=EventStatus.FAILED,
                attempts=5,
                error="ValueError: boom",
                received_at=datetime.now(UTC),
            )
            ids.append(event_id)
        return ids
    finally:
        await db.close_db()


async def _statuses(settings: Settings) -> dict[str, tuple[EventStatus, str | None, int]]:
    await db.init_db(settings)
    try:
        return {str(e.id): (e.status, e.error, e.attempts) for e in await InboundEvent.all()}
    finally:
        await db.close_db()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "var"


def _hub(data_dir: Path, *args: str) -> Result:
    env = {"HUB_DATA_DIR": str(data_dir), "HUB_DATABASE_URL": "", "HUB_REDIS_URL": ""}
    return CliRunner().invoke(main, ["events", *args], env=env, catch_exceptions=False)


def test_failed_events_are_listed_retried_and_discarded(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    first, second = asyncio.run(_seed(settings))
    listed = _hub(data_dir, "failed")
    assert listed.exit_code == 0, listed.output
    assert first in listed.output
    assert second in listed.output
    assert "ValueError: boom" in listed.output
    assert SECRET_TEXT not in listed.output  # never the payload
    assert _hub(data_dir, "retry", first).exit_code == 0
    assert _hub(data_dir, "discard", second).exit_code == 0
    after = asyncio.run(_statuses(settings))
    assert after[first] == (EventStatus.RECEIVED, None, 0)
    status, error, _ = after[second]
    assert status is EventStatus.IGNORED
    assert error == f"{DISCARDED}: ValueError: boom"


def test_retry_of_an_unknown_or_not_failed_event_exits_1_with_a_reason(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir)
    first, _ = asyncio.run(_seed(settings))
    assert _hub(data_dir, "retry", first).exit_code == 0
    again = _hub(data_dir, "retry", first)
    assert again.exit_code == 1
    assert again.output.strip() == f"event {first} is received, not failed"
    unknown = _hub(data_dir, "discard", "not-a-uuid")
    assert unknown.exit_code == 1
    assert "event ids are UUIDs" in unknown.output
    missing = _hub(data_dir, "discard", str(uuid7()))
    assert missing.exit_code == 1
    assert missing.output.startswith("no event ")
