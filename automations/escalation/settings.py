"""``escalation.yaml`` compiled once into what the detectors read per message.

Word lists are folded, tokenised and merged with the operator's additions and removals once
per configuration (a few milliseconds), never per message. A configuration without the file
gets the shipped defaults (:class:`config.escalation.EscalationFile` with no keys).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from automations.escalation.lexicon_mood import MILD, STRONG
from automations.escalation.lexicon_request import DEFAULTS as REQUEST_WORDS
from automations.escalation.lexicon_topics import SALES, SENSITIVE
from automations.escalation.phrases import PhraseSet
from automations.escalation.request_matcher import RequestMatcher
from automations.escalation.request_words import RequestWords
from config.escalation import EscalationFile, WordOverride

SUBSTRING_LANGUAGES = frozenset({"zh", "ja"})
FALLBACK_LANGUAGE = "en"
_EMPTY = RequestWords((), (), (), (), (), (), (), (), (), ())


@dataclass(frozen=True)
class LanguagePack:
    request: RequestMatcher
    sensitive: PhraseSet
    sales: PhraseSet
    strong: PhraseSet
    mild: PhraseSet


@dataclass(frozen=True)
class DetectorSettings:
    file: EscalationFile
    packs: Mapping[str, LanguagePack]

    def pack(self, language: str) -> LanguagePack | None:
        return self.packs.get(language)

    def languages_for(self, language: str) -> tuple[LanguagePack, ...]:
        """The message's language first, then English (customers mix in English words)."""
        first, fallback = self.packs.get(language), self.packs.get(FALLBACK_LANGUAGE)
        if first is None:
            return () if fallback is None else (fallback,)
        return (first,) if fallback is None or fallback is first else (first, fallback)

    def enabled(self, kind: str, inbox: str) -> bool:
        policy = self.file.signals.of(kind)
        override = self.file.inboxes.get(inbox)
        return policy.enabled and not (override is not None and kind in override.disabled)


def _pack(language: str, words: Mapping[str, WordOverride]) -> LanguagePack:
    none = WordOverride()
    substring = language in SUBSTRING_LANGUAGES

    def edit(name: str) -> WordOverride:
        return words.get(name, none)

    req, topics, negs = edit("explicit_request"), edit("not_request"), edit("negation")
    keywords = edit("sales_moment")
    mood = edit("frustration")
    return LanguagePack(
        request=RequestMatcher.build(
            REQUEST_WORDS.get(language, _EMPTY),
            add=req.add,
            remove=req.remove,
            topics_add=topics.add,
            topics_remove=topics.remove,
            negations_add=negs.add,
            negations_remove=negs.remove,
            substring=substring,
        ),
        sensitive=PhraseSet.build(
            SENSITIVE.get(language, {}), edit("sensitive").add, edit("sensitive").remove, substring
        ),
        sales=PhraseSet.build(SALES.get(language, {}), keywords.add, keywords.remove, substring),
        strong=PhraseSet.build(
            {"strong": STRONG.get(language, ())}, mood.add, mood.remove, substring
        ),
        mild=PhraseSet.build({"mild": MILD.get(language, ())}, (), mood.remove, substring),
    )


def build_settings(file: EscalationFile | None = None) -> DetectorSettings:
    file = file or EscalationFile()
    languages = set(REQUEST_WORDS) | set(file.words)
    packs = {}
    for language in sorted(languages):
        words: dict[str, WordOverride] = {
            str(k): v for k, v in file.words.get(language, {}).items()
        }
        extra = file.signals.sales_moment.keywords.get(language, ())
        if extra:
            sales = words.get("sales_moment", WordOverride())
            words["sales_moment"] = WordOverride(add=(*sales.add, *extra), remove=sales.remove)
        packs[language] = _pack(language, words)
    return DetectorSettings(file, packs)


_cache: dict[int, tuple[EscalationFile | None, DetectorSettings]] = {}
_lock = threading.Lock()


def settings_for(file: EscalationFile | None) -> DetectorSettings:
    """:func:`build_settings`, once per configuration object (a reload builds anew)."""
    key = id(file)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] is file:
            return cached[1]
    built = build_settings(file)
    with _lock:
        if len(_cache) > 8:
            _cache.clear()
        _cache[key] = (file, built)
    return built
