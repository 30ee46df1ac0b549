"""The bot step run on every customer message while the conversation is with the bot.

For now it greets a new conversation with the configured text and quick-reply buttons;
the automations and NLU layers plug in here.
"""

from __future__ import annotations

from channels.base import Button
from config.loader import AppConfig
from hub.models import Contact, Conversation
from hub.outbox import Reply


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


def plan_bot_replies(
    config: AppConfig,
    conversation: Conversation,
    contact: Contact,
    inbox_slug: str,
    opened: bool,
) -> list[Reply]:
    greeting = config.hub.greeting
    if not opened or greeting is None:
        return []
    language = conversation_language(config, conversation, contact, inbox_slug)
    default = config.hub.default_language
    return [
        Reply(
            text=localized(greeting.text, language, default),
            buttons=tuple(
                Button(b.id, localized(b.title, language, default)) for b in greeting.buttons
            ),
        )
    ]
