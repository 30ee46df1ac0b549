"""The demo configuration the web chat serves: bilingual FAQ and knowledge articles."""

from __future__ import annotations

import pytest

from automations.nlu.engine import NluEngine


def test_demo_has_a_bilingual_faq_of_at_least_15_intents(demo_engine: NluEngine):
    intents = demo_engine.intents.intents
    assert len(intents) >= 15
    for intent in intents:
        assert set(intent.examples) >= {"en", "fr"}
        # an answer is its own text in both languages, or a snippet (checked by hub check)
        assert intent.answer.text is not None or intent.answer.snippet is not None
        if intent.answer.text is not None:
            assert set(intent.answer.text) >= {"en", "fr"}


@pytest.mark.parametrize(
    ("text", "intent", "language"),
    [
        ("Do you offer a free trial?", "free_trial", "en"),
        ("Est-ce qu'il y a un essai gratuit ?", "free_trial", "fr"),
        ("how can I get my invoice for last month", "invoices", "en"),
        ("comment résilier mon abonnement", "cancel_subscription", "fr"),
        ("What time do you open on Monday?", "opening_hours", "en"),
    ],
)
def test_demo_answers_faq_in_english_and_french(demo_engine: NluEngine, text, intent, language):
    result = demo_engine.classify(text)
    assert (result.intent, result.language) == (intent, language)
    answer = demo_engine.answer(result)
    assert answer is not None
    assert answer.text
    assert answer.confirm  # "Did this answer your question?" follows


def test_demo_offers_a_knowledge_article_when_no_intent_matches(demo_engine: NluEngine):
    result = demo_engine.classify("can I export my projects as CSV?")
    assert result.intent is None
    assert result.provider == "knowledge"
    assert result.article is not None
    assert result.article.url == "https://demo.example/help/export"
    assert result.article.score >= result.article.threshold
    french = demo_engine.classify("comment exporter mes projets en JSON ?")
    assert french.article is not None
    assert french.article.url == "https://demo.example/fr/aide/export"


def test_demo_rejects_what_neither_intents_nor_articles_cover(demo_engine: NluEngine):
    result = demo_engine.classify("what is the weather in Lisbon next week?")
    assert result.out_of_scope
    assert result.article is None


def test_confirm_prompt_follows_the_answer_language():
    from automations.nlu.engine import CONFIRM_NO, CONFIRM_YES, confirm_prompt

    question, buttons = confirm_prompt("fr")
    assert question == "Cette réponse vous a-t-elle aidé ?"
    assert [b.id for b in buttons] == [CONFIRM_YES, CONFIRM_NO]
    assert buttons[0].title == {"fr": "Oui"}
    assert confirm_prompt("de")[0] == "Did this answer your question?"
