"""Logs hold no customer text or phone number above DEBUG, on any error path, and error
lines are throttled; JSON lines and request ids for operators."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from hub.logs import REQUEST_ID, JsonFormatter, RequestIdFilter, Throttle, redact
from hub.store.models import InboundEvent
from tests.support.harness import HubHarness

SECRET = "my PIN is SECRETWORD"
PHONE = "+14155550123"


def test_throttle_allows_a_burst_per_window_and_counts_the_rest() -> None:
    throttle = Throttle(burst=2, window_s=10, max_keys=3)
    assert throttle.allow("a", now=0) == (True, 0)
    assert throttle.allow("a", now=1) == (True, 0)
    assert throttle.allow("a", now=2) == (False, 0)
    assert throttle.allow("a", now=3) == (False, 0)
    assert throttle.allow("b", now=3) == (True, 0)  # keys are independent
    assert throttle.allow("a", now=11) == (True, 2)  # a new window says what was dropped
    for key in "cdefg":
        throttle.allow(key, now=12)
    assert len(throttle._seen) == 3  # bounded memory


def test_redact_takes_phone_numbers_out() -> None:
    assert PHONE not in redact(f"The 'To' number {PHONE} is not valid")
    assert "4155550123" not in redact("call (415) 555-0123 now")
    assert redact("outbox 12 attempt 3") == "outbox 12 attempt 3"


def test_json_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("hub.x", logging.WARNING, __file__, 1, "hello %s", ("you",), None)
    token = REQUEST_ID.set("req-42")
    try:
        RequestIdFilter().filter(record)
    finally:
        REQUEST_ID.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "req-42"
    assert line["message"] == "hello you"
    assert line["level"] == "WARNING"


def _leaks(records: list[logging.LogRecord]) -> list[str]:
    found = []
    for record in records:
        if record.levelno < logging.INFO:
            continue
        text = record.getMessage() + (
            logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        )
        for needle in (SECRET, PHONE, PHONE[1:], "SECRETWORD"):
            if needle in text:
                found.append(f"{record.levelname} {record.name}: {text[:200]}")
    return found


async def test_bad_input_leaves_no_customer_text_or_phone_in_logs(
    embedded: HubHarness, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.DEBUG)
    http = embedded.http
    # malformed, unsigned, wrongly typed and oversized bodies, each quoting the customer
    await embedded.post_api(None, raw=f'{{"id": "m", "text": "{SECRET} {PHONE}"'.encode())
    await embedded.post_api({"id": "m", "sender": {"id": PHONE}, "text": [SECRET]})
    await embedded.post_api({"id": "m", "sender": PHONE, "text": SECRET})
    await http.post("/webhooks/api", data=json.dumps({"text": SECRET, "from": PHONE}))
    await embedded.post_api(None, raw=b'{"text": "' + SECRET.encode() + b'", "x": ' + b"[" * 3000)
    visitor = await embedded.visitor()
    for body in (
        {"client_id": "x", "text": 5},
        {"client_id": PHONE, "text": SECRET},
        {"text": SECRET},
    ):
        await http.post(
            "/api/webchat/web/messages", json=body, headers={"Authorization": f"Bearer {visitor}"}
        )
    # a processing failure whose exception quotes the message
    from hub.inbound import processing

    async def explode(ctx: Any, conn: Any, messages: Any) -> Any:
        raise ValueError(f"cannot handle {messages[0][1].text} from {messages[0][1].source_id}")

    monkeypatch.setattr(processing, "apply_messages", explode)
    response = await embedded.post_api({"id": "m-9", "sender": {"id": PHONE}, "text": SECRET})
    assert response.status == 200
    for _ in range(50):  # the first attempt (and its log line) happens at once
        if any("processing event" in r.getMessage() for r in caplog.records):
            break
        await asyncio.sleep(0.05)
    assert any("processing event" in r.getMessage() for r in caplog.records)
    assert _leaks(caplog.records) == []
    # and the tracebacks are there for whoever turns DEBUG on
    assert any(r.levelno == logging.DEBUG and r.exc_info for r in caplog.records)


async def test_every_answer_carries_a_request_id(embedded: HubHarness) -> None:
    response = await embedded.http.get("/healthz", headers={"X-Request-Id": "abc-123"})
    assert response.headers["X-Request-Id"] == "abc-123"
    fresh = await embedded.http.get("/healthz", headers={"X-Request-Id": "bad id\u00e9"})
    assert fresh.headers["X-Request-Id"] != "bad id\u00e9"
    assert len(fresh.headers["X-Request-Id"]) == 16


async def test_signed_provider_payloads_gone_wrong_leave_no_customer_data_in_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from tests.hub.inbound.test_provider_fixtures import (
        deliver,
        meta_post,
        provider_hub,
        twilio_post,
    )

    caplog.set_level(logging.DEBUG)
    wamid = {"from": PHONE[1:], "id": "wamid.leak1", "timestamp": "1700000000"}
    whatsapp_bodies: list[Any] = [
        {**wamid, "type": "text", "text": {"body": [SECRET]}},  # wrong type
        {
            **wamid,
            "id": "wamid.leak2",
            "type": "text",
            "text": {"body": SECRET},
            "timestamp": "inf",
        },
        {**wamid, "id": "wamid.leak3", "type": "text", "text": {"body": SECRET + "\u0000"}},
    ]
    async with provider_hub(tmp_path) as providers:
        for message in whatsapp_bodies:
            body = {
                "object": "whatsapp_business_account",
                "entry": [
                    {
                        "id": "0",
                        "changes": [
                            {
                                "field": "messages",
                                "value": {
                                    "messaging_product": "whatsapp",
                                    "metadata": {"phone_number_id": "not-ours"},
                                    "contacts": [{"wa_id": PHONE[1:]}],
                                    "messages": [message],
                                },
                            }
                        ],
                    }
                ],
            }
            response = await deliver(providers.hub, meta_post("whatsapp_cloud", body))
            assert response.status < 500
        for params in (
            {"AccountSid": "AC" + "0" * 32, "From": PHONE, "To": PHONE, "Body": SECRET},
            {"MessageSid": "SM1", "From": PHONE, "Body": SECRET, "NumMedia": "x"},
        ):
            response = await deliver(providers.hub, twilio_post(params), "twilio")
            assert response.status < 500
        await providers.hub.settled()
        # the payloads reached the parser (re-addressed to the inbox): items were stored
        assert await InboundEvent.all().count() >= 2
    assert _leaks(caplog.records) == []
