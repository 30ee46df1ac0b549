"""The local classifier's knobs and the few values every part of it shares."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from automations.nlu.encoder import SentenceEncoder

OOS_LABEL = "__out_of_scope__"
"""Internal class for the operator's out-of-scope examples; never reported as an intent."""

Progress = Callable[[str, float], None]
"""Called with a step name and the share done (0..1); used for the CLI's progress bar."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str


@dataclass(frozen=True, slots=True)
class Scores:
    """What the rejection decides on for one message (see ``calibration.py``)."""

    score: float
    """The best in-scope confidence."""
    gap: float
    """The out-of-scope class's lead over the best intent (-inf without that class)."""
    intent: str
    """The best intent, before any rejection."""


@dataclass(frozen=True, slots=True)
class ClassifierOptions:
    """Knobs of the local classifier; part of the cache key. Defaults are the measured best."""

    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    c: float = 0.5
    in_scope_retention: float = 0.95
    """Share of held-out in-scope questions the calibrated rejection must still answer
    (``nlu.in_scope_retention``); see ``calibration.py``."""
    oos_as_class: bool = True
    """Train the operator's out-of-scope examples as a class of their own (besides using them
    to calibrate the threshold)."""
    background: bool = True
    """Without operator out-of-scope examples, train :data:`BACKGROUND` (generic off-topic
    messages) as the out-of-scope class; the threshold still comes from held-out in-scope."""
    holdout_fraction: float = 0.2
    max_folds: int = 5
    small_data: int = 3000
    """Up to this many examples, calibration uses k-fold held-out scores; above, one split."""
    top_k: int = 3
    seed: int = 0
    embedding_weight: float = 2.0
    """Weight of the static MiniLM embedding columns; 0 disables them. They are skipped when
    the vector file is not installed."""
    transformer_weight: float = 3.0
    """Weight of the MiniLM transformer's sentence-vector columns; 0 disables them. Skipped
    when onnxruntime or the model file is not installed."""
    transformer_up_to: int | None = 5000
    """The transformer's features are used up to this many training examples (out-of-scope
    ones included; None: at any size). Above, training in line would break the 30 s cold
    start: on BANKING77's 10,003 examples they add 1.1 points but the cold start goes from
    30 s to 42 s on this 2-core machine (the SVM's time grows with the dense columns). The
    engine serves such configurations with the fast model at once and trains the full one
    (``full_options``) in the background (``swap.py``). Few-shot sets gain the most."""
    name_examples: bool = True
    """Train each intent's name, in words, as one more example of it (``local.py``)."""
    refit: bool = True
    """After calibrating on a held-out split (large sets), train again on every example.
    The fast model that serves while the full one trains skips it (``fast_options``): the
    split's model (80 % of the examples) serves, and the cold start pays one fit, not two."""
    transformer_pooling: str = "mean"
    """"mean" (384 columns) or "mean+max" (768: ~0.2 point more on BANKING77, but twice the
    training time and memory of the SVM)."""


def full_options(options: ClassifierOptions) -> ClassifierOptions:
    """The same options with the sentence encoder at any size (the background model)."""
    return dataclasses.replace(options, transformer_up_to=None)


def fast_options(options: ClassifierOptions) -> ClassifierOptions:
    """The same options without the sentence encoder and without the refit (the model that
    serves at once while the full one trains)."""
    return dataclasses.replace(options, transformer_weight=0.0, refit=False)


def needs_background(count: int, options: ClassifierOptions) -> bool:
    """Whether ``count`` training examples are past the encoder's in-line limit."""
    limit = options.transformer_up_to
    return uses_encoder(options) and limit is not None and count > limit


def uses_encoder(options: ClassifierOptions) -> bool:
    """Whether these options read the sentence encoder (and it is installed)."""
    return options.transformer_weight > 0 and SentenceEncoder.available()
