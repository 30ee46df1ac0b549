"""Real `hub serve` / `hub worker` processes for crash tests and the browser test."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_env(tmp_path: Path, config_dir: Path, port: int, **extra: str) -> dict[str, str]:
    """The environment of a `hub serve` child: its own data dir, config and port."""
    return {
        "HUB_DATA_DIR": str(tmp_path / "var"),
        "HUB_CONFIG_DIR": str(config_dir),
        "HUB_PORT": str(port),
        **extra,
    }


class HubProcess:
    """One `python -m hub ...` child; its output goes to a log file for post-mortems."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args = args
        self.env = env
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> HubProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(self.env)
        handle = self.log.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "hub",
            *self.args,
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=handle,
        )
        handle.close()
        return self

    async def wait_http(self, url: str, timeout: float = 30.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        async with aiohttp.ClientSession() as session:
            while True:
                assert self.proc is not None
                if self.proc.returncode is not None:
                    raise AssertionError(f"hub exited: {self.log.read_text()[-2000:]}")
                try:
                    async with session.get(url) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise AssertionError(f"hub not ready: {self.log.read_text()[-2000:]}")
                await asyncio.sleep(0.1)

    async def kill(self) -> None:
        """SIGKILL: no shutdown code runs, exactly like a crash."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                await self.kill()


async def run_cli(args: list[str], env: dict[str, str]) -> str:
    """Run `python -m hub ARGS` to completion; returns stdout, raises on failure."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    full.update(env)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub",
        *args,
        cwd=ROOT,
        env=full,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise AssertionError(f"hub {' '.join(args)} failed: {err.decode()[-1000:]}")
    return out.decode()
