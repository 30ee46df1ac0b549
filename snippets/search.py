"""Finding a snippet from what an agent typed after ``/``: shortcut first, then fuzzy.

A shortcut the query starts (``/ack`` for ``ack-ticket``) is what a practised agent types,
so those come first, the exact one before longer ones. Then titles, tags and names that
look like the query (rapidfuzz's weighted ratio: word order, partial words and typos), best
first. An empty query lists every snippet, in file order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from rapidfuzz import fuzz, utils

from config.snippets import Snippet

#: a fuzzy score (0-100) below this is noise, not a suggestion
MIN_SCORE = 70.0

Matched = Literal["", "shortcut", "title", "tag", "name"]


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One suggestion; ``matched`` says what matched (empty for an empty query)."""

    name: str
    command: str
    title: str
    score: float
    matched: Matched


def _hit(snippet: Snippet, score: float, matched: Matched) -> SearchHit:
    return SearchHit(snippet.name, snippet.command, snippet.title, score, matched)


def find(snippets: Sequence[Snippet], query: str, limit: int = 10) -> tuple[SearchHit, ...]:
    """Up to ``limit`` snippets for ``query`` (with or without its leading ``/``)."""
    wanted = query.strip().removeprefix("/").strip().casefold()
    if limit <= 0:
        return ()
    if not wanted:
        return tuple(_hit(s, 100.0, "") for s in snippets[:limit])
    by_shortcut = sorted(
        (s for s in snippets if s.command.startswith(wanted)),
        key=lambda s: (s.command != wanted, len(s.command)),
    )
    hits = [_hit(s, 100.0, "shortcut") for s in by_shortcut]
    taken = {s.name for s in by_shortcut}
    fuzzy: list[tuple[float, int, SearchHit]] = []
    for position, snippet in enumerate(snippets):
        if snippet.name in taken:
            continue
        best = _best(snippet, wanted)
        if best is not None:
            fuzzy.append((-best[0], position, _hit(snippet, best[0], best[1])))
    hits += [hit for _, _, hit in sorted(fuzzy, key=lambda item: item[:2])]
    return tuple(hits[:limit])


def _best(snippet: Snippet, wanted: str) -> tuple[float, Matched] | None:
    """The best score of ``wanted`` against what describes ``snippet``, if any is close."""
    candidates: list[tuple[str, Matched]] = [(snippet.title, "title")]
    candidates += [(tag, "tag") for tag in snippet.tags]
    candidates.append((snippet.name.replace("-", " ").replace("_", " "), "name"))
    best: tuple[float, Matched] | None = None
    for text, matched in candidates:
        if not text:
            continue
        score = fuzz.WRatio(wanted, text, processor=utils.default_process)
        if score >= MIN_SCORE and (best is None or score > best[0]):
            best = (score, matched)
    return best
