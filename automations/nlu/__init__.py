"""NLU layer: FAQ intents, "I don't know", language detection, knowledge articles.

Pure: text in, :class:`NluResult` out. The hub builds one :class:`NluEngine` per configuration
(``NluEngine.build``), calls ``engine.classify(text, language)`` per message and
``engine.answer(result)`` for what to send; with ``provider: dialogflow_cx`` it wraps the engine
in ``automations.nlu.dialogflow.DialogflowCxProvider`` and awaits
``provider.classify(text, conversation_id, language)`` (imported from its module, so the Google
SDK is only loaded by configurations that use it).
"""

from automations.nlu.engine import (
    CONFIRM_NO,
    CONFIRM_YES,
    NluEngine,
    PlannedAnswer,
    confirm_prompt,
)
from automations.nlu.errors import (
    DatasetError,
    ModelCacheError,
    NluError,
    ProviderError,
    TrainingError,
)
from automations.nlu.language import LanguageDetection, LanguageGuess
from automations.nlu.local import ClassifierOptions, Example, LocalClassifier
from automations.nlu.result import Candidate, KnowledgeHit, NluResult

__all__ = [
    "CONFIRM_NO",
    "CONFIRM_YES",
    "Candidate",
    "ClassifierOptions",
    "DatasetError",
    "Example",
    "KnowledgeHit",
    "LanguageDetection",
    "LanguageGuess",
    "LocalClassifier",
    "ModelCacheError",
    "NluEngine",
    "NluError",
    "NluResult",
    "PlannedAnswer",
    "ProviderError",
    "TrainingError",
    "confirm_prompt",
]
