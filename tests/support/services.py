"""Real PostgreSQL, Redis and Chromium for tests: skipped with a reason on a developer's
machine that lacks them, a failure where CI requires them (HUB_REQUIRE_SERVICES)."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

#: where to connect to create the test database (trust auth in CI and on dev machines)
POSTGRES_ADMIN_URL = os.environ.get(
    "HUB_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test"
)
#: each pytest process gets its own database and Redis db, so parallel runs never collide
TEST_DATABASE = f"hubtest_{os.getpid()}"
POSTGRES_URL = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + TEST_DATABASE
_REDIS_BASE = os.environ.get("HUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15").rsplit("/", 1)[0]
REDIS_URL = f"{_REDIS_BASE}/{1 + os.getpid() % 15}"
#: keys, queue and channels of this process's hubs never meet another run's
REDIS_NAMESPACE = f"hubtest{os.getpid()}"
CHROMIUM = Path(os.environ.get("HUB_TEST_CHROMIUM", "/usr/bin/chromium"))


def required(service: str) -> bool:
    return service in os.environ.get("HUB_REQUIRE_SERVICES", "").split(",")


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def need(service: str) -> None:
    """Skip (or fail, when CI requires the service) unless ``service`` is usable."""
    if service == "postgres":
        ok, where = _reachable(POSTGRES_URL, 5432), POSTGRES_URL
    elif service == "redis":
        ok, where = _reachable(REDIS_URL, 6379), REDIS_URL
    elif service == "browser":
        ok, where = CHROMIUM.exists(), str(CHROMIUM)
    else:
        raise ValueError(service)
    if ok:
        return
    message = f"{service} not available at {where}"
    if required(service):
        pytest.fail(f"{message}, and HUB_REQUIRE_SERVICES requires it")
    pytest.skip(message)


def _asyncpg(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


async def reset_postgres(url: str = POSTGRES_URL) -> None:
    """An empty schema in this process's own database (created on first use)."""
    import asyncpg

    admin = await asyncpg.connect(_asyncpg(POSTGRES_ADMIN_URL))
    try:
        exists = await admin.fetchval("SELECT 1 FROM pg_database WHERE datname=$1", TEST_DATABASE)
        if not exists:
            await admin.execute(f'CREATE DATABASE "{TEST_DATABASE}"')
    finally:
        await admin.close()
    conn = await asyncpg.connect(_asyncpg(url))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


async def reset_redis(url: str = REDIS_URL) -> None:
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    try:  # only this process's keys: other runs may share the Redis database
        keys = [k async for k in redis.scan_iter(match=f"*{REDIS_NAMESPACE}:*", count=1000)]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


async def drop_test_database() -> None:
    import asyncpg

    try:
        admin = await asyncpg.connect(_asyncpg(POSTGRES_ADMIN_URL))
    except OSError:
        return
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{TEST_DATABASE}" WITH (FORCE)')
    finally:
        await admin.close()
