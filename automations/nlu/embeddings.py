"""Static sentence embeddings: the mean of distilled MiniLM word-piece vectors.

The vectors (``data/``, built by ``build_embeddings.py``) add what TF-IDF lacks: similar
meaning with different words ("card hasn't come" ~ "card not delivered"). The tokenizer is
BERT's (lower case, accents stripped, punctuation split, greedy longest word piece) written
here in a few lines, so the hub needs neither ``tokenizers`` nor torch. Unknown pieces are
skipped, as model2vec does.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, TransformerMixin

from automations.nlu.errors import NluError

DATA = Path(__file__).resolve().parent / "data"
DEFAULT_VECTORS = DATA / "minilm-static-256.npy"
DEFAULT_VOCAB = DATA / "minilm-static-vocab.txt"
PIECES_VOCAB = DATA / "minilm-l6-vocab.txt"
"""The transformer's WordPiece vocabulary. The static vocabulary is the same list less the
special tokens (``[CLS]``, ``[unused0]``...), so both models share its ids and its cache of
word pieces (:class:`WordPieces`) and the static rows are found through a map."""
_MAX_WORD = 100
M = TypeVar("M")


def _is_punctuation(ch: str) -> bool:
    code = ord(ch)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def basic_words(text: str) -> list[str]:
    """BERT's basic tokenizer (uncased): clean, lower, strip accents, split punctuation."""
    out: list[str] = []
    for ch in text:
        code = ord(ch)
        control = code in (0, 0xFFFD) or unicodedata.category(ch) in ("Cc", "Cf")
        if control and ch not in "\t\n\r":
            continue
        out.append(f" {ch} " if _is_cjk(code) else ch)
    cleaned = unicodedata.normalize("NFD", "".join(out).lower())
    cleaned = "".join(ch for ch in cleaned if unicodedata.category(ch) != "Mn")
    words: list[str] = []
    for chunk in cleaned.split():
        current = ""
        for ch in chunk:
            if _is_punctuation(ch):
                if current:
                    words.append(current)
                    current = ""
                words.append(ch)
            else:
                current += ch
        if current:
            words.append(current)
    return words


def word_pieces(word: str, ids: Mapping[str, int]) -> tuple[int, ...] | None:
    """BERT's greedy longest-match-first word pieces of one word; None when it is [UNK]."""
    if len(word) > _MAX_WORD:
        return None
    pieces: list[int] = []
    start = 0
    while start < len(word):
        end = len(word)
        found = None
        while start < end:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            found = ids.get(piece)
            if found is not None:
                break
            end -= 1
        if found is None:
            return None
        pieces.append(found)
        start = end
    return tuple(pieces)


class LoadedOnce(Generic[M]):
    """Models by the paths they came from, loaded once per process: every classifier and
    every reload shares them, and two threads never load the same one twice."""

    def __init__(self) -> None:
        self._models: dict[tuple[Path, Path], M] = {}
        self._lock = threading.Lock()

    def get(self, paths: tuple[Path, Path], load: Callable[[], M]) -> M:
        with self._lock:
            if paths not in self._models:
                self._models[paths] = load()
            return self._models[paths]


class WordPieces:
    """A WordPiece vocabulary: token ids and a cache of each word's pieces, loaded once per
    file and shared by every model that reads it."""

    _loaded: ClassVar[LoadedOnce[WordPieces]] = LoadedOnce()

    def __init__(self, tokens: Sequence[str]) -> None:
        self.ids = {token: i for i, token in enumerate(tokens)}
        self.size = len(tokens)
        self.pieces = lru_cache(maxsize=65536)(self._pieces)

    @classmethod
    def load(cls, path: Path) -> WordPieces:
        def read() -> WordPieces:
            try:
                return cls(path.read_text(encoding="utf-8").splitlines())
            except OSError as exc:
                raise NluError(f"cannot load vocabulary {path}: {exc}") from exc

        return cls._loaded.get((path, path), read)

    def _pieces(self, word: str) -> tuple[int, ...] | None:
        return word_pieces(word, self.ids)


