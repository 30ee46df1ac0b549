"""Session-wide test setup."""

from __future__ import annotations

import asyncio

import pytest

from tests.support import services


@pytest.fixture(scope="session", autouse=True)
def _drop_the_test_database() -> object:
    """Each pytest process has its own PostgreSQL database; remove it at the end."""
    yield
    try:
        asyncio.run(services.drop_test_database())
    except Exception as exc:  # a missing server was already reported by the tests
        print(f"could not drop {services.TEST_DATABASE}: {exc}")
