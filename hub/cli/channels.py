"""``hub channels ...``: set up provider inboxes.

``check`` prints, per inbox, the public webhook URL, which secret env vars are set (never
their values) and what to paste into the provider's console; ``register telegram`` calls
Telegram's ``setWebhook`` with the inbox's secret token.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from channels.base import AdapterServices
from channels.errors import ChannelError
from channels.registry import build_adapter, secret_env_names
from config.inboxes import InboxConfig, TelegramInbox
from config.loader import AppConfig
from config.settings import Settings
from hub.cli.common import config_option, load_app_config, load_settings_for

#: updates the Telegram adapter handles (others are accepted and recorded, but not asked for)
TELEGRAM_UPDATES = ("message", "edited_message", "callback_query", "my_chat_member")


def _load(config_dir: str | None) -> tuple[Settings, AppConfig]:
    settings = load_settings_for(config_dir)
    return settings, load_app_config(settings)


def webhook_url(settings: Settings, slug: str) -> str:
    return f"{settings.public_url}/webhooks/{slug}"


def _console() -> Console:
    # created per command so click's CliRunner (and pipes) get the output; no wrapping of URLs
    return Console(file=sys.stdout, soft_wrap=True, highlight=False)


def _instructions(inbox: InboxConfig, url: str, names: Mapping[str, str]) -> list[str]:
    """What to do in the provider's console, in the operator's words."""
    if inbox.kind == "whatsapp_cloud":
        return [
            "Meta App Dashboard > WhatsApp > Configuration > Webhook > Edit:",
            f"  Callback URL: {url}",
            f"  Verify token: the value of ${names['verify_token']}",
            "  then subscribe to the 'messages' webhook field.",
            f"  App secret (${names['app_secret']}): App settings > Basic > App secret.",
            f"  Phone number ID in hub.yaml: {getattr(inbox, 'phone_number_id', '')}",
        ]
    if inbox.kind == "messenger":
        return [
            "Meta App Dashboard > Messenger > Settings > Webhooks > Add callback URL:",
            f"  Callback URL: {url}",
            f"  Verify token: the value of ${names['verify_token']}",
            "  then subscribe the page to: messages, messaging_postbacks, message_deliveries,",
            "  message_reads, message_echoes, messaging_referrals, message_edits.",
        ]
    if inbox.kind == "twilio":
        return [
            "Twilio Console > Phone Numbers (or Messaging > Senders > WhatsApp senders)",
            "  > your number > Messaging configuration:",
            f"  'A message comes in': Webhook, HTTP POST, {url}",
            f"  Status callback URL (optional, for delivery receipts): {url}",
            "  The URL must match exactly (scheme, host, port, path): Twilio signs it.",
        ]
    if inbox.kind == "telegram":
        return [
            "Nothing to paste: run",
            f"  hub channels register telegram {inbox.slug}",
            f"  (calls setWebhook with {url}",
            f"  and the secret token from ${names['webhook_secret']}).",
        ]
    if inbox.kind == "api":
        return [
            "Your system POSTs signed JSON (X-Hub-Signature-256, HMAC-SHA256 with the value of",
            f"  ${names.get('signing_secret', '?')}) to {url}",
        ]
    return ["Web chat: embed /widget.js on your site; no provider console."]


@click.group()
def channels() -> None:
    """Check and register provider inboxes."""


@channels.command()
@config_option
def check(config_dir: str | None) -> None:
    """Print each inbox's webhook URL, its secrets' presence and the provider setup."""
    settings, config = _load(config_dir)
    console = _console()
    console.print(f"Public URL (HUB_PUBLIC_URL): [bold]{escape(settings.public_url)}[/]")
    if not settings.public_url.startswith("https://"):
        console.print(
            "[yellow]warning:[/] Meta and Telegram only call https:// URLs with a CA-signed "
            "certificate; set HUB_PUBLIC_URL to the address providers reach."
        )
    missing_total = 0
    for inbox in config.hub.inboxes:
        url = webhook_url(settings, inbox.slug)
        names = secret_env_names(inbox)
        missing = [env for env in names.values() if not os.environ.get(env)]
        missing_total += len(missing)
        state = "[green]ready[/]" if not missing else "[red]missing secrets[/]"
        console.print()
        console.print(f"[bold]{escape(inbox.slug)}[/] ({inbox.kind}): {state}")
        if inbox.kind != "webchat":
            console.print(f"  Webhook URL: {escape(url)}")
        if names:
            table = Table(show_header=True, box=None, padding=(0, 2, 0, 2))
            table.add_column("secret")
            table.add_column("env var")
            table.add_column("")
            for role, env in names.items():
                present = "[green]set[/]" if os.environ.get(env) else "[red]NOT SET[/]"
                table.add_row(role, env, present)
            console.print(table)
        for line in _instructions(inbox, url, names):
            console.print("  " + escape(line))
    console.print()
    if missing_total:
        console.print(
            f"{missing_total} secret env var(s) not set: those inboxes answer 503 and "
            "/readyz lists them as unavailable."
        )
    else:
        console.print("Every inbox has its secrets.")


@channels.group()
def register() -> None:
    """Register the hub's webhook with a provider that has an API for it."""


@register.command("telegram")
@config_option
@click.argument("inbox")
@click.option(
    "--drop-pending", is_flag=True, help="discard updates Telegram queued while no webhook was set"
)
def register_telegram(config_dir: str | None, inbox: str, drop_pending: bool) -> None:
    """Call setWebhook for INBOX with its public URL and secret token."""
    settings, config = _load(config_dir)
    console = _console()
    found = config.inbox(inbox)
    if not isinstance(found, TelegramInbox):
        kinds = ", ".join(i.slug for i in config.hub.inboxes if i.kind == "telegram") or "none"
        raise click.ClickException(f"'{inbox}' is not a telegram inbox (telegram inboxes: {kinds})")
    url = webhook_url(settings, found.slug)
    if not url.startswith("https://"):
        console.print(
            "[yellow]warning:[/] Telegram only delivers to https:// URLs "
            f"(HUB_PUBLIC_URL is {escape(settings.public_url)})."
        )
    try:
        asyncio.run(_set_webhook(found, url, drop_pending))
    except ChannelError as exc:
        raise click.ClickException(f"setWebhook failed: {exc}") from None
    console.print(f"Telegram webhook for [bold]{escape(found.slug)}[/] set to {escape(url)}")


async def _set_webhook(inbox: TelegramInbox, url: str, drop_pending: bool) -> None:
    from telegram.error import TelegramError

    from channels.telegram import TelegramAdapter

    adapter = build_adapter(inbox, os.environ, AdapterServices(http=None))
    assert isinstance(adapter, TelegramAdapter)
    try:
        bot = await adapter.bot()
        ok = await bot.set_webhook(
            url,
            secret_token=adapter.secrets["webhook_secret"],
            allowed_updates=list(TELEGRAM_UPDATES),
            drop_pending_updates=drop_pending,
        )
        if not ok:
            raise ChannelError("Telegram answered false")
    except TelegramError as exc:
        raise ChannelError(f"{type(exc).__name__}: {exc}") from None
    finally:
        await adapter.close()
