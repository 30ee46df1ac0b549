"""``hub events failed|retry|discard``: what processing gave up on, for an operator."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import click

from hub.cli.common import fail, load_settings_for


@click.group()
def events() -> None:
    """Look at, retry or discard failed inbound events."""


def _run(action: Callable[[], Awaitable[None]]) -> None:
    from hub.errors import HubError
    from hub.store import db

    settings = load_settings_for(None)

    async def run() -> str | None:
        await db.init_db(settings)
        try:
            await action()
        except HubError as exc:
            return str(exc)
        finally:
            await db.close_db()
        return None

    problem = asyncio.run(run())
    if problem is not None:
        fail([problem], 1)


@events.command("failed")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100)
def events_failed(limit: int) -> None:
    """List failed events, newest first (id, kind, attempts, reason; never the payload)."""
    from hub.inbound.failed_events import list_failed

    async def show() -> None:
        for event in await list_failed(limit):
            click.echo(
                f"{event.id} {event.received_at.isoformat()} {event.kind} "
                f"attempts={event.attempts} {event.error}"
            )

    _run(show)


@events.command("retry")
@click.argument("event_id")
def events_retry(event_id: str) -> None:
    """Process a failed event again (the running hub takes it within its sweep interval)."""
    from hub.inbound.failed_events import retry_event

    _run(lambda: retry_event(event_id))
    click.echo(f"event {event_id} will be processed again")


@events.command("discard")
@click.argument("event_id")
def events_discard(event_id: str) -> None:
    """Give up on a failed event for good (kept as ignored, with its reason)."""
    from hub.inbound.failed_events import discard_event

    _run(lambda: discard_event(event_id))
    click.echo(f"event {event_id} discarded")
