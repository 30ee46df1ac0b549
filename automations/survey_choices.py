"""Understanding a typed answer to a choice question: exact, mentioned, or close enough.

Kept apart from the survey state machine (``automations/surveys.py``) because it is the one
part tuned on real typing (typos, accents, aliases, CJK without spaces) and tested alone.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process

from automations.matching import normalise
from config.automation_types import all_texts
from config.fields import FieldDef

#: below this rapidfuzz score a typed answer is not taken for a choice; one typo in a short
#: word costs more points, so short answers get a lower bar
FUZZY_CUTOFF = 80.0
FUZZY_CUTOFF_SHORT = 75.0
#: a best match must beat another choice's by this much, else it is ambiguous
FUZZY_MARGIN = 6.0


def is_cjk(text: str) -> bool:
    return any("\u3040" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af" for ch in text)


Candidates = tuple[tuple[str, str], ...]


def choice_candidates(spec: FieldDef) -> Candidates:
    """(normalised spelling, choice value) for every way of naming every choice."""
    pairs: list[tuple[str, str]] = []
    for choice in spec.choices:
        for spelling in (choice.value, *all_texts(choice.label), *choice.aliases):
            key = normalise(spelling)
            if key and (key, choice.value) not in pairs:
                pairs.append((key, choice.value))
    return tuple(pairs)


def fuzzy_choice(candidates: Candidates, text: str) -> str | None:
    """Exact (normalised) match, then a whole-word mention, then a close spelling."""
    typed = normalise(text)
    if not typed:
        return None
    exact = {value for key, value in candidates if key == typed}
    if len(exact) == 1:
        return exact.pop()
    padded = f" {typed} "
    mentioned = {
        value
        for key, value in candidates
        if (f" {key} " in padded) or (is_cjk(key) and key in typed)
    }
    if len(mentioned) == 1:
        return mentioned.pop()
    keys = [key for key, _ in candidates]
    cutoff = FUZZY_CUTOFF_SHORT if len(typed) <= 5 else FUZZY_CUTOFF
    scored = process.extract(typed, keys, scorer=fuzz.ratio, limit=len(keys), score_cutoff=cutoff)
    if not scored:
        return None
    _, best_score, best_index = scored[0]
    best_value = candidates[best_index][1]
    for _key, score, index in scored[1:]:
        if candidates[index][1] != best_value and best_score - score < FUZZY_MARGIN:
            return None  # two choices are about as close: ask again rather than guess
    return best_value
