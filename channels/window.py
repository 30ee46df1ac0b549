"""The 24-hour customer-service window of WhatsApp and Messenger, as pure functions.

Providers refuse free-form messages once 24 hours have passed since the customer's last
message (WhatsApp error 131047, Twilio 63016, Messenger 10/2018278). We refuse them *before*
calling the provider, with a reason an operator understands, or switch to the fallback the
operator configured (a WhatsApp template, a Twilio Content template, a Messenger tag).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from channels.errors import PermanentSendError

STANDARD_WINDOW = timedelta(hours=24)
#: Messenger's HUMAN_AGENT tag lets a person (not a bot) answer for 7 days.
HUMAN_AGENT_WINDOW = timedelta(days=7)


class SendMode(StrEnum):
    FREE_FORM = "free_form"  #: inside the window: any message type
    FALLBACK = "fallback"  #: outside it: the configured template or tag


@dataclass(frozen=True, slots=True, kw_only=True)
class WindowDecision:
    mode: SendMode
    closes_at: datetime | None  #: when free-form stops (``None``: no customer message yet)
    fallback: str | None = None  #: template name / content SID / message tag to use


def closes_at(last_customer_message_at: datetime | None, window: timedelta) -> datetime | None:
    return None if last_customer_message_at is None else last_customer_message_at + window


def is_open(
    last_customer_message_at: datetime | None,
    now: datetime,
    window: timedelta = STANDARD_WINDOW,
) -> bool:
    """Free text allowed? Unknown last message means closed: the customer never wrote."""
    end = closes_at(last_customer_message_at, window)
    return end is not None and now < end


def decide(
    last_customer_message_at: datetime | None,
    now: datetime,
    *,
    fallback: str | None,
    fallback_label: str,
    fallback_window: timedelta | None = None,
    window: timedelta = STANDARD_WINDOW,
) -> WindowDecision:
    """Free form, the fallback, or :class:`PermanentSendError` saying why neither is possible.

    ``fallback_window`` bounds the fallback too (Messenger's HUMAN_AGENT tag: 7 days);
    ``None`` means the fallback is allowed at any time (WhatsApp templates).
    """
    end = closes_at(last_customer_message_at, window)
    if is_open(last_customer_message_at, now, window):
        return WindowDecision(mode=SendMode.FREE_FORM, closes_at=end)
    since = (
        "the customer has not written yet"
        if last_customer_message_at is None
        else f"the customer's last message was {_age(now - last_customer_message_at)} ago"
    )
    hours = int(window.total_seconds() // 3600)
    if fallback is None:
        raise PermanentSendError(
            f"outside the {hours}-hour customer-service window ({since}) and no "
            f"{fallback_label} is configured for this inbox",
            code="window_closed",
        )
    if (
        fallback_window is not None
        and last_customer_message_at is not None
        and now >= last_customer_message_at + fallback_window
    ):
        raise PermanentSendError(
            f"outside the {hours}-hour window and past the {_age(fallback_window)} the "
            f"{fallback_label} '{fallback}' allows ({since})",
            code="window_closed",
        )
    return WindowDecision(mode=SendMode.FALLBACK, closes_at=end, fallback=fallback)


def _age(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.0f} days"
