"""The NLU layer as the hub sees it: language, intent, knowledge passage, answer.

Built once per configuration (at start and on reload) from ``intents.yaml``, the knowledge
articles and the hub's languages; classification is then pure and synchronous.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from automations.nlu.cache import load_or_train
from automations.nlu.knowledge import ArticleText, KnowledgeIndex
from automations.nlu.language import LanguageDetection
from automations.nlu.local import ClassifierOptions, Example, LocalClassifier, Progress
from automations.nlu.result import NluResult, out_of_scope
from config.hub import QuickButton
from config.intents import CONFIRM_NO as CONFIRM_NO
from config.intents import CONFIRM_YES as CONFIRM_YES
from config.intents import IntentsFile
from config.knowledge import KnowledgeArticle

"""Button payloads of "Did this answer your question?"; "no" is an event rules can act on."""

_CONFIRM_TEXT = {
    "en": ("Did this answer your question?", "Yes", "No"),
    "fr": ("Cette réponse vous a-t-elle aidé ?", "Oui", "Non"),
    "es": ("¿Hemos respondido a su pregunta?", "Sí", "No"),
}


def confirm_prompt(language: str) -> tuple[str, tuple[QuickButton, ...]]:
    """The follow-up question and its yes/no buttons, in ``language`` (English otherwise)."""
    question, yes, no = _CONFIRM_TEXT.get(language, _CONFIRM_TEXT["en"])
    return question, (
        QuickButton(id=CONFIRM_YES, title={language: yes}),
        QuickButton(id=CONFIRM_NO, title={language: no}),
    )


@dataclass(frozen=True, slots=True)
class PlannedAnswer:
    """What to send for a matched intent, in the chosen language."""

    intent: str
    language: str
    text: str | None
    snippet: str | None
    buttons: tuple[QuickButton, ...]
    confirm: bool


def training_examples(intents: IntentsFile) -> tuple[list[Example], list[str]]:
    """Examples of every language pooled: an intent is the same whatever the language."""
    examples = [
        Example(text, intent.name)
        for intent in intents.intents
        for texts in intent.examples.values()
        for text in texts
    ]
    oos = [text for texts in intents.out_of_scope.values() for text in texts]
    return examples, oos


def options_for(intents: IntentsFile) -> ClassifierOptions:
    """The classifier options a configuration asks for (its retention target)."""
    return ClassifierOptions(in_scope_retention=intents.settings.in_scope_retention)


def _article_text(article: KnowledgeArticle | ArticleText) -> ArticleText:
    return ArticleText(article.title, article.url, article.language, article.body)


class NluEngine:
    """Local NLU: language detection, the local classifier and knowledge retrieval."""

    def __init__(
        self,
        intents: IntentsFile,
        classifier: LocalClassifier,
        languages: LanguageDetection,
        default_language: str,
        knowledge: KnowledgeIndex | None = None,
    ) -> None:
        self.intents = intents
        self.classifier = classifier
        self.languages = languages
        self.default_language = default_language
        self.knowledge = knowledge
        self._by_name = {intent.name: intent for intent in intents.intents}
        classifier.warm_up()

    @classmethod
    def build(
        cls,
        intents: IntentsFile,
        languages: Sequence[str],
        default_language: str,
        articles: Sequence[KnowledgeArticle | ArticleText] = (),
        *,
        cache_dir: Path | None = None,
        options: ClassifierOptions | None = None,
        progress: Progress | None = None,
    ) -> NluEngine:
        """Train (or load from ``cache_dir``) everything a configuration needs.

        Without explicit ``options``, the rejection keeps ``settings.in_scope_retention``."""
        examples, oos = training_examples(intents)
        options = options or options_for(intents)
        classifier = load_or_train(
            examples, oos, options=options, cache_dir=cache_dir, progress=progress
        )
        knowledge = None
        if articles:
            negatives = oos + [e.text for e in examples]
            knowledge = KnowledgeIndex([_article_text(a) for a in articles], negatives)
        return cls(intents, classifier, LanguageDetection(languages), default_language, knowledge)

    def detect_language(self, text: str) -> str | None:
        """A declared language if the text says which, else None (keep the current one)."""
        guess = self.languages.detect(text)
        return guess.language if guess else None

    def classify(self, text: str, language: str | None = None) -> NluResult:
        """Intent, or a knowledge passage, or out-of-scope. ``language`` is the
        conversation's when known; otherwise it is detected, then the default."""
        language = language or self.detect_language(text) or self.default_language
        result = self.classifier.classify(text, language)
        return self.with_knowledge(result, text)

    def with_knowledge(self, result: NluResult, text: str) -> NluResult:
        """Offer an article passage when no intent matched and one scores high enough."""
        if not result.out_of_scope or self.knowledge is None or not text.strip():
            return result
        hit = self.knowledge.search(text, result.language)
        if hit is None:
            return result
        return dataclasses.replace(result, provider="knowledge", out_of_scope=False, article=hit)

    def answer(self, result: NluResult) -> PlannedAnswer | None:
        """The configured answer for a matched intent, in the result's language when the
        intent has one there, else the default language."""
        if result.intent is None or result.out_of_scope:
            return None
        intent = self._by_name.get(result.intent)
        if intent is None:  # e.g. a Dialogflow intent with no answer configured here
            return None
        language = result.language or self.default_language
        text = None
        if intent.answer.text is not None:
            if language not in intent.answer.text:
                language = self.default_language
            text = intent.answer.text.get(language) or next(iter(intent.answer.text.values()))
        return PlannedAnswer(
            intent=intent.name,
            language=language,
            text=text,
            snippet=intent.answer.snippet,
            buttons=intent.answer.buttons,
            confirm=self.intents.settings.confirm_answer,
        )


def unknown(language: str | None) -> NluResult:
    """The result for text no provider can read (kept here so the hub needs one import)."""
    return out_of_scope("none", language)
