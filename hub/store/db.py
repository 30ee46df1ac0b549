"""Database lifecycle: one tortoise config for SQLite (embedded) and PostgreSQL (scaled)."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.config_generator import expand_db_url
from tortoise.backends.base.executor import EXECUTOR_CACHE

from config.settings import Settings
from hub.store import sqlite_inline
from hub.store.sqlite_checkpoint import BACKSTOP_PAGES
from hub.store.sqlite_stats import seed_status_stats

MODELS = ["hub.store.models", "hub.store.automation_models", "hub.store.inbox_models"]
#: asyncpg's pool default (5) is held by a few processing transactions and leaves the
#: group-commit insert waiting; a URL that sets maxsize itself wins
POSTGRES_POOL_MAXSIZE = 20
#: the loop's own WAL checkpoint only as a backstop: the client's checkpointer takes them.
#: ``synchronous=FULL`` (``HUB_SQLITE_SYNCHRONOUS``): a commit is on disk before the
#: provider gets its 200; NORMAL in WAL mode can lose the last commits on a power cut or
#: OS crash, i.e. messages already acknowledged (group commit shares the fsync's cost)
SQLITE_PRAGMAS = {
    "synchronous": "FULL",
    "busy_timeout": 5000,
    "wal_autocheckpoint": BACKSTOP_PAGES,
}


def tortoise_config(database_url: str, sqlite_synchronous: str | None = None) -> dict[str, Any]:
    url = database_url
    if url.startswith("postgresql://"):
        url = "postgres://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://") and "maxsize=" not in url:
        url += ("&" if "?" in url else "?") + f"maxsize={POSTGRES_POOL_MAXSIZE}"
    connection: str | dict[str, Any] = url
    if url.startswith("sqlite://"):
        # tortoise's SQLite backend, its statements run on the loop's thread (see the module)
        connection = expand_db_url(url)
        connection["engine"] = sqlite_inline.ENGINE
        # set on every connection it opens, beside its own WAL and foreign keys (WAL lets
        # readers proceed while the group-commit writer writes); the URL's own win
        pragmas = dict(SQLITE_PRAGMAS)
        if sqlite_synchronous:
            pragmas["synchronous"] = sqlite_synchronous
        for pragma, value in pragmas.items():
            connection["credentials"].setdefault(pragma, value)
    return {
        "connections": {"default": connection},
        "apps": {"hub": {"models": MODELS, "migrations": "hub.store.migrations"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def database_url(settings: Settings) -> str:
    if settings.uses_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings.effective_database_url


async def init_db(settings: Settings) -> None:
    await Tortoise.init(config=tortoise_config(database_url(settings), settings.sqlite_synchronous))
    if settings.uses_sqlite:
        await seed_status_stats(connections.get("default"))


async def ping() -> None:
    """Raise unless the database answers a trivial query (the readiness check)."""
    await connections.get("default").execute_query("SELECT 1")


async def migrate(settings: Settings) -> None:
    """Apply pending migrations (tortoise's own migration framework)."""
    from tortoise.migrations.api.migrate import migrate as run_migrations

    await run_migrations(
        config=tortoise_config(database_url(settings), settings.sqlite_synchronous)
    )


async def close_db() -> None:
    await Tortoise.close_connections()
    # Tortoise caches SQL per connection *name*, not per dialect: forget it so the next init
    # in this process (another backend, as in the test matrix) builds its own queries.
    await Tortoise._reset_apps()
    EXECUTOR_CACHE.clear()


# Used by `tortoise -c hub.store.db.TORTOISE_ORM makemigrations` when the models change.
TORTOISE_ORM = tortoise_config("sqlite://var/makemigrations.sqlite3")
