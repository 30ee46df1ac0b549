"""E.164 normalisation, so one person's WhatsApp and SMS identities can merge into one contact.

Only the hub merges identities; adapters just put the normalised number on ``Profile.phone``.
A number that is not even *possible* for its region gives ``None``: merging two contacts on a
garbage number would be worse than not merging at all.
"""

from __future__ import annotations

import phonenumbers

#: Twilio addresses WhatsApp recipients as ``whatsapp:+E164``; other channel prefixes exist
#: (``messenger:``, ``rcs:``) and are stripped the same way.
CHANNEL_PREFIX_SEPARATOR = ":"


def strip_channel_prefix(address: str) -> tuple[str, str]:
    """``"whatsapp:+1555..." -> ("whatsapp", "+1555...")``; plain numbers give ``("", number)``."""
    prefix, sep, rest = address.partition(CHANNEL_PREFIX_SEPARATOR)
    if sep and prefix.isalpha():
        return prefix.lower(), rest
    return "", address


def to_e164(raw: str | None, default_region: str | None = None) -> str | None:
    """Normalise a phone number or WhatsApp ``wa_id`` (digits without ``+``) to E.164."""
    if not raw:
        return None
    _, number = strip_channel_prefix(raw.strip())
    digits = number.lstrip("+")
    if digits.isdigit() and default_region is None:
        number = "+" + digits  # wa_id and Twilio addresses are international without the '+'
    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException:
        return None
    parsed = _brazil_ninth_digit(parsed)
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _brazil_ninth_digit(number: phonenumbers.PhoneNumber) -> phonenumbers.PhoneNumber:
    """WhatsApp reports Brazilian mobiles without the ninth digit every carrier added by 2016.

    ``+55 82 8213-6275`` (wa_id) and ``+55 82 98213-6275`` (SMS) are the same phone; restore
    the 9 so both identities normalise alike. Landlines (subscriber starting 2-5) are kept.
    """
    if number.country_code != 55:
        return number
    national = str(number.national_number)
    if len(national) == 10 and national[2] in "6789":
        return phonenumbers.PhoneNumber(
            country_code=55, national_number=int(national[:2] + "9" + national[2:])
        )
    return number
