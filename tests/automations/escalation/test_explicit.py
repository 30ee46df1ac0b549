"""The explicit request for a person: positives in four languages, negations, topic words,
typos and casing, and the operator's word-list overrides."""

from __future__ import annotations

import pytest

from automations.escalation import build_settings, detect_one
from config.escalation import EscalationFile

from .helpers import inp

SETTINGS = build_settings()


def score(text: str, language: str) -> tuple[bool, str]:
    signal = detect_one("explicit_request", inp(text, language), SETTINGS)
    return signal.strong, signal.evidence[0].detail if signal.evidence else ""


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "talk to a human"),
        ("en", "I want to speak to a real person"),
        ("en", "AGENT!!!"),
        ("en", "representative please"),
        ("en", "why can't I talk to a human?"),
        ("en", "I don't know how to reach an operator"),
        ("en", "I don't need a bot, I need a human"),
        ("en", "I hate this bot"),
        ("en", "put me through to someone"),
        ("en", "what do I have to do to speak to an operator"),
        ("fr", "je veux parler à un conseiller"),
        ("fr", "Je veux parler a un conseiller"),
        ("fr", "un humain svp"),
        ("fr", "passez-moi quelqu'un"),
        ("fr", "je ne veux pas parler à un robot"),
        ("fr", "je n'arrive pas à joindre un conseiller"),
        ("fr", "est-ce qu'un humain peut me répondre ?"),
        ("en", "is there a human who can help me"),
        ("es", "hay alguien que me pueda ayudar"),
        ("es", "quiero hablar con un agente"),
        ("es", "hablar con una persona real por favor"),
        ("es", "no puedo hablar con un agente"),
        ("zh", "转人工"),
        ("zh", "我要人工客服"),
        ("zh", "不要机器人"),
    ],
)
def test_requests_for_a_person_are_strong(language: str, text: str) -> None:
    assert score(text, language)[0], text


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "no need for an agent"),
        ("en", "I don't want to talk to a human"),
        ("en", "I never want to speak to a representative"),
        ("fr", "je ne veux pas de conseiller"),
        ("fr", "pas besoin d'un conseiller"),
        ("fr", "je ne veux pas parler à un conseiller"),
        ("es", "no necesito un agente"),
        ("es", "no quiero hablar con una persona"),
        ("zh", "我不需要人工"),
    ],
)
def test_negated_requests_are_not(language: str, text: str) -> None:
    strong, detail = score(text, language)
    assert not strong, text
    # when the request itself was found, the evidence says what negated it
    assert detail == "" or detail.startswith("negated"), detail


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "human resources asked for my payslip"),
        ("en", "what are the agent fees?"),
        ("en", "I want to talk to an insurance agent near my house"),
        ("en", "someone used my card"),
        ("en", "I'm not a robot"),
        ("en", "I want to manage my account myself"),
        ("en", "I was talking to an agent yesterday"),
        ("fr", "mon conseiller m'a dit de faire un virement"),
        ("fr", "quelqu'un a utilisé ma carte"),
        ("fr", "quels sont les horaires du service client ?"),
        ("fr", "personne ne répond"),
        ("fr", "les ressources humaines"),
        ("fr", "j'ai parlé à un conseiller hier"),
        ("es", "recursos humanos"),
        ("zh", "人工智能是什么"),
        ("en", "how do I contact customer service"),
        ("en", "Do I need to talk to an agent to close my account?"),
        ("fr", "est-ce que je dois appeler un conseiller pour ça ?"),
    ],
)
def test_topic_words_and_mentions_are_not_requests(language: str, text: str) -> None:
    assert not score(text, language)[0], text


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "i need assistance speakign to a human agent"),
        ("en", "how to speak tosomebody"),
        ("en", "representive please"),
        ("en", "TALK TO A HUMAN"),
        ("fr", "je veux parler à un conseillé"),
        ("fr", "JE VEUX PARLER A UN CONSEILLER"),
    ],
)
def test_typos_and_casing_are_forgiven(language: str, text: str) -> None:
    assert score(text, language)[0], text


def test_real_words_near_a_list_word_are_not_corrected() -> None:
    assert not score("my personal assistance plan", "en")[0]


def test_evidence_names_the_message_and_the_phrase() -> None:
    signal = detect_one("explicit_request", inp("I want to talk to a human"), SETTINGS)
    assert signal.kind == "explicit_request"
    assert signal.evidence[0].message_ids == ("m",)
    assert "talk to a human" in signal.evidence[0].matched
    assert signal.score >= signal.threshold


def test_english_is_read_in_a_french_conversation() -> None:
    assert score("talk to a human please", "fr")[0]


def test_operator_overrides_add_a_phrase_and_a_topic_and_remove_a_word() -> None:
    file = EscalationFile.model_validate(
        {
            "words": {
                "en": {
                    "explicit_request": {"add": ["customer service"], "remove": ["operator"]},
                    "not_request": {"add": ["agent portal"]},
                }
            }
        }
    )
    settings = build_settings(file)

    def strong(text: str) -> bool:
        return detect_one("explicit_request", inp(text), settings).strong

    assert strong("I want customer service")
    assert not strong("I don't want customer service")  # negation still applies
    assert not strong("I want to talk to an operator")
    assert not strong("log in to the agent portal")
    assert strong("talk to a human")


def test_threshold_comes_from_config() -> None:
    file = EscalationFile.model_validate({"signals": {"explicit_request": {"threshold": 0.99}}})
    signal = detect_one("explicit_request", inp("talk to a human"), build_settings(file))
    assert signal.score > 0.9
    assert not signal.strong
