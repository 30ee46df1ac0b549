"""Sentence vectors of training examples kept on disk, by text hash and model version.

Encoding is what makes the full model slow to train (BANKING77's 10,003 examples: about a
minute of the sentence encoder on this 2-core machine, against seconds for everything else).
The vectors of a text never change for one model file, so a restart, a reload or a config
with a few new examples encodes only the texts it has not seen. One store per model
version (a digest of the model file, its vocabulary and the token limit): a rebuilt model
starts a new store instead of mixing vectors of two models.

The store is one ``.npz`` file (keys and vectors together) rewritten atomically by temp file
+ rename;
two processes writing at once lose one side's additions (they are encoded again next time),
never corrupt the store. The directory is the caller's; this module never picks a path.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]
_KEY_BYTES = 16


@functools.cache
def file_digest(path: Path) -> str:
    """SHA-256 of a model file, once per process (~0.1 s for the ~40 MB of ``data/``)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def text_key(text: str) -> bytes:
    """The 16-byte key of one (already normalised) text."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=_KEY_BYTES).digest()


class VectorStore:
    """Vectors by text for one model version, loaded lazily, saved with :meth:`save`."""

    def __init__(self, folder: Path, version: str, dim: int) -> None:
        self.folder = folder / f"vectors-{version}"
        self.dim = dim
        self._lock = threading.Lock()
        self._rows: dict[bytes, Vectors] | None = None
        self._added = 0

    def _path(self) -> Path:
        return self.folder / "vectors.npz"

    def _load(self) -> dict[bytes, Vectors]:
        if self._rows is not None:
            return self._rows
        rows: dict[bytes, Vectors] = {}
        try:
            with np.load(self._path(), allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError):
            keys = vectors = None  # absent or damaged: start afresh (it is only a cache)
        if (
            keys is not None
            and vectors is not None
            and keys.ndim == 1
            and vectors.ndim == 2
            and len(keys) == len(vectors)
            and vectors.shape[1] == self.dim
        ):
            for key, row in zip(keys.tolist(), vectors.astype(np.float32), strict=True):
                rows[bytes(key)] = row
        self._rows = rows
        return rows

    def __len__(self) -> int:
        with self._lock:
            return len(self._load())

    def lookup(self, texts: Iterable[str]) -> dict[str, Vectors]:
        """The stored vectors of those of ``texts`` the store has."""
        with self._lock:
            rows = self._load()
            found: dict[str, Vectors] = {}
            for text in texts:
                row = rows.get(text_key(text))
                if row is not None:
                    found[text] = row
            return found

    def add(self, vectors: Mapping[str, Vectors]) -> None:
        with self._lock:
            rows = self._load()
            for text, row in vectors.items():
                key = text_key(text)
                if key not in rows:
                    rows[key] = np.asarray(row, dtype=np.float32)
                    self._added += 1

    def save(self) -> None:
        """Write the store if anything was added; a read-only disk is not an error."""
        with self._lock:
            if not self._added or self._rows is None:
                return
            keys = np.array(list(self._rows), dtype=f"S{_KEY_BYTES}")
            matrix = (
                np.stack(list(self._rows.values()))
                if self._rows
                else np.zeros((0, self.dim), np.float32)
            )
            with contextlib.suppress(OSError):
                self.folder.mkdir(parents=True, exist_ok=True)
                _write_atomic(self._path(), keys, matrix)
                self._added = 0

    def forget(self) -> None:
        """Drop the in-memory copy (serving does not need it)."""
        with self._lock:
            self._rows = None
            self._added = 0


def _write_atomic(path: Path, keys: NDArray[np.bytes_], vectors: Vectors) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vectors-", suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, keys=keys, vectors=vectors)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def model_version(files: Sequence[Path], extra: str = "") -> str:
    """A short digest naming one model: its files and anything else that shapes vectors."""
    digest = hashlib.sha256(extra.encode())
    for path in files:
        digest.update(file_digest(path).encode())
    return digest.hexdigest()[:16]
