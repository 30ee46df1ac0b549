"""``hub export``: every conversation as one line of the hub's history format.

The format is the plain simulation JSONL plus what the database knows (README,
"Simulation"): the inbox, the contact with its fields, buttons pressed, and what happened
(status, team, agent, escalation reason and times). ``hub simulate`` reads it back, so the
live history of last month can be replayed through tomorrow's config. Reads in batches, one
line per conversation, oldest first; message text goes to the file only, never to a log.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from hub.cli.common import config_option, load_settings_for
from hub.cli.simulate import parse_since

BATCH = 500


def _ts(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _role(direction: str, sender: str) -> str | None:
    if direction == "in":
        return "customer" if sender == "contact" else None
    return {"bot": "bot", "agent": "agent"}.get(sender)


def conversation_line(
    conversation: Any,
    messages: list[Any],
    contact: Any,
    inbox: Any,
    agents: Mapping[int, str],
) -> dict[str, Any] | None:
    """One conversation in the hub format (None when it has no message a replay can use)."""
    out = []
    for message in messages:
        role = _role(str(message.direction), str(message.sender_kind))
        if role is None:
            continue
        item: dict[str, Any] = {"role": role, "ts": _ts(message.created_at)}
        if message.text:
            item["text"] = message.text
        if role == "customer" and message.payload:
            item["button"] = message.payload
        if "text" in item or "button" in item:
            out.append(item)
    if not out:
        return None
    handoff = conversation.handoff if isinstance(conversation.handoff, Mapping) else {}
    happened = {
        "status": str(conversation.status),
        "team": conversation.team,
        "agent": agents.get(conversation.assignee_id) if conversation.assignee_id else None,
        "reason": handoff.get("reason"),
        "escalated_at": _ts(conversation.escalated_at) if conversation.escalated_at else None,
        "resolved_at": _ts(conversation.resolved_at) if conversation.resolved_at else None,
    }
    return {
        "id": str(conversation.id),
        "channel": inbox.kind,
        "inbox": inbox.slug,
        "language": conversation.language,
        "contact": {
            "id": str(contact.id),
            "name": contact.name,
            "email": contact.email,
            "phone": contact.phone,
            "language": contact.language,
            "tier": contact.tier,
            "fields": dict(contact.custom_fields or {}),
        },
        "messages": out,
        "happened": happened,
    }


async def export_lines(
    since: timedelta | None = None, inbox: str | None = None
) -> AsyncIterator[str]:
    """The lines of the export, on an initialised database."""
    from hub.store.models import Agent, Contact, Conversation, Inbox, Message

    inboxes = {i.id: i for i in await Inbox.all()}
    agents = {a.id: a.email for a in await Agent.all()}
    query = Conversation.all()
    if since is not None:
        query = query.filter(created_at__gte=datetime.now(UTC) - since)
    if inbox is not None:
        query = query.filter(inbox_id__in=[i.id for i in inboxes.values() if i.slug == inbox])
    ids = await query.order_by("id").values_list("id", flat=True)
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        rows = await Conversation.filter(id__in=chunk).order_by("id")
        contacts = {c.id: c for c in await Contact.filter(id__in={r.contact_id for r in rows})}
        by_conversation: dict[int, list[Any]] = {}
        for message in await Message.filter(conversation_id__in=chunk).order_by("id"):
            by_conversation.setdefault(message.conversation_id, []).append(message)
        for row in rows:
            line = conversation_line(
                row,
                by_conversation.get(row.id, []),
                contacts[row.contact_id],
                inboxes[row.inbox_id],
                agents,
            )
            if line is not None:
                yield json.dumps(line, ensure_ascii=False, sort_keys=True)


@click.command(name="export")
@config_option
@click.option(
    "--since", "since_text", default=None, help="Only conversations opened in the last 30d, 12h..."
)
@click.option("--inbox", default=None, help="Only this inbox (its slug).")
def export_command(config_dir: str | None, since_text: str | None, inbox: str | None) -> None:
    """Write every conversation to stdout as JSON lines (the format hub simulate reads)."""
    from hub.store import db

    settings = load_settings_for(config_dir)
    window = parse_since(since_text)

    async def run() -> None:
        await db.init_db(settings)
        try:
            async for line in export_lines(window, inbox):
                sys.stdout.write(line + "\n")
        finally:
            await db.close_db()

    asyncio.run(run())


__all__ = ["conversation_line", "export_command", "export_lines"]
