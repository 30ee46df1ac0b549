"""Adapter factories with test secrets; the URLs point at local fakes when given."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from channels.base import AdapterServices, ChannelAdapter
from channels.messenger import MessengerAdapter
from channels.telegram import TelegramAdapter
from channels.twilio import TwilioAdapter
from channels.whatsapp_cloud import WhatsAppCloudAdapter
from config.inboxes import MessengerInbox, TelegramInbox, TwilioInbox, WhatsAppCloudInbox
from tests.channels.deliveries import (
    META_APP_SECRET,
    META_VERIFY_TOKEN,
    TELEGRAM_SECRET,
    TWILIO_AUTH_TOKEN,
)

WA_TOKEN = "WA_TOKEN"
PAGE_TOKEN = "PAGE_TOKEN"
TWILIO_SID = "AC_TEST"
BOT_TOKEN = "123:ABC"


def whatsapp(
    http: Any = None, graph_url: str | None = None, secret: str = META_APP_SECRET, **config: Any
) -> WhatsAppCloudAdapter:
    inbox = WhatsAppCloudInbox.model_validate(
        {
            "slug": "wa",
            "kind": "whatsapp_cloud",
            "phone_number_id": "1122334455667",
            **({"graph_url": graph_url} if graph_url else {}),
            "secrets": {
                "app_secret": "WA_APP_SECRET",
                "access_token": "WA_ACCESS_TOKEN",
                "verify_token": "WA_VERIFY_TOKEN",
            },
            **config,
        }
    )
    secrets = {"app_secret": secret, "access_token": WA_TOKEN, "verify_token": META_VERIFY_TOKEN}
    return WhatsAppCloudAdapter(inbox, secrets, AdapterServices(http=http))


def messenger(
    http: Any = None, graph_url: str | None = None, secret: str = META_APP_SECRET, **config: Any
) -> MessengerAdapter:
    inbox = MessengerInbox.model_validate(
        {
            "slug": "fb",
            "kind": "messenger",
            "page_id": "404217156637689",
            **({"graph_url": graph_url} if graph_url else {}),
            "secrets": {
                "app_secret": "FB_APP_SECRET",
                "page_access_token": "FB_PAGE_TOKEN",
                "verify_token": "FB_VERIFY_TOKEN",
            },
            **config,
        }
    )
    secrets = {
        "app_secret": secret,
        "page_access_token": PAGE_TOKEN,
        "verify_token": META_VERIFY_TOKEN,
    }
    return MessengerAdapter(inbox, secrets, AdapterServices(http=http))


def twilio(
    http: Any = None,
    api_url: str | None = None,
    secret: str = TWILIO_AUTH_TOKEN,
    account_sid: str = TWILIO_SID,
    **config: Any,
) -> TwilioAdapter:
    inbox = TwilioInbox.model_validate(
        {
            "slug": "tw",
            "kind": "twilio",
            "from_number": "+14155238886",
            **({"api_url": api_url} if api_url else {}),
            "secrets": {"account_sid": "TWILIO_SID", "auth_token": "TWILIO_TOKEN"},
            **config,
        }
    )
    secrets = {"account_sid": account_sid, "auth_token": secret}
    return TwilioAdapter(inbox, secrets, AdapterServices(http=http))


def telegram(
    http: Any = None, api_url: str | None = None, secret: str = TELEGRAM_SECRET, **config: Any
) -> TelegramAdapter:
    inbox = TelegramInbox.model_validate(
        {
            "slug": "tg",
            "kind": "telegram",
            **({"api_url": api_url} if api_url else {}),
            "secrets": {"bot_token": "TG_TOKEN", "webhook_secret": "TG_SECRET"},
            **config,
        }
    )
    secrets = {"bot_token": BOT_TOKEN, "webhook_secret": secret}
    return TelegramAdapter(inbox, secrets, AdapterServices(http=http))


FACTORIES: dict[str, Callable[..., ChannelAdapter]] = {
    "whatsapp_cloud": whatsapp,
    "messenger": messenger,
    "twilio": twilio,
    "telegram": telegram,
}
