"""``hub agents password EMAIL``: set (or replace) the password an agent signs in to the
inbox with. Asked twice without echo when not given, so it stays out of shell history;
every session of that agent ends, so a password changed after a leak locks the leak out."""

from __future__ import annotations

import asyncio

import click

from hub.cli.common import fail, load_settings_for

MIN_LENGTH = 8


def check_length(password: str) -> None:
    if len(password) < MIN_LENGTH:
        fail([f"a password needs at least {MIN_LENGTH} characters"], 2)


@click.command("password")
@click.argument("email")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="the new password (asked without echo when omitted)",
)
def agents_password(email: str, password: str) -> None:
    """Set the inbox password of the agent with EMAIL (ends its open sessions)."""
    from hub.auth import hash_password
    from hub.store import db
    from hub.store.inbox_models import AgentSession
    from hub.store.models import Agent

    check_length(password)
    settings = load_settings_for(None)

    async def run() -> int:
        await db.init_db(settings)
        try:
            changed = await Agent.filter(email=email.strip().lower()).update(
                password_hash=hash_password(password)
            )
            if changed:
                agent = await Agent.get(email=email.strip().lower())
                await AgentSession.filter(agent_id=agent.id).delete()
            return changed
        finally:
            await db.close_db()

    if not asyncio.run(run()):
        fail([f"no agent with email {email}"], 1)
    click.echo(f"password set for {email}")
