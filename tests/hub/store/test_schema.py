"""Migrations: the models and the migration files agree, and they apply on both databases."""

from __future__ import annotations

from pathlib import Path

from tortoise import Tortoise, connections
from tortoise.migrations.autodetector import MigrationAutodetector

from hub.store import db
from tests.support.harness import backend_settings, need_backend, reset_backend


async def test_models_and_migrations_are_in_sync(tmp_path: Path) -> None:
    settings = backend_settings("sqlite", tmp_path)
    await db.migrate(settings)
    await db.close_db()
    config = db.tortoise_config(settings.effective_database_url)
    await Tortoise.init(config=config)
    try:
        from tortoise import Tortoise as T

        apps = T.apps
        detector = MigrationAutodetector(apps, config["apps"])
        writers = await detector.changes()
        assert writers == [], (
            "models changed: run `tortoise -c hub.store.db.TORTOISE_ORM makemigrations`"
        )
    finally:
        await db.close_db()


async def _tables() -> set[str]:
    conn = connections.get("default")
    if conn.capabilities.dialect == "sqlite":
        rows = await conn.execute_query_dict("SELECT name FROM sqlite_master WHERE type='table'")
        return {r["name"] for r in rows}
    rows = await conn.execute_query_dict(
        "SELECT tablename AS name FROM pg_tables WHERE schemaname='public'"
    )
    return {r["name"] for r in rows}


async def test_migrations_apply_twice_on_sqlite_and_postgres(tmp_path: Path) -> None:
    for backend in ("sqlite", "postgres"):
        need_backend(backend)
        await reset_backend(backend)
        settings = backend_settings(backend, tmp_path / backend)
        for _ in range(2):  # idempotent: the second run applies nothing
            await db.migrate(settings)
            await db.close_db()
        await db.init_db(settings)
        try:
            assert {"inbound_event", "outbox", "conversation", "message"} <= await _tables()
        finally:
            await db.close_db()
