"""Storage keys for provider ids of any length.

Columns that hold provider ids (``InboundEvent.provider_event_id``,
``Message.provider_message_id``) are 255 characters wide. Cutting a longer id to 255 made
two ids that share their first 255 characters one key, so the second item was taken for a
redelivery and dropped. :func:`stable_key` keeps every id that fits as it is (so stored
rows stay readable and match what the provider sends back) and turns a longer one into a
prefix plus the SHA-256 of the whole id: still deterministic (a redelivery finds its row),
never a collision between different ids in practice, and always within the column.
"""

from __future__ import annotations

import hashlib

#: Width of the id columns.
KEY_LIMIT = 255
#: Marks a hashed key; provider ids never start with it (WhatsApp ``wamid.``, Twilio ``SM``,
#: Messenger ``m_``, Telegram digits), so a hashed key cannot equal a kept id.
HASHED_PREFIX = "sha256:"
_DIGEST_LENGTH = 64


def stable_key(provider_id: str, limit: int = KEY_LIMIT) -> str:
    """``provider_id`` when it fits in ``limit`` characters, else ``prefix + sha256``.

    The prefix keeps the head of the id for people reading the table; the digest is over
    the whole id (UTF-8, lone surrogates passed through), so ids that differ anywhere get
    different keys.
    """
    if limit < len(HASHED_PREFIX) + _DIGEST_LENGTH:
        raise ValueError(f"a key limit of {limit} cannot hold a SHA-256 digest")
    if len(provider_id) <= limit and not provider_id.startswith(HASHED_PREFIX):
        return provider_id
    digest = hashlib.sha256(provider_id.encode("utf-8", "surrogatepass")).hexdigest()
    head = provider_id[: max(0, limit - len(HASHED_PREFIX) - _DIGEST_LENGTH - 1)]
    return f"{HASHED_PREFIX}{digest}:{head}"[:limit]
