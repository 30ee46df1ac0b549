"""Language detection restricted to the configured languages."""

from __future__ import annotations

import pytest

from automations.nlu.errors import NluError
from automations.nlu.language import LanguageDetection


@pytest.fixture(scope="module")
def detector() -> LanguageDetection:
    return LanguageDetection(["en", "fr"])


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("How do I reset my password?", "en"),
        ("Comment réinitialiser mon mot de passe ?", "fr"),
        ("Bonjour, je voudrais annuler mon abonnement", "fr"),
        ("I would like to cancel my subscription please", "en"),
    ],
)
def test_detects_declared_languages(detector, text, language):
    guess = detector.detect(text)
    assert guess is not None
    assert guess.language == language
    assert 0 < guess.confidence <= 1


@pytest.mark.parametrize("text", ["", "   ", "😀🎉", "ok", "12345", "?!"])
def test_no_signal_gives_no_language(detector, text):
    assert detector.detect(text) is None


def test_only_declared_languages_are_returned(detector):
    guess = detector.detect("¿Dónde está mi factura del mes pasado?")
    assert guess is None or guess.language in ("en", "fr")
    mixed = detector.detect("пароль 密码 password reset please")
    assert mixed is None or mixed.language in ("en", "fr")


def test_single_language_always_wins_when_there_are_letters():
    only = LanguageDetection(["fr"])
    guess = only.detect("where is my invoice")
    assert guess is not None
    assert guess.language == "fr"


def test_unknown_language_code_is_an_error():
    with pytest.raises(NluError, match="xx"):
        LanguageDetection(["en", "xx"])
