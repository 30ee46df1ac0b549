"""Build the adapter of an inbox from its config and the environment."""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from channels.base import AdapterServices, ChannelAdapter
from channels.errors import ChannelError, MissingSecret
from config.inboxes import InboxConfig

#: kind -> "module:Class"; imported on first use so one broken SDK cannot stop the others
ADAPTER_PATHS: dict[str, str] = {
    "webchat": "channels.webchat:WebchatAdapter",
    "api": "channels.api:ApiAdapter",
    "whatsapp_cloud": "channels.whatsapp_cloud:WhatsAppCloudAdapter",
    "twilio": "channels.twilio:TwilioAdapter",
    "messenger": "channels.messenger:MessengerAdapter",
    "telegram": "channels.telegram:TelegramAdapter",
}


def adapter_class(kind: str) -> type[ChannelAdapter]:
    try:
        module_name, class_name = ADAPTER_PATHS[kind].split(":")
    except KeyError:
        raise ChannelError(f"unknown inbox kind '{kind}'") from None
    cls: type[ChannelAdapter] = getattr(importlib.import_module(module_name), class_name)
    return cls


def secret_env_names(inbox: InboxConfig) -> dict[str, str]:
    """Secret role -> env var name, as written in the inbox config."""
    secrets = getattr(inbox, "secrets", None)
    if secrets is None:
        return {}
    return {k: v for k, v in secrets.model_dump().items() if v is not None}


def resolve_secrets(inbox: InboxConfig, environ: Mapping[str, str]) -> dict[str, str]:
    names = secret_env_names(inbox)
    missing = [env for env in names.values() if not environ.get(env)]
    if missing:
        raise MissingSecret(inbox.slug, missing)
    return {role: environ[env] for role, env in names.items()}


def build_adapter(
    inbox: InboxConfig, environ: Mapping[str, str], services: AdapterServices
) -> ChannelAdapter:
    """Instantiate the adapter; raises :class:`MissingSecret` when an env var is unset."""
    return adapter_class(inbox.kind)(inbox, resolve_secrets(inbox, environ), services)
