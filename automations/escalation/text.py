"""Text folding and tokenising shared by the detectors, so every list is matched the same way.

Folding is NFKC, case-folding, accents stripped (``conseillère`` = ``conseillere``, ``à`` =
``a``: customers drop accents on phones), typographic apostrophes made plain and English
``n't`` spelt ``not``. Only the first :data:`MAX_CHARS` characters are read: a request for a
person or a threat is made in the first lines, and a 1 MB paste must cost what a line costs.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MAX_CHARS = 600

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_NOT = re.compile(
    r"\b(?:(ca|do|does|did|is|are|was|were|wo|would|could|should|have|has|had|ai)n't"
    r"|(ca|does|did|is|was|would|could|should)nt)\b"  # not "dont": a French word
)
_NOT_SPELT = {"ca": "can", "wo": "will", "ai": "is"}
#: French words whose apostrophe is not an elision
_KEEP = {"quelqu'un": "quelquun", "quelqu'une": "quelquune", "aujourd'hui": "aujourdhui"}
#: combining accents left by NFD ("é" -> "e" + U+0301), removed in one C-level pass
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CLAUSE = re.compile(r"[.!?;,:\n()\[\]\u3002\uff01\uff1f\uff0c\uff1b]+")


def _not(match: re.Match[str]) -> str:
    verb = match.group(1) or match.group(2)
    return f"{_NOT_SPELT.get(verb, verb)} not"


def fold(text: str) -> str:
    """The matching form of ``text`` (see the module docstring)."""
    return _fold(text[:MAX_CHARS])  # the cache keeps the cut text, never a 1 MB paste


@lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    text = _MARKS.sub("", unicodedata.normalize("NFD", text))
    text = _NOT.sub(_not, text)
    for word, kept in _KEEP.items():
        text = text.replace(word, kept)
    return text


def words(folded: str) -> tuple[str, ...]:
    """Word tokens of folded text; an apostrophe splits (``l'agent`` -> ``l``, ``agent``)."""
    return tuple(_WORD.findall(folded))


def clauses(folded: str, splitters: frozenset[str]) -> list[tuple[str, ...]]:
    """Token lists of the clauses of ``folded``: punctuation and the contrastive words in
    ``splitters`` ("but", "mais") end a clause, so a negation only reaches its own clause."""
    out: list[tuple[str, ...]] = []
    for part in _CLAUSE.split(folded):
        current: list[str] = []
        for word in words(part):
            if word in splitters and current:
                out.append(tuple(current))
                current = []
            else:
                current.append(word)
        if current:
            out.append(tuple(current))
    return out


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """A word-list entry in the tokens it is matched as."""
    return words(fold(phrase))


def find(tokens: tuple[str, ...], phrase: tuple[str, ...], start: int = 0) -> int:
    """Index of the first occurrence of ``phrase`` in ``tokens`` at or after ``start``; -1."""
    n = len(phrase)
    last = len(tokens) - n
    if n == 0 or start > last:
        return -1
    first = phrase[0]
    at = start
    while True:
        try:
            at = tokens.index(first, at, last + 1)  # the scan in C: most phrases are absent
        except ValueError:
            return -1
        if n == 1 or tokens[at : at + n] == phrase:
            return at
        at += 1


def letters_upper_ratio(text: str) -> tuple[int, float]:
    """How many cased letters ``text`` has and which share of them is upper case."""
    head = text[:MAX_CHARS]
    upper = sum(map(str.isupper, head))
    cased = upper + sum(map(str.islower, head))
    return (cased, upper / cased) if cased else (0, 0.0)


def is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def entries(block: str) -> tuple[str, ...]:
    """A word list written as a comma-separated block (one list, many lines, no quotes)."""
    return tuple(" ".join(e.split()) for e in block.split(",") if e.strip())
