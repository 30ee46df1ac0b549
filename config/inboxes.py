"""Inbox models: one connected account per entry of ``hub.yaml``'s ``inboxes``.

Secrets are written as the *names* of environment variables; the values never live in a
file or in the database.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, HttpUrl, field_validator

from config.validation import StrictModel

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
SLUG = r"^[a-z0-9][a-z0-9_-]{0,62}$"


def _env_name(value: str) -> str:
    if not ENV_NAME.match(value):
        raise ValueError(
            f"'{value}' is not an environment variable name; secrets are given by the name "
            "of the variable that holds them (e.g. WHATSAPP_APP_SECRET)"
        )
    return value


class Secrets(StrictModel):
    """Base for secret references; every field holds an env var name."""

    @field_validator("*")
    @classmethod
    def _names(cls, value: str | None) -> str | None:
        return None if value is None else _env_name(value)


class InboxBase(StrictModel):
    slug: str = Field(pattern=SLUG)
    name: str = ""
    language: str | None = None
    timezone: str | None = None


class WebchatInbox(InboxBase):
    kind: Literal["webchat"]
    title: str = "Chat with us"
    allowed_origins: tuple[str, ...] = ()


class ApiSecrets(Secrets):
    signing_secret: str


class ApiInbox(InboxBase):
    kind: Literal["api"]
    callback_url: HttpUrl | None = None
    secrets: ApiSecrets


class WhatsAppCloudSecrets(Secrets):
    app_secret: str
    access_token: str
    verify_token: str


class WhatsAppCloudInbox(InboxBase):
    kind: Literal["whatsapp_cloud"]
    phone_number_id: str
    api_version: str = "v24.0"
    graph_url: HttpUrl = HttpUrl("https://graph.facebook.com")
    window_template: str | None = None
    #: language code of ``window_template``; defaults to the inbox language, then "en"
    window_template_language: str | None = None
    #: fill the template's body variable {{1}} with the message text
    window_template_text_param: bool = True
    #: our own send rate per number (Meta's default is 80; upgraded numbers get 1,000)
    messages_per_second: float = Field(default=80, gt=0, le=1000)
    secrets: WhatsAppCloudSecrets


class TwilioSecrets(Secrets):
    account_sid: str
    auth_token: str


class TwilioInbox(InboxBase):
    kind: Literal["twilio"]
    from_number: str
    api_url: HttpUrl | None = None
    window_content_sid: str | None = None
    #: our own send rate per sender (Twilio's WhatsApp default is 10 MPS for text)
    messages_per_second: float = Field(default=10, gt=0, le=1000)
    #: status callback URL passed on every send (``None``: the number's own setting)
    status_callback_url: HttpUrl | None = None
    secrets: TwilioSecrets


class MessengerSecrets(Secrets):
    app_secret: str
    page_access_token: str
    verify_token: str


class MessengerInbox(InboxBase):
    kind: Literal["messenger"]
    page_id: str
    api_version: str = "v24.0"
    graph_url: HttpUrl = HttpUrl("https://graph.facebook.com")
    window_tag: str | None = None
    secrets: MessengerSecrets


class TelegramSecrets(Secrets):
    bot_token: str
    webhook_secret: str


class TelegramInbox(InboxBase):
    kind: Literal["telegram"]
    api_url: HttpUrl | None = None
    secrets: TelegramSecrets


InboxConfig = Annotated[
    WebchatInbox | ApiInbox | WhatsAppCloudInbox | TwilioInbox | MessengerInbox | TelegramInbox,
    Field(discriminator="kind"),
]
INBOX_KINDS = ("webchat", "api", "whatsapp_cloud", "twilio", "messenger", "telegram")
