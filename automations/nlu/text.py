"""Text clean-up shared by training and classification, so both see the same strings."""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 1000
"""Only the start of a long message is classified: intents are asked in the first sentences,
and a 20,000-character paste must not cost 20 times the latency."""

_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC, lower case, collapsed whitespace, cut to :data:`MAX_CHARS`."""
    text = unicodedata.normalize("NFKC", text[: MAX_CHARS * 2])
    return _SPACE.sub(" ", text.casefold()).strip()[:MAX_CHARS]


def has_letters(text: str) -> bool:
    """True when the text has at least one letter or digit (emoji-only text has none)."""
    return any(ch.isalnum() for ch in text)
