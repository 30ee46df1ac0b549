"""E.164 normalisation used to merge WhatsApp, Twilio WhatsApp and SMS identities."""

from __future__ import annotations

import pytest

from channels.phones import strip_channel_prefix, to_e164


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("16505551234", "+16505551234"),  # WhatsApp wa_id: digits without '+'
        ("+1 (650) 555-1234", "+16505551234"),
        ("whatsapp:+16505551234", "+16505551234"),  # Twilio address
        ("+19086162013", "+19086162013"),
        ("558282136275", "+5582982136275"),  # Brazil: wa_id without the ninth digit
        ("+5582982136275", "+5582982136275"),  # the same phone over SMS
        ("+551132654321", "+551132654321"),  # a Sao Paulo landline keeps its 8 digits
        ("1111111111111", None),  # not a possible number: never merged on
        ("", None),
        (None, None),
        ("not a phone", None),
    ],
)
def test_to_e164(raw, expected) -> None:
    assert to_e164(raw) == expected


def test_national_numbers_need_a_region() -> None:
    assert to_e164("06 12 34 56 78", default_region="FR") == "+33612345678"


def test_strip_channel_prefix() -> None:
    assert strip_channel_prefix("whatsapp:+1555") == ("whatsapp", "+1555")
    assert strip_channel_prefix("+1555") == ("", "+1555")
