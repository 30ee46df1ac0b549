"""A start that fails half-way closes what it had opened (one context per resource)."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from tortoise.exceptions import ConfigurationError

from config.loader import load_config
from hub.runtime import Resource, Runtime
from hub.store import db
from hub.web.app import create_app
from tests.support.harness import backend_settings

HUB_YAML = """\
name: Lifecycle
languages: [en]
default_language: en
inboxes:
  - {slug: web, kind: webchat}
"""


class StartFailed(Exception):
    pass


class _Broken(AbstractAsyncContextManager[None]):
    async def __aenter__(self) -> None:
        raise StartFailed("this resource cannot start")

    async def __aexit__(self, *exc: object) -> None:
        raise AssertionError("a resource that did not open must not be closed")


class BrokenRuntime(Runtime):
    """A real runtime whose resource after ``fail_after`` cannot start."""

    fail_after = "inboxes"

    def resources(self, *, migrate: bool | None = None) -> list[tuple[str, Resource]]:
        out = []
        for name, resource in super().resources(migrate=migrate):
            out.append((name, resource))
            if name == self.fail_after:
                out.append(("broken", _Broken))
        return out


def _runtime(tmp_path: Path) -> BrokenRuntime:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    (config_dir / "hub.yaml").write_text(HUB_YAML)
    settings = backend_settings("sqlite", tmp_path / "var", config_dir=config_dir)
    return BrokenRuntime(settings, load_config(config_dir), environ={})


def _closed(session: aiohttp.ClientSession) -> bool:
    return session.closed


def _local_workers() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("local-worker")]


async def _assert_earlier_resources_closed(runtime: Runtime) -> None:
    assert runtime.http is not None  # opened...
    assert runtime.http.closed  # ...then closed
    with pytest.raises(ConfigurationError):  # tortoise: no connection any more
        await db.ping()
    await asyncio.sleep(0)
    assert _local_workers() == []  # the queue's workers were stopped
    assert runtime.ctx.processor is None  # resources after the failure never opened
    assert runtime.ctx.writer is None


def test_every_resource_has_a_name_and_opens_in_order(tmp_path: Path) -> None:
    names = [name for name, _ in Runtime.resources(_runtime(tmp_path))]
    assert names[:2] == ["database", "http session"]
    assert len(names) == len(set(names))
    assert "broken" not in names


async def test_app_start_failing_half_way_closes_what_was_opened(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)
    runner = web.AppRunner(create_app(runtime))
    with pytest.raises(StartFailed):
        await runner.setup()
    # what `hub serve` does when setup fails: aiohttp closes the contexts that opened
    await runner.cleanup()
    await _assert_earlier_resources_closed(runtime)


async def test_runtime_start_failing_half_way_closes_what_was_opened(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)
    with pytest.raises(StartFailed):
        await runtime.start()
    await _assert_earlier_resources_closed(runtime)
    await runtime.close()  # nothing left to close: a no-op


async def test_a_started_app_closes_everything(tmp_path: Path) -> None:
    runtime = _runtime(tmp_path)
    runtime.fail_after = "none"
    runner = web.AppRunner(create_app(runtime))
    await runner.setup()
    assert runtime.http is not None
    assert not runtime.http.closed
    await db.ping()
    assert runtime.ctx.writer is not None
    await runner.cleanup()
    assert _closed(runtime.http)
    with pytest.raises(ConfigurationError):
        await db.ping()
    await asyncio.sleep(0)
    assert _local_workers() == []
