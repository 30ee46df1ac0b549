"""Inbox models: one connected account per entry of ``hub.yaml``'s ``inboxes``.

Secrets are written as the *names* of environment variables; the values never live in a
file or in the database.

Ids that say which account a webhook is for (``phone_number_id``, ``waba_id``,
``page_id``, ``from_number``) are not secret and are written as values: the adapters
refuse or ignore webhooks naming another account (see ``channels/binding.py``). The Twilio
``AccountSid`` a webhook must name is the value of the ``account_sid`` secret.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, HttpUrl, field_validator

from config.validation import StrictModel

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")
SLUG = r"^[a-z0-9][a-z0-9_-]{0,62}$"
#: A provider account id: one token, no spaces (Meta ids are digits; kept loose so a
#: placeholder of the provider's own examples can be bound in tests).
ACCOUNT_ID = r"^\S{1,64}$"
#: Twilio sender: an E.164 number (optionally ``whatsapp:``-prefixed) or a Messaging
#: Service SID.
TWILIO_SENDER = re.compile(r"^(?:(?:whatsapp|sms):)?\+[1-9][0-9]{6,14}$|^MG[0-9a-fA-F]{32}$")
#: A host name of ``media_hosts``: lowercase labels, ``*.`` for every subdomain.
MEDIA_HOST = re.compile(r"^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


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
    #: extra hosts attachments of this inbox may be fetched from (``cdn.example.com``,
    #: ``*.example.com``), beside the provider's own (``channels/media_policy.py``); they
    #: never receive provider credentials and must resolve to public addresses
    media_hosts: tuple[str, ...] = ()

    @field_validator("media_hosts")
    @classmethod
    def _media_hosts(cls, hosts: tuple[str, ...]) -> tuple[str, ...]:
        for host in hosts:
            if not MEDIA_HOST.match(host):
                raise ValueError(
                    f"'{host}' is not a host name; write a lowercase name such as "
                    "'cdn.example.com' or '*.example.com' (no scheme, port or path)"
                )
        return hosts


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
    #: the number's Phone number ID: webhooks whose ``metadata.phone_number_id`` differs
    #: are ignored (Meta sends one app's events for all its numbers to one URL)
    phone_number_id: str = Field(pattern=ACCOUNT_ID)
    #: the WhatsApp Business Account id; when set, ``entry[].id`` must match too
    waba_id: str | None = Field(default=None, pattern=ACCOUNT_ID)
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
    #: our number (``+14155238886``, ``whatsapp:`` prefix optional) or Messaging Service
    #: SID (``MG...``); webhooks for another number or service are refused (403)
    from_number: str
    api_url: HttpUrl | None = None
    window_content_sid: str | None = None
    #: our own send rate per sender (Twilio's WhatsApp default is 10 MPS for text)
    messages_per_second: float = Field(default=10, gt=0, le=1000)
    #: status callback URL passed on every send (``None``: the number's own setting)
    status_callback_url: HttpUrl | None = None
    secrets: TwilioSecrets

    @field_validator("from_number")
    @classmethod
    def _sender(cls, value: str) -> str:
        if not TWILIO_SENDER.match(value):
            raise ValueError(
                f"'{value}' is neither an E.164 number ('+14155238886', optionally "
                "'whatsapp:+14155238886') nor a Messaging Service SID ('MG' + 32 hex digits)"
            )
        return value


class MessengerSecrets(Secrets):
    app_secret: str
    page_access_token: str
    verify_token: str


class MessengerInbox(InboxBase):
    kind: Literal["messenger"]
    #: the Facebook Page id: entries (``entry[].id``) and events for another page are ignored
    page_id: str = Field(pattern=ACCOUNT_ID)
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
