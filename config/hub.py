"""Model of ``hub.yaml``: inboxes, languages, the greeting and delivery limits."""

from __future__ import annotations

from pydantic import Field, model_validator

from config.inboxes import InboxConfig
from config.limits import LimitsDef
from config.validation import StrictModel

LanguageText = dict[str, str]


class QuickButton(StrictModel):
    """A quick-reply button; ``id`` is the payload the hub receives when pressed."""

    id: str = Field(min_length=1, max_length=64)
    title: LanguageText


class Greeting(StrictModel):
    """Sent once on a new conversation (the automations issue replaces this bot step)."""

    text: LanguageText
    buttons: tuple[QuickButton, ...] = ()


class OutboxPolicy(StrictModel):
    max_attempts: int = Field(default=8, ge=1, le=100)
    base_delay_s: float = Field(default=1.0, gt=0)
    max_delay_s: float = Field(default=300.0, gt=0)


class HubFile(StrictModel):
    name: str = "Messaging hub"
    languages: tuple[str, ...] = ("en",)
    default_language: str = "en"
    timezone: str = "UTC"
    inboxes: tuple[InboxConfig, ...] = ()
    greeting: Greeting | None = None
    outbox: OutboxPolicy = OutboxPolicy()
    visitor_token_days: int = Field(default=30, ge=1, le=365)
    limits: LimitsDef = LimitsDef()

    @model_validator(mode="after")
    def _default_language_declared(self) -> HubFile:
        if self.default_language not in self.languages:
            raise ValueError(
                f"default_language '{self.default_language}' is not in languages "
                f"{list(self.languages)}"
            )
        return self
