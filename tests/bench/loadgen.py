"""Load generator for the ingest benchmark; runs in its own process, prints one JSON line.

Modes:
- ``webhook``: signed API-channel webhooks from ``--senders`` customers, each request a new
  message id, on ``--concurrency`` connections for ``--duration`` seconds.
- ``webchat``: each message from a new visitor (session, web socket, post), timed from the
  post to the greeting arriving on the socket.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp

from channels.signatures import hmac_sha256_hex
from hub import event_loop


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def webhook_load(args: argparse.Namespace) -> dict[str, Any]:
    latencies: list[float] = []
    acked: list[str] = []
    errors = 0
    deadline = time.monotonic() + args.duration
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(index: int) -> None:
            nonlocal errors
            sender = f"bench-{index % args.senders}"
            while time.monotonic() < deadline:
                message_id = uuid.uuid4().hex
                raw = json.dumps(
                    {"id": message_id, "sender": {"id": sender}, "text": "hello"}
                ).encode()
                headers = {
                    "Content-Type": "application/json",
                    "X-Hub-Signature-256": "sha256=" + hmac_sha256_hex(args.secret, raw),
                }
                start = time.perf_counter()
                try:
                    async with session.post(args.url, data=raw, headers=headers) as response:
                        await response.read()
                        ok = response.status == 200
                except aiohttp.ClientError:
                    ok = False
                latencies.append(time.perf_counter() - start)
                if ok:
                    acked.append(message_id)
                else:
                    errors += 1

        started, cpu = time.monotonic(), time.process_time()
        await asyncio.gather(*(worker(i) for i in range(args.concurrency)))
        elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    return {
        "requests": len(latencies),
        "cpu_s": cpu,
        "acked": len(acked),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "acked_ids": acked if args.ids else [],
    }


async def webchat_load(args: argparse.Namespace) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + args.duration
    connector = aiohttp.TCPConnector(limit=args.concurrency * 2)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one_visitor() -> None:
            nonlocal errors
            async with session.post(f"{args.url}/api/webchat/{args.inbox}/sessions") as r:
                token = (await r.json())["token"]
            ws_url = f"{args.url}/api/webchat/{args.inbox}/ws?token={token}"
            async with session.ws_connect(ws_url) as ws:
                await ws.receive_json()  # ready
                start = time.perf_counter()
                async with session.post(
                    f"{args.url}/api/webchat/{args.inbox}/messages",
                    json={"client_id": "c1", "text": "hello"},
                    headers={"Authorization": f"Bearer {token}"},
                ) as response:
                    if response.status != 202:
                        errors += 1
                        return
                while True:
                    event = await asyncio.wait_for(ws.receive_json(), 30)
                    if event.get("type") == "message":
                        latencies.append(time.perf_counter() - start)
                        return

        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                try:
                    await one_visitor()
                except (aiohttp.ClientError, TimeoutError, ValueError):
                    errors += 1

        started, cpu = time.monotonic(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(args.concurrency)))
        elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    return {
        "messages": len(latencies),
        "cpu_s": cpu,
        "errors": errors,
        "msgs_per_s": len(latencies) / elapsed,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["webhook", "webchat"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--secret", default="")
    parser.add_argument("--inbox", default="demo")
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--senders", type=int, default=64)
    parser.add_argument("--ids", action="store_true", help="include the acknowledged ids")
    parser.add_argument("--out", help="write the JSON result to this file instead of stdout")
    args = parser.parse_args()
    run = webhook_load if args.mode == "webhook" else webchat_load
    # uvloop where installed: the generator's own overhead is what caps the baselines
    result = json.dumps(event_loop.run(run(args)))
    if args.out:  # a file, not a pipe: a result with every acknowledged id runs to megabytes
        Path(args.out).write_text(result)
    else:
        print(result)


if __name__ == "__main__":
    main()
