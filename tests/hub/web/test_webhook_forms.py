"""Form webhooks (Twilio) are verified before their body is decoded: an unsigned body that
is not UTF-8 is refused like any unsigned body, never a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hub.store.models import InboundEvent
from tests.hub.inbound.test_provider_fixtures import Providers, provider_hub

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
async def providers(tmp_path: Path) -> AsyncIterator[Providers]:
    async with provider_hub(tmp_path) as providers:
        yield providers


@pytest.mark.parametrize(
    "body",
    [b"Body=\xff\xfe&From=%2B1555", b"\xc3\x28=\xa0\xa1", b"Body=%FF%FE&From=%2B1555"],
)
@pytest.mark.parametrize("signature", [None, "bm90LWEtc2lnbmF0dXJl"])
async def test_an_unsigned_form_that_is_not_utf8_is_refused(
    providers: Providers, body: bytes, signature: str | None
) -> None:
    headers = {"Content-Type": FORM}
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    response = await providers.hub.http.post("/webhooks/twilio", data=body, headers=headers)
    assert response.status in (401, 403), await response.text()
    assert "\n" not in (await response.json())["error"]
    assert await InboundEvent.all().count() == 0
