"""Whole-word phrase lists with a category per phrase (sensitive topics, sales, moods).

Matching joins the folded words with single spaces and looks for `` phrase `` in it: a few
microseconds for a hundred phrases, and "sue" never matches inside "issue". Chinese phrase
sets match substrings of the folded text instead, since Chinese has no spaces.

An entry ``a|b ~ c|d`` is a pair: one of the left phrases and one of the right ones within
:data:`PAIR_WINDOW` words of each other, in either order ("a purchase that I didn't make",
"I lost my credit card"), which natural phrasing needs and a fixed phrase cannot cover.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from automations.escalation.text import fold, words


@dataclass(frozen=True, slots=True)
class Hit:
    phrase: str
    category: str


PAIR_WINDOW = 8


@dataclass(frozen=True, slots=True)
class Pair:
    left: tuple[str, ...]
    right: tuple[str, ...]
    category: str
    label: str


def _positions(hay: str, phrase: str) -> list[int]:
    """Word indexes where `` phrase `` starts in the space-joined ``hay``."""
    out = []
    at = hay.find(f" {phrase} ")
    while at >= 0:
        out.append(hay.count(" ", 0, at))
        at = hay.find(f" {phrase} ", at + 1)
    return out


@dataclass(frozen=True)
class PhraseSet:
    #: (folded phrase, category), longest first so the evidence quotes the fullest phrase
    entries: tuple[tuple[str, str], ...]
    substring: bool = False
    pairs: tuple[Pair, ...] = ()
    #: what is looked for in the haystack, one per entry (`` phrase `` for whole words)
    needles: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        categories: Mapping[str, tuple[str, ...]],
        add: tuple[str, ...] = (),
        remove: tuple[str, ...] = (),
        substring: bool = False,
    ) -> PhraseSet:
        gone = {cls._key(p, substring) for p in remove}
        entries: dict[str, str] = {}
        pairs: list[Pair] = []
        for category, phrases in (*categories.items(), ("custom", add)):
            for phrase in phrases:
                if "~" in phrase and not substring and phrase not in remove:
                    left, right = (
                        tuple(cls._key(p, False) for p in side.split("|"))
                        for side in phrase.split("~", 1)
                    )
                    pairs.append(Pair(left, right, category, phrase))
                    continue
                key = cls._key(phrase, substring)
                if key and key not in gone:
                    entries.setdefault(key, category)
        ordered = sorted(entries.items(), key=lambda e: len(e[0]), reverse=True)
        needles = tuple(p if substring else f" {p} " for p, _ in ordered)
        return cls(tuple(ordered), substring, tuple(pairs), needles)

    def _pair(self, pair: Pair, hay: str) -> str | None:
        lefts = [(i, p) for p in pair.left for i in _positions(hay, p)]
        if not lefts:
            return None
        for p in pair.right:
            for j in _positions(hay, p):
                for i, q in lefts:
                    if abs(i - j) <= PAIR_WINDOW and (i != j or p != q):
                        return f"{q} ~ {p}"
        return None

    @staticmethod
    def _key(phrase: str, substring: bool) -> str:
        folded = fold(phrase)
        return folded.strip() if substring else " ".join(words(folded))

    def haystack(self, text: str) -> str:
        folded = fold(text)
        return folded if self.substring else f" {' '.join(words(folded))} "

    def hits(self, text: str, haystack: str | None = None) -> list[Hit]:
        """Every phrase found (one per category: the longest)."""
        hay = self.haystack(text) if haystack is None else haystack
        found: dict[str, Hit] = {}
        for (phrase, category), needle in zip(self.entries, self.needles, strict=True):
            if needle in hay and category not in found:
                found[category] = Hit(phrase, category)
        for pair in self.pairs:
            if pair.category not in found:
                said = self._pair(pair, hay)
                if said is not None:
                    found[pair.category] = Hit(said, pair.category)
        return list(found.values())

    def count(self, haystack: str) -> list[str]:
        """Every phrase present (for scoring by how many cues a message has)."""
        return [p for (p, _), n in zip(self.entries, self.needles, strict=True) if n in haystack]
