"""The ``hub`` command (also ``python -m hub``)."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
from datetime import timedelta

import click
from aiohttp import web

from config.errors import ConfigError
from config.loader import AppConfig, load_config
from config.settings import Settings
from hub import heap
from hub.cli.access import agents_disable, agents_enable, tokens_list, tokens_revoke
from hub.cli.channels import channels
from hub.cli.common import (
    config_option,
    fail,
    load_app_config,
    load_settings_for,
    run_long,
    setup_logging,
)
from hub.cli.escalation import escalation
from hub.cli.events import events
from hub.cli.export import export_command
from hub.cli.nlu import nlu
from hub.cli.passwords import agents_password, check_length
from hub.cli.simulate import simulate_command

log = logging.getLogger("hub")


@click.group()
def main() -> None:
    """Self-hosted messaging hub for customer support."""


@main.command()
@config_option
def check(config_dir: str | None) -> None:
    """Validate the config directory; every problem is printed as file:line: message."""
    settings = load_settings_for(config_dir)
    config = load_app_config(settings)
    click.echo(
        f"{settings.config_dir}: OK ({len(config.hub.inboxes)} inboxes, "
        f"{len(config.warnings)} warnings)"
    )


@main.command()
def migrate() -> None:
    """Apply database migrations (hub serve does this itself on SQLite)."""
    from hub.store import db

    settings = load_settings_for(None)

    async def run() -> None:
        await db.migrate(settings)
        await db.close_db()

    asyncio.run(run())
    click.echo("migrations applied")


@main.command()
@config_option
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
def serve(config_dir: str | None, host: str | None, port: int | None) -> None:
    """Serve webhooks, the web chat and the agent API."""
    settings = load_settings_for(config_dir)
    config = load_app_config(settings)
    setup_logging(settings)
    run_long(settings, _serve(settings, config, host or settings.host, port or settings.port))


async def _serve(settings: Settings, config: AppConfig, host: str, port: int) -> None:
    from hub.runtime import Runtime
    from hub.web.app import app_runner, create_app

    runtime = Runtime(settings, config)
    app = create_app(runtime)
    runner = app_runner(app, settings)
    try:
        await runner.setup()
        site = web.TCPSite(runner, host, port, reuse_port=True)
        await site.start()
    except BaseException:
        await runner.cleanup()  # closes the resources that did open, then the error shows
        raise
    pid_file = settings.data_dir / "hub.pid"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(str(os.getpid()))
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()

    async def reload() -> None:
        try:
            new = load_config(settings.config_dir)
        except ConfigError as exc:
            for problem in exc.problems:
                log.error("reload refused, keeping the running config: %s", problem)
            return
        heap.unsettle()  # the old config and models may now be freed
        try:
            await runtime.reload(new)
        finally:
            heap.settle()
        log.info("config reloaded (%s)", new.digest)

    loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(reload()))
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    log.info("%d objects from startup exempted from garbage collection", heap.settle())
    mode = "scaled (PostgreSQL/Redis)" if settings.redis_url else "embedded"
    log.info(
        "serving on http://%s:%d (%s mode, public URL %s)", host, port, mode, settings.public_url
    )
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        pid_file.unlink(missing_ok=True)


@main.command()
@config_option
@click.option("--burst", is_flag=True, help="exit when the queue is empty")
def worker(config_dir: str | None, burst: bool) -> None:
    """Run jobs from Redis (scaled mode)."""
    from hub.jobs.worker import build_worker

    settings = load_settings_for(config_dir)
    config = load_app_config(settings)
    setup_logging(settings)
    if not settings.redis_url:
        fail(["hub worker needs HUB_REDIS_URL (without it jobs run inside hub serve)"], 2)

    async def run() -> None:
        # arq binds the running loop when the worker is built: build it inside the loop
        built = build_worker(settings, config, burst=burst)
        try:
            # async_run, not main: arq stops on SIGTERM/SIGINT by cancelling the task it
            # records there (with main, a signal cancelled the jobs and the worker lived on)
            await built.async_run()
        except asyncio.CancelledError:
            log.info("hub worker stopped by a signal")
        finally:
            await built.close()

    run_long(settings, run())


@main.command()
def reload() -> None:
    """Ask the running hub serve (pid in HUB_DATA_DIR/hub.pid) to reload its config."""
    settings = load_settings_for(None)
    pid_file = settings.data_dir / "hub.pid"
    try:
        pid = int(pid_file.read_text())
    except (OSError, ValueError):
        fail([f"{pid_file}: no running hub serve found"], 1)
    os.kill(pid, signal.SIGHUP)
    click.echo(f"sent SIGHUP to {pid}")


@main.group()
def agents() -> None:
    """Manage agents."""


@agents.command("add")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["agent", "supervisor", "admin"]), default="agent")
@click.option("--password", default=None, help="for the inbox UI; omit for API-only agents")
def agents_add(email: str, name: str, role: str, password: str | None) -> None:
    from hub.auth import hash_password
    from hub.store import db
    from hub.store.models import Agent, AgentRole

    if password:
        check_length(password)
    settings = load_settings_for(None)

    async def run() -> None:
        await db.init_db(settings)
        try:
            if await Agent.filter(email=email.lower()).exists():
                fail([f"an agent with email {email} already exists"], 1)
            await Agent.create(
                email=email.lower(),
                name=name,
                role=AgentRole(role),
                password_hash=hash_password(password) if password else None,
            )
        finally:
            await db.close_db()

    asyncio.run(run())
    click.echo(f"agent {email} added ({role})")


@main.group()
def tokens() -> None:
    """Manage agent API tokens."""


@tokens.command("create")
@click.option("--agent", "email", required=True, help="the agent's email")
@click.option("--name", default="", help="what the token is for")
@click.option(
    "--expires-in-days",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="the token stops working after this many days",
)
def tokens_create(email: str, name: str, expires_in_days: float | None) -> None:
    """Print a new API token (shown once; only its hash is stored)."""
    from hub.auth import create_api_token
    from hub.store import db
    from hub.store.models import Agent

    settings = load_settings_for(None)

    async def run() -> str:
        await db.init_db(settings)
        try:
            agent = await Agent.get_or_none(email=email.lower())
            if agent is None:
                fail([f"no agent with email {email}"], 1)
            ttl = timedelta(days=expires_in_days) if expires_in_days else None
            return await create_api_token(agent, name, ttl)
        finally:
            await db.close_db()

    click.echo(asyncio.run(run()))


for command in (tokens_list, tokens_revoke):
    tokens.add_command(command)
for command in (agents_disable, agents_enable):
    agents.add_command(command)
main.add_command(channels)
main.add_command(nlu)
main.add_command(events)
main.add_command(escalation)
main.add_command(simulate_command)
main.add_command(export_command)
agents.add_command(agents_password)

if __name__ == "__main__":
    main()
