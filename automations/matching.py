"""Text normalisation for loose matching: case, accents, punctuation and spacing."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_PUNCT = re.compile(r"[^\w\s]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """``"  Español!"`` -> ``"espanol"``; CJK characters are kept as they are."""
    folded = text.casefold()
    if not folded.isascii():  # accents to strip: the slow path
        # dotless ı is the one letter a case-insensitive regex takes for an ASCII letter
        # (i) that casefolding keeps: map it so normalised text agrees with (?i) regexes
        decomposed = unicodedata.normalize("NFKD", folded.replace("ı", "i"))
        folded = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", _PUNCT.sub(" ", folded)).strip()
