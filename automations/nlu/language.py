"""Language detection restricted to the languages the configuration declares.

Restricting lingua to the hub's languages makes short messages far more reliable (``merci``
cannot be guessed as Catalan when only English and French are served) and keeps memory low.
The caller decides precedence: a survey answer or an agent's choice always beats detection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from automations.nlu.errors import NluError
from automations.nlu.text import has_letters

MIN_LETTERS = 3
"""Fewer letters than this ("ok", "?") carry no usable language signal."""


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    language: str
    confidence: float


class LanguageDetection:
    """Detects one of ``languages`` (ISO 639-1 codes, as in ``hub.yaml``) or nothing."""

    def __init__(self, languages: Sequence[str], min_confidence: float = 0.6) -> None:
        if not languages:
            raise NluError("language detection needs at least one language")
        self.languages = tuple(dict.fromkeys(code.lower() for code in languages))
        self.min_confidence = min_confidence
        self._by_lingua: dict[Language, str] = {}
        unknown = []
        for code in self.languages:
            try:
                iso = IsoCode639_1.from_str(code.split("-")[0])
                self._by_lingua[Language.from_iso_code_639_1(iso)] = code
            except ValueError:
                unknown.append(code)
        if unknown:
            raise NluError(f"language detection does not know {', '.join(unknown)}")
        self._detector: LanguageDetector = LanguageDetectorBuilder.from_languages(
            *self._by_lingua
        ).build()

    def detect(self, text: str) -> LanguageGuess | None:
        """The most likely declared language, or None when the text does not say (emoji,
        digits, a word shared by several languages, confidence below ``min_confidence``)."""
        sample = text[:500]
        if sum(ch.isalpha() for ch in sample) < MIN_LETTERS or not has_letters(sample):
            return None
        if len(self.languages) == 1:  # nothing to choose from
            return LanguageGuess(self.languages[0], 1.0)
        values = self._detector.compute_language_confidence_values(sample)
        if not values or values[0].value <= 0:
            return None
        best = values[0]
        if best.value < self.min_confidence:
            return None
        return LanguageGuess(self._by_lingua[best.language], float(best.value))
