"""Fixtures of the channel tests: an HTTP session and the fake provider servers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.channels.adapters import TWILIO_SID
from tests.channels.deliveries import TWILIO_AUTH_TOKEN
from tests.fakes.providers import FakeGraph, FakeTelegram, FakeTwilio


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    async with FakeGraph() as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
async def twilio_api() -> AsyncIterator[FakeTwilio]:
    async with FakeTwilio(account_sid=TWILIO_SID, auth_token=TWILIO_AUTH_TOKEN) as fake:
        yield fake  # type: ignore[misc]


@pytest.fixture
async def telegram_api() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake  # type: ignore[misc]
