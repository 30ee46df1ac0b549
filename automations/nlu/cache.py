"""Trained models cached on disk by a hash of everything that shapes them.

Training takes seconds, but ``hub serve`` restarts and reloads should not pay it twice for the
same configuration. The key covers the examples, the options and the library versions, so a
changed intent or an upgraded scikit-learn retrains. The directory is the caller's (the hub
passes ``./var/nlu-cache``); this module never picks a path itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np
import sklearn

from automations.nlu.embeddings import DEFAULT_VECTORS
from automations.nlu.encoder import DEFAULT_MODEL
from automations.nlu.errors import ModelCacheError
from automations.nlu.local import ClassifierOptions, Example, LocalClassifier, Progress
from automations.nlu.vector_store import file_digest

CACHE_FORMAT = 4
"""2: transformer features; the model files' digests are part of the key. 3: only the
serving half is pickled (``fast.py``), calibration by in-scope retention. 4: the options
class moved to ``options.py``."""


def _model_files() -> dict[str, str]:
    """Digest of each installed model file: a rebuilt file means a retrained model."""
    files = (DEFAULT_MODEL, DEFAULT_VECTORS)
    return {path.name: file_digest(path) for path in files if path.is_file()}


def config_hash(
    examples: Sequence[Example], out_of_scope: Sequence[str], options: ClassifierOptions
) -> str:
    """Stable digest of the training inputs; order of examples matters (it seeds folds)."""
    payload = {
        "format": CACHE_FORMAT,
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "model_files": _model_files(),
        "options": asdict(options),
        "examples": [[e.text, e.intent] for e in examples],
        "out_of_scope": list(out_of_scope),
    }
    blob = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:24]


def _path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"nlu-local-{key}.pkl"


def load_cached(cache_dir: Path, key: str) -> LocalClassifier | None:
    """The cached model for ``key``, None when absent; unreadable files raise."""
    path = _path(cache_dir, key)
    if not path.is_file():
        return None
    try:
        with path.open("rb") as handle:
            # the file was written by save_cached into the operator's own cache directory
            model = pickle.load(handle)  # noqa: S301
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        raise ModelCacheError(f"{path}: cannot read cached model: {exc}") from exc
    if not isinstance(model, LocalClassifier):
        raise ModelCacheError(f"{path}: not a cached NLU model")
    return model


def save_cached(cache_dir: Path, key: str, model: LocalClassifier) -> Path:
    """Write atomically (temp file + rename) so a crash never leaves half a model."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = _path(cache_dir, key)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".nlu-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(model, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_or_train(
    examples: Sequence[Example],
    out_of_scope: Sequence[str] = (),
    *,
    options: ClassifierOptions | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
) -> LocalClassifier:
    """The cached model for these inputs, or a freshly trained one (then cached)."""
    options = options or ClassifierOptions()
    if cache_dir is None:
        return LocalClassifier.train(examples, out_of_scope, options=options, progress=progress)
    key = config_hash(examples, out_of_scope, options)
    try:
        cached = load_cached(cache_dir, key)
    except ModelCacheError:
        cached = None  # a corrupt file is replaced below
    if cached is not None:
        return cached
    # the sentence vectors of the examples are kept beside the models: a changed
    # configuration encodes only its new examples
    model = LocalClassifier.train(
        examples, out_of_scope, options=options, progress=progress, vector_dir=cache_dir
    )
    # a read-only cache must not stop the hub; it just retrains next time
    with contextlib.suppress(OSError):
        save_cached(cache_dir, key, model)
    return model
