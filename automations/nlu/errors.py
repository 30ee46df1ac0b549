"""The one error hierarchy of the NLU layer; callers catch :class:`NluError`."""

from __future__ import annotations


class NluError(Exception):
    """Base of every error raised by ``automations.nlu``."""


class TrainingError(NluError):
    """The examples cannot train a model (no intents, no text)."""


class DatasetError(NluError):
    """An evaluation CSV cannot be used (missing file, missing columns, no rows)."""


class ModelCacheError(NluError):
    """A cached model exists but cannot be read; the caller retrains."""


class ProviderError(NluError):
    """A remote NLU provider failed; the provider itself falls back and counts it."""
