"""The bot step: what the hub does with a customer message while the bot has the conversation.

The pipeline calls :func:`run_bot_step` inside the message's transaction with a
:class:`BotTurn`; whatever it returns as replies becomes Message + Outbox rows in that same
transaction. :func:`build_bot` runs at start and on every reload, so per-config work (rule
indexes, trained models) happens once. For now the bot greets a new conversation; the
automations and NLU layers replace this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from channels.base import Button, InboundItem
from config.loader import AppConfig
from hub.context import HubContext, InboxRef
from hub.models import Contact, ContactIdentity, Conversation, Message
from hub.outbox import Reply


@dataclass(frozen=True)
class BotTurn:
    """One customer message, already stored, and everything the bot may need about it."""

    inbox: InboxRef
    conversation: Conversation
    contact: Contact
    identity: ContactIdentity
    message: Message
    item: InboundItem
    opened: bool  #: this message opened the conversation
    now: datetime


@dataclass(frozen=True)
class Bot:
    """Per-config state of the bot, built once per loaded config."""

    config: AppConfig


def build_bot(config: AppConfig) -> Bot:
    return Bot(config)


def conversation_language(
    config: AppConfig, conversation: Conversation, contact: Contact, inbox_slug: str
) -> str:
    """The conversation's, else the contact's, else the inbox's, else the default language."""
    hub = config.hub
    inbox = config.inbox(inbox_slug)
    for candidate in (conversation.language, contact.language, inbox and inbox.language):
        if candidate and candidate in hub.languages:
            return candidate
    return hub.default_language


def localized(texts: dict[str, str], language: str, default_language: str) -> str:
    return texts.get(language) or texts.get(default_language) or next(iter(texts.values()), "")


async def run_bot_step(ctx: HubContext, conn: Any, turn: BotTurn) -> list[Reply]:
    """Decide the bot's replies to ``turn`` (may also write to the database through ``conn``)."""
    config = ctx.bot.config if isinstance(ctx.bot, Bot) else ctx.config
    greeting = config.hub.greeting
    if not turn.opened or greeting is None:
        return []
    language = conversation_language(config, turn.conversation, turn.contact, turn.inbox.slug)
    default = config.hub.default_language
    return [
        Reply(
            text=localized(greeting.text, language, default),
            buttons=tuple(
                Button(b.id, localized(b.title, language, default)) for b in greeting.buttons
            ),
        )
    ]


async def on_agent_reply(ctx: HubContext, conn: Any, conversation: Conversation) -> None:
    """Called in the transaction of an agent's reply (timers that wait for one, etc.)."""
