"""Ingest benchmark: ``python -m tests.bench.ingest [--duration S] [--json]``.

In one run, each server in its own process and the load generator in another:
(a) a bare aiohttp handler that reads the body and returns 200 (the baseline),
(b) the hub's webhook endpoint with signed API-channel webhooks, embedded (SQLite) and then
    on PostgreSQL, reporting requests/s, p50, p99, the ratio b/a, and whether every
    acknowledged item was stored;
(c) end to end through the web chat: each message from a new visitor, timed from the post
    to the greeting arriving on the visitor's web socket; its baseline is the same protocol
    against handlers that push the greeting straight back (the load generator's and
    aiohttp's own ceiling on this machine).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil
from rich.console import Console
from rich.table import Table

from hub.event_loop import uvloop_installed
from tests.support import services
from tests.support.processes import ROOT, free_port

SECRET = "bench-secret"
HUB_YAML = """\
name: Bench hub
languages: [en]
greeting:
  text: {{en: "Hello! How can we help?"}}
  buttons:
    - {{id: pricing, title: {{en: Pricing}}}}
inboxes:
  - {{slug: demo, kind: webchat}}
  - slug: api
    kind: api
    callback_url: {callback_url}
    secrets: {{signing_secret: BENCH_API_SECRET}}
# the load generator is one IP with a handful of visitors: rate limits would measure 429s
limits: {{enabled: false}}
"""


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} not ready")


def _start(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    full.update(env or {})
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env=full,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _load(
    mode: str,
    url: str,
    duration: float,
    concurrency: int,
    server: subprocess.Popen[bytes],
    ids: bool = False,
) -> dict[str, Any]:
    """One load generator run against ``server``, with the CPU each side spent per request
    (the server's over the whole run, its threads included)."""
    command = [
        sys.executable,
        "-m",
        "tests.bench.loadgen",
        mode,
        "--url",
        url,
        "--secret",
        SECRET,
        "--duration",
        str(duration),
        "--concurrency",
        str(concurrency),
    ] + (["--ids"] if ids else [])
    serving = psutil.Process(server.pid)
    with tempfile.TemporaryDirectory(prefix="hub-load-") as tmp:
        out = Path(tmp) / "result.json"
        before = serving.cpu_times()
        subprocess.run(
            [*command, "--out", str(out)],
            cwd=ROOT,
            capture_output=True,
            check=True,
            timeout=duration + 120,
        )
        after = serving.cpu_times()
        result: dict[str, Any] = json.loads(out.read_text())
    served = max(1, int(result.get("requests", result.get("messages", 0))))
    server_cpu = (after.user - before.user) + (after.system - before.system)
    result["server_cpu_ms"] = server_cpu * 1000 / served
    result["loadgen_cpu_ms"] = float(result.pop("cpu_s")) * 1000 / served
    return result


def _stored_ids(database_url: str | None, db_file: Path) -> set[str]:
    if database_url is None:
        with sqlite3.connect(db_file) as conn:
            rows = conn.execute("SELECT provider_event_id FROM inbound_event").fetchall()
        return {r[0] for r in rows}

    async def fetch() -> set[str]:
        import asyncpg

        conn = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
        try:
            rows = await conn.fetch("SELECT provider_event_id FROM inbound_event")
        finally:
            await conn.close()
        return {r[0] for r in rows}

    return asyncio.run(fetch())


def _hub(
    workdir: Path, callback_url: str, database_url: str | None
) -> tuple[subprocess.Popen[bytes], str]:
    config = workdir / "config"
    config.mkdir(parents=True, exist_ok=True)
    (config / "hub.yaml").write_text(HUB_YAML.format(callback_url=callback_url))
    port = free_port()
    env = {
        "HUB_CONFIG_DIR": str(config),
        "HUB_DATA_DIR": str(workdir / "var"),
        "HUB_PORT": str(port),
        "HUB_LOG_LEVEL": "WARNING",
        "HUB_SECRET_KEY": "bench",
        "BENCH_API_SECRET": SECRET,
    }
    if database_url:
        env["HUB_DATABASE_URL"] = database_url
        subprocess.run(
            [sys.executable, "-m", "hub", "migrate"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            env={**{k: v for k, v in os.environ.items() if not k.startswith("HUB_")}, **env},
        )
    proc = _start(["-m", "hub", "serve"], env)
    base = f"http://127.0.0.1:{port}"
    _wait_http(f"{base}/healthz", proc)
    return proc, base


def _ingest_run(
    workdir: Path, callback_url: str, database_url: str | None, duration: float
) -> dict[str, Any]:
    proc, base = _hub(workdir, callback_url, database_url)
    try:
        result = _load("webhook", f"{base}/webhooks/api", duration, 64, proc, ids=True)
    finally:
        _stop(proc)
    acked = {f"m:{i}" for i in result.pop("acked_ids")}
    stored = _stored_ids(database_url, workdir / "var" / "hub.sqlite3")
    result["lost"] = len(acked - stored)
    return result


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median rate: its own p50 and p99 stay together."""
    key = _rate_key(runs[0])
    ordered = sorted(runs, key=lambda run: float(run[key]))
    median = dict(ordered[len(ordered) // 2])
    median["lost"] = sum(int(run.get("lost", 0)) for run in runs)
    return median


def _ratio(hub: list[dict[str, Any]], bare: list[dict[str, Any]], key: str) -> float:
    """The median of the ratios of runs made back to back: a shared machine's speed drifts
    by tens of percent within minutes, two neighbouring runs see about the same machine."""
    return statistics.median_high(
        float(h[key]) / max(float(b[key]), 1e-9) for h, b in zip(hub, bare, strict=True)
    )


def _rate_key(run: dict[str, Any]) -> str:
    """Webhook runs count requests, web chat runs messages."""
    return "rps" if "rps" in run else "msgs_per_s"


def _runs_table(
    title: str,
    unit: str,
    extra: tuple[str, ...],
    rows: list[tuple[str, dict[str, Any], float, list[str]]],
) -> Table:
    """One row a run (name, figures, ratio to its baseline, the ``extra`` cells): rate,
    latency, ratio, then the CPU each side spent per request."""
    table = Table(title=title)
    columns = ("run", f"{unit}/s", "p50 ms", "p99 ms", "ratio to bare", *extra)
    for column in (*columns, f"server CPU ms/{unit}", f"load gen CPU ms/{unit}"):
        table.add_column(column, justify="right")
    for name, run, ratio, cells in rows:
        table.add_row(
            name,
            f"{run[_rate_key(run)]:.0f}",
            f"{run['p50_ms']:.1f}",
            f"{run['p99_ms']:.1f}",
            f"{ratio:.2f}",
            *cells,
            f"{run['server_cpu_ms']:.3f}",
            f"{run['loadgen_cpu_ms']:.3f}",
        )
    return table


def _cpu_ceiling(run: dict[str, Any], cores: int) -> float:
    """The rate the CPU allows for a run's per-message costs: the server is one process (one
    core at most) and shares the machine's cores with the load generator."""
    server, loadgen = float(run["server_cpu_ms"]), float(run["loadgen_cpu_ms"])
    return min(1000 / max(server, 1e-9), cores * 1000 / max(server + loadgen, 1e-9))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per measurement")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="measure each pair (baseline, hub) this many times, back to back; medians reported",
    )
    parser.add_argument("--json", action="store_true", help="last line: one JSON object")
    args = parser.parse_args()
    console = Console(stderr=args.json)
    if not console.is_terminal:  # a log file or a pipe: rich would assume 80 columns
        console.width = 132
    bare_runs: list[dict[str, Any]] = []
    embedded_runs: list[dict[str, Any]] = []
    postgres_runs: list[dict[str, Any]] = []
    e2e_bare_runs: list[dict[str, Any]] = []
    e2e_runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="hub-bench-") as tmp:
        root = Path(tmp)
        bare_port = free_port()
        bare = _start(["-m", "tests.bench.bare_server", str(bare_port)])
        bare_base = f"http://127.0.0.1:{bare_port}"
        callback = f"{bare_base}/webhooks/callback"
        try:
            _wait_http(f"{bare_base}/healthz", bare)
            postgres_ok = True
            try:
                services.need("postgres")
            except BaseException as exc:  # skipped: no PostgreSQL here
                console.print(f"[yellow]PostgreSQL run skipped: {exc}[/yellow]")
                postgres_ok = False
            for rep in range(args.repeat):
                tag = f" ({rep + 1}/{args.repeat})" if args.repeat > 1 else ""
                console.print(f"measuring (a) bare aiohttp handler{tag}…")
                baseline = _load("webhook", f"{bare_base}/webhooks/api", args.duration, 64, bare)
                baseline.pop("acked_ids")
                bare_runs.append(baseline)
                console.print(f"measuring (b) hub webhook, embedded (SQLite){tag}…")
                embedded_runs.append(
                    _ingest_run(root / f"embedded{rep}", callback, None, args.duration)
                )
                if postgres_ok:
                    console.print(f"measuring (b) hub webhook, PostgreSQL{tag}…")
                    asyncio.run(services.reset_postgres())
                    postgres_runs.append(
                        _ingest_run(
                            root / f"postgres{rep}", callback, services.POSTGRES_URL, args.duration
                        )
                    )
                console.print(f"measuring (c) web chat protocol against the bare handlers{tag}…")
                e2e_bare_runs.append(_load("webchat", bare_base, args.duration, 64, bare))
                console.print(f"measuring (c) web chat end to end, embedded{tag}…")
                proc, base = _hub(root / f"e2e{rep}", callback, None)
                try:
                    e2e_runs.append(_load("webchat", base, args.duration, 64, proc))
                finally:
                    _stop(proc)
        finally:
            _stop(bare)

    baseline = _median_run(bare_runs)
    embedded = _median_run(embedded_runs)
    postgres = _median_run(postgres_runs) if postgres_runs else None
    e2e_baseline = _median_run(e2e_bare_runs)
    e2e = _median_run(e2e_runs)
    ratio_embedded = _ratio(embedded_runs, bare_runs, "rps")
    ratio_postgres = _ratio(postgres_runs, bare_runs, "rps") if postgres_runs else None
    e2e_ratio = _ratio(e2e_runs, e2e_bare_runs, "msgs_per_s")

    runs_note = f", median of {args.repeat} back-to-back pairs" if args.repeat > 1 else ""
    hub_runs = [("(b) hub, embedded", embedded, ratio_embedded)]
    if postgres is not None:
        hub_runs.append(("(b) hub, PostgreSQL", postgres, ratio_postgres or 0.0))
    console.print(
        _runs_table(
            f"Ingest benchmark (64 connections, load generator in its own process{runs_note})",
            "req",
            ("acked", "lost"),
            [("(a) bare aiohttp", baseline, 1.0, [str(baseline["acked"]), "-"])]
            + [
                (name, run, ratio, [str(run["acked"]), str(run["lost"])])
                for name, run, ratio in hub_runs
            ],
        )
    )
    console.print(
        _runs_table(
            "(c) web chat end to end: each message from a new visitor (session, web socket, "
            "post; contact, conversation, greeting back over the socket)",
            "msg",
            ("errors",),
            [
                ("do-nothing handlers", e2e_baseline, 1.0, [str(e2e_baseline["errors"])]),
                ("hub, embedded", e2e, e2e_ratio, [str(e2e["errors"])]),
            ],
        )
    )
    cores = os.cpu_count() or 1
    ceiling = _cpu_ceiling(e2e, cores)
    console.print(
        f"CPU ceiling of (c) on this machine's {cores} cores: the hub's process spends "
        f"{e2e['server_cpu_ms']:.2f} ms and the load generator {e2e['loadgen_cpu_ms']:.2f} ms "
        f"per message, so at most {ceiling:.0f} messages/s (one core for the hub's process, "
        f"{cores} for both); the do-nothing handlers alone would allow "
        f"{_cpu_ceiling(e2e_baseline, cores):.0f}"
    )
    figures = {
        "repeat": args.repeat,
        "baseline_rps": round(baseline["rps"], 1),
        "embedded_rps": round(embedded["rps"], 1),
        "ratio_embedded": round(ratio_embedded, 3),
        "p50_ms_embedded": round(embedded["p50_ms"], 2),
        "p99_ms_embedded": round(embedded["p99_ms"], 2),
        "postgres_rps": round(postgres["rps"], 1) if postgres else None,
        "ratio_postgres": round(ratio_postgres, 3) if ratio_postgres is not None else None,
        "p99_ms_postgres": round(postgres["p99_ms"], 2) if postgres else None,
        "e2e_msgs_per_s": round(e2e["msgs_per_s"], 1),
        "e2e_p50_ms": round(e2e["p50_ms"], 2),
        "e2e_p99_ms": round(e2e["p99_ms"], 2),
        "e2e_errors": sum(run["errors"] for run in e2e_runs),
        "e2e_baseline_msgs_per_s": round(e2e_baseline["msgs_per_s"], 1),
        "e2e_baseline_p99_ms": round(e2e_baseline["p99_ms"], 2),
        "e2e_ratio": round(e2e_ratio, 3),
        "baseline_cpu_ms_per_req": round(baseline["server_cpu_ms"], 3),
        "embedded_cpu_ms_per_req": round(embedded["server_cpu_ms"], 3),
        "e2e_cpu_ms_per_msg": round(e2e["server_cpu_ms"], 3),
        "e2e_loadgen_cpu_ms_per_msg": round(e2e["loadgen_cpu_ms"], 3),
        "e2e_baseline_cpu_ms_per_msg": round(e2e_baseline["server_cpu_ms"], 3),
        "e2e_cpu_ceiling_msgs_per_s": round(ceiling, 1),
        "event_loop": "uvloop" if uvloop_installed() else "asyncio",
        "lost": embedded["lost"] + (postgres["lost"] if postgres else 0),
    }
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
