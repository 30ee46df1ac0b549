"""One language's request word lists, compiled once: folded, tokenised, longest first, and
the typo corrector that maps a misspelt word onto them.

Typos are forgiven by rapidfuzz on single words (same first letter, at most one character
longer or shorter, two for long words, ratio >= 85; four-letter words only with one letter
changed inside), so "speakign to an operater" still counts while "personal" does not become
"person".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from automations.escalation.request_words import RequestWords
from automations.escalation.text import entries, fold, phrase_tokens

Tokens = tuple[str, ...]

#: real words a typo-corrector must leave alone (they are one letter off a list word)
NOT_TYPOS = frozenset(
    entries(
        """
        agence, agency, agenda, assistance, cell, chap, contract, contracts, employ, employs,
        humane, humano, humor, humour, manage, managed, operation, persona, personal, personnel,
        speaker, tale, talks
        """
    )
)
#: after a clause-initial "no"/"non" these make it an answer, not a negation ("no, I want...")
_FUZZY_CUTOFF = 85.0


def _edit(words: tuple[str, ...], add: tuple[str, ...], remove: frozenset[str]) -> Tokens:
    return tuple(w for w in (*words, *add) if w not in remove)


@dataclass(frozen=True)
class RequestMatcher:
    """One language's request lists, folded and tokenised once."""

    persons: tuple[Tokens, ...]
    cue_only: frozenset[Tokens]
    cues: tuple[Tokens, ...]
    near_cues: tuple[Tokens, ...]
    fillers: frozenset[str]
    standalone: frozenset[str]
    bots: frozenset[str]
    refusals: tuple[Tokens, ...]
    negations: tuple[Tokens, ...]
    inabilities: frozenset[str]
    topics: tuple[Tokens, ...]
    phrases: tuple[Tokens, ...]
    splitters: frozenset[str]
    past: frozenset[str]
    after: tuple[Tokens, ...]
    requirement: tuple[Tokens, ...]
    #: Chinese: phrases are substrings of the folded text
    substring: bool
    raw_phrases: tuple[str, ...]
    raw_topics: tuple[str, ...]
    raw_negations: tuple[str, ...]
    raw_bots: tuple[str, ...]
    raw_refusals: tuple[str, ...]
    vocabulary: tuple[str, ...]
    known: frozenset[str]
    #: what may stand before a list word run into it ("to" + "somebody")
    joinable: frozenset[str]

    @classmethod
    def build(
        cls,
        words: RequestWords,
        add: tuple[str, ...] = (),
        remove: tuple[str, ...] = (),
        topics_add: tuple[str, ...] = (),
        topics_remove: tuple[str, ...] = (),
        negations_add: tuple[str, ...] = (),
        negations_remove: tuple[str, ...] = (),
        substring: bool = False,
    ) -> RequestMatcher:
        gone = frozenset(remove)

        def toks(items: tuple[str, ...]) -> tuple[Tokens, ...]:
            return tuple(sorted({t for t in map(phrase_tokens, items) if t}, key=len, reverse=True))

        persons = toks(_edit(words.persons, (), gone))
        cues = toks(_edit(words.cues, (), gone))
        near = toks(_edit(words.near_cues, (), gone))
        phrases_raw = _edit(words.phrases, add, gone)
        topics_raw = _edit(words.topics, topics_add, frozenset(topics_remove))
        negations_raw = _edit(words.negations, negations_add, frozenset(negations_remove))
        single = {p[0] for p in (*persons, *cues) if len(p) == 1 and len(p[0]) >= 4}
        known = {w for group in (persons, cues, near) for p in group for w in p}
        known |= {fold(w) for w in (*words.fillers, *words.standalone, *words.bots)}
        return cls(
            persons=persons,
            cue_only=frozenset(phrase_tokens(p) for p in words.cue_only),
            cues=cues,
            near_cues=near,
            fillers=frozenset(fold(w) for w in words.fillers),
            standalone=frozenset(fold(w) for w in words.standalone),
            bots=frozenset(fold(w) for w in words.bots),
            refusals=toks(words.bot_refusals),
            negations=toks(negations_raw),
            inabilities=frozenset(fold(w) for w in words.inabilities),
            topics=toks(topics_raw),
            phrases=toks(phrases_raw),
            splitters=frozenset(fold(w) for w in words.splitters),
            past=frozenset(fold(w) for w in words.past),
            after=toks(words.after),
            requirement=toks(words.requirement),
            substring=substring,
            raw_phrases=tuple(sorted({fold(p) for p in phrases_raw}, key=len, reverse=True)),
            raw_topics=tuple(fold(t) for t in topics_raw),
            raw_negations=tuple(fold(n) for n in negations_raw),
            raw_bots=tuple(fold(b) for b in words.bots),
            raw_refusals=tuple(fold(r) for r in words.bot_refusals),
            vocabulary=tuple(sorted(single)),
            known=frozenset(known),
            joinable=frozenset(known) | frozenset(fold(w) for w in words.fillers),
        )


@lru_cache(maxsize=16384)
def _corrected(word: str, vocabulary: tuple[str, ...]) -> str:
    if len(word) < 4 or word in NOT_TYPOS:
        return word
    if len(word) == 4:  # one letter changed inside a short word: "taok" -> "talk"
        return next(
            (
                v
                for v in vocabulary
                if len(v) == 4
                and v[0] == word[0]
                and v[3] == word[3]
                and sum(a != b for a, b in zip(v, word, strict=True)) == 1
            ),
            word,
        )
    best = process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=_FUZZY_CUTOFF)
    if best is None:
        return word
    candidate = str(best[0])
    slack = 2 if len(word) >= 9 else 1
    if candidate[0] != word[0] or abs(len(candidate) - len(word)) > slack:
        return word
    return candidate


@lru_cache(maxsize=16384)
def _repaired(word: str, vocabulary: tuple[str, ...], joinable: frozenset[str]) -> Tokens:
    """One unknown word as the words it stands for: split when two words ran together,
    else typo-corrected (itself when nothing is close)."""
    for v in vocabulary:
        if word.endswith(v) and word[: -len(v)] in joinable:
            return (word[: -len(v)], v)
    return (_corrected(word, vocabulary),)


def normalise(tokens: Tokens, m: RequestMatcher) -> tuple[Tokens, bool]:
    """Typos corrected and run-together words split ("tosomebody" -> "to somebody")."""
    out: list[str] = []
    typo = False
    for word in tokens:
        if word in m.known or word.isdigit():
            out.append(word)
            continue
        repaired = _repaired(word, m.vocabulary, m.joinable)
        typo |= repaired != (word,)
        out += repaired
    return tuple(out), typo
