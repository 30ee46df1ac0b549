"""Fixtures of the hub tests: a whole hub per test, on each backend where asked."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.support.harness import BACKENDS, HubHarness


@pytest.fixture(params=BACKENDS)
async def hub(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[HubHarness]:
    """The same test on SQLite, PostgreSQL, and PostgreSQL with arq workers."""
    harness = HubHarness(tmp_path, backend=request.param)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()


@pytest.fixture
async def embedded(tmp_path: Path) -> AsyncIterator[HubHarness]:
    """Embedded mode only: for behaviour that does not depend on the backend."""
    harness = HubHarness(tmp_path)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.close()
