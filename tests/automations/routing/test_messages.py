"""What the customer is told, in en, fr, es and zh, in the customer's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from automations.routing import Roster
from automations.routing.eta import Capacity, estimate_wait
from automations.routing.messages import (
    back_in_message,
    callback_prompt,
    correction_message,
    opening_message,
    promise,
    wait_message,
)

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 23, 10, 0, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "A person will reply within about 25 minutes."),
        ("fr", "Une personne vous répondra d'ici 25 minutes environ."),
        ("es", "Una persona le responderá en unos 25 minutos."),
        ("zh", "客服人员将在大约 25 分钟内回复您。"),
        ("de", "A person will reply within about 25 minutes."),  # no texts: English
    ],
)
def test_within_minutes(language: str, expected: str) -> None:
    assert promise(NOW + timedelta(minutes=22), language, "Europe/Paris", NOW) == expected


def test_by_about_a_time_in_the_customer_time_zone() -> None:
    reply_by = NOW + timedelta(hours=2)  # 12:00 Paris
    assert (
        promise(reply_by, "en", "America/New_York", NOW) == "A person will reply by about 6:00 AM."
    )
    assert promise(reply_by, "fr", "Europe/Paris", NOW) == "Une personne vous répondra vers 12:00."
    assert promise(reply_by, "zh", "Asia/Shanghai", NOW) == "客服人员将在 19:00 左右回复您。"


def test_after_hours_opening_across_a_holiday_and_a_split_shift(roster: Roster) -> None:
    calendar = roster.teams["french"].calendar
    assert calendar is not None
    # Thursday 24 Dec 12:45 Paris: closed for lunch, opens again at 13:30 today
    lunch = datetime(2026, 12, 24, 12, 45, tzinfo=PARIS)
    opens = calendar.next_opening(lunch)
    assert opening_message(opens, "fr", "Europe/Paris", lunch) == (
        "Nous sommes fermés pour le moment. Nous ouvrons aujourd'hui à 13:30 (votre heure)."
    )
    assert back_in_message(opens, "en", lunch) == "We're back in 45 min."
    # 18:30: Christmas is a holiday; Saturday 26th 10:00 Paris, 04:00 in New York
    evening = datetime(2026, 12, 24, 18, 30, tzinfo=PARIS)
    opens = calendar.next_opening(evening)
    assert opening_message(opens, "en", "America/New_York", evening) == (
        "We're closed right now. We open on Sat, December 26 at 4:00 AM (your time)."
    )
    assert opening_message(opens, "es", "Europe/Madrid", evening) == (
        "Ahora estamos cerrados. Abrimos el sáb, 26 de diciembre a las 10:00 (su hora)."
    )
    assert back_in_message(opens, "fr", evening) == "Nous revenons dans 39 h 30 min."
    # Saturday 13:30: tomorrow is Sunday (closed), Monday 09:00 — in Tokyo that is 17:00
    saturday = datetime(2026, 12, 26, 13, 30, tzinfo=PARIS)
    friday_night_tokyo = calendar.next_opening(saturday)
    assert opening_message(friday_night_tokyo, "zh", "Asia/Tokyo", saturday) == (
        "我们现在已下班，12月28日周一 17:00（您当地时间）开始营业。"
    )


def test_tomorrow_is_the_customer_tomorrow() -> None:
    evening = datetime(2026, 12, 22, 19, 0, tzinfo=PARIS)
    opens = datetime(2026, 12, 23, 9, 0, tzinfo=PARIS)
    assert opening_message(opens, "en", "Europe/Paris", evening).endswith(
        "We open tomorrow at 9:00 AM (your time)."
    )
    # in Tokyo it is already the 23rd at 03:00: the opening (17:00 there) is today
    assert opening_message(opens, "en", "Asia/Tokyo", evening).endswith(
        "We open today at 5:00 PM (your time)."
    )


def test_wait_message_picks_opening_or_promise(roster: Roster) -> None:
    calendar = roster.teams["french"].calendar
    night = datetime(2026, 12, 23, 22, 0, tzinfo=PARIS)
    closed = estimate_wait(
        now=night,
        position=0,
        capacity=Capacity(0, 0, 0, frozenset()),
        handling_time=timedelta(minutes=12),
        calendar=calendar,
        fallback=timedelta(minutes=15),
    )
    assert wait_message(closed, "en", "Europe/Paris", night) == (
        "We're closed right now. We open tomorrow at 9:00 AM (your time)."
    )
    soon = estimate_wait(
        now=NOW,
        position=0,
        capacity=Capacity(1, 1, 2, frozenset()),
        handling_time=timedelta(minutes=12),
        calendar=calendar,
    )
    assert wait_message(soon, "en", "Europe/Paris", NOW) == "A person will reply in a moment."


def test_callback_and_correction_in_every_language() -> None:
    for language in ("en", "fr", "es", "zh"):
        assert "@" not in callback_prompt(language)
        assert callback_prompt(language) != callback_prompt("en") or language == "en"
    assert correction_message(NOW + timedelta(minutes=40), "fr", "Europe/Paris", NOW) == (
        "Désolés, c'est plus long que prévu. Une personne vous répondra d'ici 40 minutes environ."
    )


def test_operator_texts_override_the_defaults_and_add_languages() -> None:
    texts = {
        "within": {"en": "Hang on: {minutes} min.", "de": "Etwa {minutes} Minuten."},
        "by": {"de": "Bis etwa {time}."},
    }
    soon = NOW + timedelta(minutes=22)
    assert promise(soon, "en", "Europe/Paris", NOW, texts) == "Hang on: 25 min."
    assert promise(soon, "fr", "Europe/Paris", NOW, texts) == (
        "Une personne vous répondra d'ici 25 minutes environ."
    )
    assert promise(soon, "de-AT", "Europe/Vienna", NOW, texts) == "Etwa 25 Minuten."
    # a German time is formatted for German; a key without a German text falls back to
    # the operator's English, then the default English
    assert promise(NOW + timedelta(hours=2), "de", "Europe/Berlin", NOW, texts) == "Bis etwa 12:00."
    assert callback_prompt("de", texts) == callback_prompt("en")
