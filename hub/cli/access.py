"""``hub tokens list|revoke`` and ``hub agents disable|enable``: taking access away.

Registered on the ``tokens`` and ``agents`` groups of :mod:`hub.cli.main`. A revoked token
or a disabled agent is refused on the next request (tokens are checked on every call).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import click

from hub.cli.common import fail, load_settings_for

T = TypeVar("T")


def _run(action: Callable[[], Awaitable[T]]) -> T:
    from hub.errors import HubError
    from hub.store import db

    settings = load_settings_for(None)

    async def run() -> T | HubError:
        await db.init_db(settings)
        try:
            return await action()
        except HubError as exc:
            return exc
        finally:
            await db.close_db()

    result = asyncio.run(run())
    if isinstance(result, HubError):
        fail([str(result)], 1)
    return result


def _when(at: datetime | None) -> str:
    return at.isoformat(timespec="seconds") if at else "-"


@click.command("list")
@click.option("--agent", "email", default=None, help="only this agent's tokens")
def tokens_list(email: str | None) -> None:
    """Tokens by id: agent, name, created, last used, expires, revoked (never the token)."""
    from hub.auth import list_tokens

    for t in _run(lambda: list_tokens(email)):
        click.echo(
            f"{t.id} {t.agent_email} {t.name or '-'} created={_when(t.created_at)} "
            f"used={_when(t.last_used_at)} expires={_when(t.expires_at)} "
            f"revoked={_when(t.revoked_at)}"
        )


@click.command("revoke")
@click.argument("token_id", type=click.IntRange(1, 2**63 - 1), required=False)
@click.option("--agent", "email", default=None, help="revoke every token of this agent")
def tokens_revoke(token_id: int | None, email: str | None) -> None:
    """Revoke token ID (see ``hub tokens list``), or all of an agent's with --agent."""
    from hub.auth import revoke_tokens

    if (token_id is None) == (email is None):
        fail(["name either a token id or --agent EMAIL"], 2)
    count = _run(lambda: revoke_tokens(token_id, email))
    click.echo(f"{count} token(s) revoked")


@click.command("disable")
@click.argument("email")
def agents_disable(email: str) -> None:
    """Refuse every token of this agent from now on (their tokens are kept)."""
    from hub.auth import set_agent_disabled

    _run(lambda: set_agent_disabled(email, True))
    click.echo(f"agent {email} disabled")


@click.command("enable")
@click.argument("email")
def agents_enable(email: str) -> None:
    """Give a disabled agent their access back."""
    from hub.auth import set_agent_disabled

    _run(lambda: set_agent_disabled(email, False))
    click.echo(f"agent {email} enabled")
