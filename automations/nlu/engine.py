"""The NLU layer as the hub sees it: language, intent, knowledge passage, answer.

Built once per configuration (at start and on reload) from ``intents.yaml``, the knowledge
articles and the hub's languages; classification is then pure and synchronous. A
configuration too large to train the full model in line is served by the fast model at once
while the full one trains in the background (``swap.py``); :meth:`NluEngine.serving` says
which model answers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from automations.nlu.cache import config_hash, load_cached, load_or_train
from automations.nlu.errors import ModelCacheError
from automations.nlu.knowledge import ArticleText, KnowledgeIndex
from automations.nlu.language import LanguageDetection
from automations.nlu.local import (
    ClassifierOptions,
    Example,
    LocalClassifier,
    Progress,
    fast_options,
    full_options,
    needs_background,
)
from automations.nlu.result import NluResult, out_of_scope
from automations.nlu.swap import (
    BackgroundTrainer,
    ModelSlot,
    Serving,
    State,
    TrainingJob,
    shared_trainer,
)
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
    """The classifier options a configuration asks for (retention target, in-line limit)."""
    settings = intents.settings
    return ClassifierOptions(
        in_scope_retention=settings.in_scope_retention,
        transformer_up_to=settings.full_model_in_line_up_to,
    )


def _cached(
    cache_dir: Path | None,
    examples: Sequence[Example],
    oos: Sequence[str],
    options: ClassifierOptions,
) -> LocalClassifier | None:
    """The cached model for these inputs, None when absent or unreadable (then retrained)."""
    if cache_dir is None:
        return None
    try:
        return load_cached(cache_dir, config_hash(examples, oos, options))
    except ModelCacheError:
        return None


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
        *,
        full: State = "not needed",
    ) -> None:
        self.intents = intents
        classifier.warm_up()
        self.slot = ModelSlot(classifier, "fast" if full == "training" else "full", full)
        self.languages = languages
        self.default_language = default_language
        self.knowledge = knowledge
        self._by_name = {intent.name: intent for intent in intents.intents}

    @property
    def classifier(self) -> LocalClassifier:
        """The model serving now (the fast one until the full one is swapped in)."""
        return self.slot.classifier

    def serving(self) -> Serving:
        """Which model answers and how the full one is doing (``/readyz``, the log)."""
        return self.slot.status()

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
        background: bool = True,
        trainer: BackgroundTrainer | None = None,
    ) -> NluEngine:
        """Train (or load from ``cache_dir``) everything a configuration needs.

        Without explicit ``options``, the rejection keeps ``settings.in_scope_retention``.
        Past the encoder's in-line limit, the full model comes from the cache when it is
        there; otherwise the fast model serves and ``trainer`` (the process's shared one by
        default) trains the full one. ``background=False`` trains the full model in line."""
        examples, oos = training_examples(intents)
        options = options or options_for(intents)
        knowledge = None
        if articles:
            negatives = oos + [e.text for e in examples]
            knowledge = KnowledgeIndex([_article_text(a) for a in articles], negatives)
        detection = LanguageDetection(languages)
        full = full_options(options)
        if not needs_background(len(examples) + len(oos), options):
            classifier = load_or_train(
                examples, oos, options=options, cache_dir=cache_dir, progress=progress
            )
            return cls(intents, classifier, detection, default_language, knowledge)
        cached = _cached(cache_dir, examples, oos, full)
        if cached is not None or not background:
            classifier = cached or load_or_train(
                examples, oos, options=full, cache_dir=cache_dir, progress=progress
            )
            return cls(intents, classifier, detection, default_language, knowledge)
        fast = load_or_train(
            examples, oos, options=fast_options(options), cache_dir=cache_dir, progress=progress
        )
        engine = cls(intents, fast, detection, default_language, knowledge, full="training")
        job = TrainingJob.of(examples, oos, full, cache_dir)
        (trainer or shared_trainer()).submit(job, engine.slot.swap, engine.slot.failed)
        return engine

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
