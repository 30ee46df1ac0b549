"""Channel adapters: parse+verify cost per item, and sends/s against the local fakes.

Run: ``python -m tests.bench.channels [--json] [--seconds S]``. Each channel takes a few
seconds. The baseline of each send figure is the fake's own no-op throughput (raw aiohttp
POSTs to its ``/noop`` route, same concurrency), measured in the same run; the ratio says how
much of the budget the SDK + adapter spend. Our own rate limiter is switched off for the send
figures (it would measure the provider's published limits, not the code).

The extra row ``whatsapp_cloud (pyfacebook)`` sends the same WhatsApp body through
``pyfacebook.GraphAPI`` in ``asyncio.to_thread``, the alternative the adapter did not take.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
from pyfacebook import GraphAPI
from rich.console import Console
from rich.table import Table

from channels.base import Button, ChannelAdapter, OutboundMessage
from channels.ratelimit import Limiter
from tests.channels import adapters
from tests.channels.deliveries import VECTOR, channel_of, deliveries
from tests.channels.expectations import CASES
from tests.channels.recipients import binding_of
from tests.fakes.providers import FakeGraph, FakeProvider, FakeTelegram, FakeTwilio

CONCURRENCY = 8
RECIPIENTS = {
    "whatsapp_cloud": "972987654321",
    "messenger": "1423587017700273",
    "twilio": "whatsapp:+558282136275",
    "telegram": "714862471",
}


def parse_cost(channel: str, seconds: float) -> tuple[float, int]:
    """Microseconds per item for verify + parse over every fixture of the channel."""
    posts = [
        (post, adapters.FACTORIES[channel](secret=post.secret, **binding_of(post)))
        for rel, case in CASES.items()
        if channel_of(rel) == channel and case.shape != VECTOR
        for post in deliveries(rel, case.shape)
    ]
    requests = [(post.request(), adapter) for post, adapter in posts]
    logging.disable(logging.WARNING)  # the unparseable Telegram samples warn on every pass
    items = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        for request, adapter in requests:
            adapter.verify(request)
            items += len(adapter.parse(request))
    elapsed = time.perf_counter() - started
    logging.disable(logging.NOTSET)
    return elapsed / items * 1e6, items


async def rate(call: Callable[[int], Awaitable[Any]], seconds: float) -> float:
    """Completed calls per second with CONCURRENCY callers for ``seconds``."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await call(done)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return done / (time.perf_counter() - started)


async def baseline(http: aiohttp.ClientSession, fake: FakeProvider, seconds: float) -> float:
    url = f"{fake.base_url}/noop"
    body = b'{"to":"x","text":"benchmark"}'

    async def call(_: int) -> None:
        async with http.post(url, data=body) as response:
            await response.read()

    return await rate(call, seconds)


def unlimited(adapter: ChannelAdapter) -> None:
    adapter.limiter = Limiter("bench: off")  # type: ignore[attr-defined]


def outbound(channel: str) -> OutboundMessage:
    return OutboundMessage(
        recipient=RECIPIENTS[channel],
        text="Your order #1234 ships tomorrow.",
        reference="bench",
        buttons=(Button("ok", "OK"), Button("help", "Help")),
        customer_last_message_at=datetime.now(UTC),
    )


async def send_rate(
    channel: str, http: aiohttp.ClientSession, fake: FakeProvider, seconds: float
) -> float:
    url = fake.base_url
    make = adapters.FACTORIES[channel]
    key = "graph_url" if channel in ("whatsapp_cloud", "messenger") else "api_url"
    adapter = make(http=http, **{key: url})
    unlimited(adapter)
    message = outbound(channel)
    try:
        await adapter.send(message)  # warm up (Telegram's getMe, connection pools)
        return await rate(lambda _: adapter.send(message), seconds)
    finally:
        await adapter.close()


async def pyfacebook_rate(fake: FakeGraph, seconds: float) -> float:
    api = GraphAPI(
        access_token="WA_TOKEN",
        app_secret="x",
        version="v24.0",
        base_url=fake.base_url + "/",
        sleep_on_rate_limit=False,
        timeout=15,
    )
    form = {
        "messaging_product": "whatsapp",
        "to": RECIPIENTS["whatsapp_cloud"],
        "type": "text",
        "text": json.dumps({"body": "Your order #1234 ships tomorrow."}),
    }

    def post() -> Any:
        return api.post_object(object_id="1122334455667", connection="messages", data=dict(form))

    try:
        return await rate(lambda _: asyncio.to_thread(post), seconds)
    finally:
        api.session.close()


FAKES: dict[str, Callable[[], FakeProvider]] = {
    "whatsapp_cloud": lambda: FakeGraph(record=False),
    "messenger": lambda: FakeGraph(record=False),
    "twilio": lambda: FakeTwilio(account_sid=adapters.TWILIO_SID, auth_token="12345", record=False),
    "telegram": lambda: FakeTelegram(record=False),
}


async def run(seconds: float) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    async with aiohttp.ClientSession() as http:
        for channel, make_fake in FAKES.items():
            per_item, items = parse_cost(channel, seconds / 3)
            async with make_fake() as fake:
                base = await baseline(http, fake, seconds / 3)
                sends = await send_rate(channel, http, fake, seconds / 3)
            figures[channel] = {
                "parse_verify_us_per_item": round(per_item, 2),
                "items_parsed": items,
                "sends_per_s": round(sends, 1),
                "fake_noop_per_s": round(base, 1),
                "ratio_vs_noop": round(sends / base, 3),
            }
        async with FakeGraph(record=False) as fake:
            base = await baseline(http, fake, seconds / 3)
            sends = await pyfacebook_rate(fake, seconds / 3)  # type: ignore[arg-type]
        figures["whatsapp_cloud via pyfacebook"] = {
            "sends_per_s": round(sends, 1),
            "fake_noop_per_s": round(base, 1),
            "ratio_vs_noop": round(sends / base, 3),
        }
    return figures


def table(figures: dict[str, dict[str, float]]) -> Table:
    out = Table(title=f"channel adapters (concurrency {CONCURRENCY}, own rate limiter off)")
    for column in ("channel", "parse+verify µs/item", "sends/s", "fake no-op/s", "ratio"):
        out.add_column(column, justify="left" if column == "channel" else "right")
    for channel, row in figures.items():
        per_item = row.get("parse_verify_us_per_item")
        out.add_row(
            channel,
            f"{per_item:.1f}" if per_item is not None else "-",
            f"{row['sends_per_s']:.0f}",
            f"{row['fake_noop_per_s']:.0f}",
            f"{row['ratio_vs_noop']:.2f}",
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    parser.add_argument("--seconds", type=float, default=3.0, help="budget per channel")
    args = parser.parse_args(argv)
    figures = asyncio.run(run(args.seconds))
    Console(stderr=args.json).print(table(figures))
    if args.json:
        print(json.dumps(figures, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
