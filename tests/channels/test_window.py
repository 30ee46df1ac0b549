"""The 24-hour customer-service window, as pure decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from channels.errors import PermanentSendError
from channels.window import HUMAN_AGENT_WINDOW, SendMode, decide, is_open

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "expected"),
    [
        (timedelta(0), True),
        (timedelta(hours=23, minutes=59, seconds=59), True),
        (timedelta(hours=24), False),
        (timedelta(days=3), False),
    ],
)
def test_window_is_open_for_24_hours(age, expected) -> None:
    assert is_open(NOW - age, NOW) is expected


def test_unknown_last_message_means_closed() -> None:
    assert is_open(None, NOW) is False


def test_inside_the_window_is_free_form_and_says_when_it_closes() -> None:
    decision = decide(NOW - timedelta(hours=2), NOW, fallback="tpl", fallback_label="template")
    assert decision.mode is SendMode.FREE_FORM
    assert decision.closes_at == NOW + timedelta(hours=22)


def test_outside_the_window_uses_the_fallback() -> None:
    decision = decide(NOW - timedelta(hours=30), NOW, fallback="tpl", fallback_label="template")
    assert (decision.mode, decision.fallback) == (SendMode.FALLBACK, "tpl")


def test_outside_without_fallback_says_why() -> None:
    with pytest.raises(PermanentSendError) as caught:
        decide(NOW - timedelta(hours=30), NOW, fallback=None, fallback_label="WhatsApp template")
    assert caught.value.code == "window_closed"
    assert "30 h ago" in caught.value.reason
    assert "no WhatsApp template is configured" in caught.value.reason


def test_fallback_window_bounds_the_fallback_too() -> None:
    kwargs: dict[str, Any] = {
        "fallback": "HUMAN_AGENT",
        "fallback_label": "tag",
        "fallback_window": HUMAN_AGENT_WINDOW,
    }
    assert decide(NOW - timedelta(days=6), NOW, **kwargs).mode is SendMode.FALLBACK
    with pytest.raises(PermanentSendError, match="8 days ago"):
        decide(NOW - timedelta(days=8), NOW, **kwargs)