class StaticEmbeddings:
    """Word-piece vectors and their vocabulary; loaded once per process and path.

    The vectors stay float16 as shipped (15 MB, not 30): rows are widened when averaged."""

    _loaded: ClassVar[LoadedOnce[StaticEmbeddings]] = LoadedOnce()

    def __init__(
        self, vectors: NDArray[np.floating[Any]], vocab: Sequence[str], pieces: WordPieces
    ) -> None:
        if vectors.shape[0] != len(vocab):
            raise NluError(f"embeddings have {vectors.shape[0]} rows for {len(vocab)} tokens")
        self.vectors = vectors
        self.pieces = pieces
        # the shared vocabulary's id -> this matrix's row (-1: a token without a vector)
        self.rows = np.full(pieces.size, -1, dtype=np.int32)
        for row, token in enumerate(vocab):
            index = pieces.ids.get(token)
            if index is None:
                raise NluError(f"token {token!r} of the embeddings is not in the vocabulary")
            self.rows[index] = row
        self.dim = int(vectors.shape[1])

    @classmethod
    def load(cls, vectors: Path = DEFAULT_VECTORS, vocab: Path = DEFAULT_VOCAB) -> StaticEmbeddings:
        def read() -> StaticEmbeddings:
            try:
                matrix = np.load(vectors)
                tokens = vocab.read_text(encoding="utf-8").splitlines()
            except (OSError, ValueError) as exc:
                raise NluError(f"cannot load embeddings {vectors}: {exc}") from exc
            shared = vocab.with_name(PIECES_VOCAB.name)
            pieces = WordPieces.load(shared) if shared.is_file() else WordPieces(tokens)
            return cls(matrix, tokens, pieces)

        return cls._loaded.get((vectors, vocab), read)

    @staticmethod
    def available(vectors: Path = DEFAULT_VECTORS, vocab: Path = DEFAULT_VOCAB) -> bool:
        return vectors.is_file() and vocab.is_file()

    def token_ids(self, text: str) -> list[int]:
        """Rows of the word pieces of ``text``; unknown words ([UNK]) are skipped."""
        rows: list[int] = []
        for word in basic_words(text):
            for index in self.pieces.pieces(word) or ():
                row = int(self.rows[index])
                if row >= 0:
                    rows.append(row)
        return rows

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Unit-length mean vectors, one row per text (zeros when no piece is known)."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        rows = [self.token_ids(text) for text in texts]
        counts = np.array([len(r) for r in rows], dtype=np.int64)
        filled = np.flatnonzero(counts)
        if not len(filled):
            return out
        # one gather and one segmented sum for the whole batch, not a numpy call per text
        flat = np.fromiter((i for r in rows for i in r), dtype=np.int64, count=int(counts.sum()))
        starts = np.concatenate([[0], np.cumsum(counts[filled])[:-1]])
        sums = np.add.reduceat(self.vectors[flat].astype(np.float32), starts, axis=0)
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        out[filled] = np.where(norms > 0, sums / np.maximum(norms, 1e-30), 0.0)
        return out


class DenseFeatures(BaseEstimator, TransformerMixin):  # type: ignore[misc]
    """scikit-learn step: a pretrained model's weighted vectors, as sparse columns beside the
    TF-IDF ones. Subclasses name the model; it is loaded from ``data/`` when used, so a
    pickled classifier stays small."""

    def _encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """The model's vectors of ``texts``, one row each, before weighting."""
        raise NotImplementedError

    def _encode_one(self, text: str) -> NDArray[np.float32]:
        vector: NDArray[np.float32] = self._encode([text])[0]
        return vector

    def _weighted(self, vectors: NDArray[np.float32]) -> NDArray[np.float32]:
        raise NotImplementedError

    def fit(self, texts: Sequence[str], y: Any = None) -> DenseFeatures:
        self._encode([])  # loads the model, so a missing file fails here
        return self

    def encode_one(self, text: str) -> NDArray[np.float32]:
        """The weighted vector of one text (the fast classification path)."""
        return self._weighted(self._encode_one(text))

    def transform(self, texts: Sequence[str]) -> Any:
        return sp.csr_matrix(self._weighted(self._encode(list(texts))))


class EmbeddingFeatures(DenseFeatures):
    """Static word vectors, averaged: ``weight * embedding`` columns."""

    def __init__(self, weight: float = 2.0, vectors: str = str(DEFAULT_VECTORS)) -> None:
        self.weight = weight
        self.vectors = vectors

    #: the loaded model by ``vectors`` string: building and hashing two Paths per message
    #: cost a tenth of a whole conversation step (not an attribute: it would be pickled)
    _by_name: ClassVar[dict[str, StaticEmbeddings]] = {}

    def _model(self) -> StaticEmbeddings:
        model = self._by_name.get(self.vectors)
        if model is None:
            path = Path(self.vectors)
            model = StaticEmbeddings.load(path, path.with_name(DEFAULT_VOCAB.name))
            self._by_name[self.vectors] = model
        return model

    def _encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return self._model().encode(texts)

    def _weighted(self, vectors: NDArray[np.float32]) -> NDArray[np.float32]:
        weighted: NDArray[np.float32] = vectors * np.float32(self.weight)
        return weighted
