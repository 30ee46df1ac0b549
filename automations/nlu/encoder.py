"""Transformer sentence embeddings: all-MiniLM-L6-v2, int8, run by onnxruntime.

The static vectors of ``embeddings.py`` ignore word order and context; the real encoder reads
the sentence: +6.4 points on BANKING77's 10-shot variant, +1.1 on the full set (which
``ClassifierOptions.transformer_up_to`` leaves out for training time), -1.0 on the French set
(an English model) by ``python -m tests.bench.nlu``. The model file
(``data/minilm-l6-int8.onnx``, built by ``build_onnx.py``) holds the pooling, so the hub needs
onnxruntime and numpy only: the tokenizer is BERT's uncased WordPiece, re-implemented in
``embeddings.py``.

One message is encoded on one thread (a few milliseconds; several threads only add
synchronisation and fight the event loop); training runs batches on every core. When onnxruntime
or the model file is missing, :meth:`SentenceEncoder.available` is False and the classifier
does without these features.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from automations.nlu.embeddings import (
    DATA,
    PIECES_VOCAB,
    DenseFeatures,
    LoadedOnce,
    WordPieces,
    basic_words,
)
from automations.nlu.errors import NluError
from automations.nlu.vector_store import VectorStore, model_version

DEFAULT_MODEL = DATA / "minilm-l6-int8.onnx"
DEFAULT_VOCAB = PIECES_VOCAB
MAX_TOKENS = 64
"""Word pieces read per message, [CLS] and [SEP] included. An intent is asked in the first
sentences (99 % of BANKING77 messages have fewer than 47 pieces) and the time grows with the
length: ~2 ms at 16 pieces, ~6 ms at 64, ~14 ms at 128 on one core."""
_BATCH = 16

Vectors = NDArray[np.float32]


def _session(model: Path, threads: int) -> Any:
    import onnxruntime as ort  # type: ignore[import-untyped]

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # idle worker threads must not spin and steal the CPU the hub's event loop needs
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception types
        raise NluError(f"cannot load sentence encoder {model}: {exc}") from exc


class SentenceEncoder:
    """The ONNX model and its vocabulary; loaded once per process and path."""

    _loaded: ClassVar[LoadedOnce[SentenceEncoder]] = LoadedOnce()

    def __init__(self, model: Path, pieces: WordPieces) -> None:
        self.model = model
        self.pieces = pieces
        ids = pieces.ids
        try:
            self._cls, self._sep, self._unk = (ids[t] for t in ("[CLS]", "[SEP]", "[UNK]"))
        except KeyError as exc:
            raise NluError(f"vocabulary of {model} lacks {exc}") from None
        self._session = _session(model, 1)
        self._session_lock = threading.Lock()
        self._memo: dict[str, Vectors] | None = None
        self._memo_users = 0
        self._store: VectorStore | None = None
        self._vocab_path = model.with_name(DEFAULT_VOCAB.name)
        self.dim = int(self._session.get_outputs()[0].shape[-1])

    @classmethod
    def load(cls, model: Path = DEFAULT_MODEL, vocab: Path = DEFAULT_VOCAB) -> SentenceEncoder:
        def read() -> SentenceEncoder:
            encoder = cls(model, WordPieces.load(vocab))
            encoder._vocab_path = vocab
            return encoder

        return cls._loaded.get((model, vocab), read)

    @staticmethod
    def available(model: Path = DEFAULT_MODEL, vocab: Path = DEFAULT_VOCAB) -> bool:
        """True when the model file and onnxruntime are both installed."""
        return (
            model.is_file()
            and vocab.is_file()
            and importlib.util.find_spec("onnxruntime") is not None
        )

    def _word_pieces(self, word: str) -> tuple[int, ...]:
        pieces = self.pieces.pieces(word)
        return (self._unk,) if pieces is None else pieces

    def token_ids(self, text: str) -> list[int]:
        """[CLS], the word pieces (cut to fit :data:`MAX_TOKENS`), [SEP]."""
        ids = [self._cls]
        for word in basic_words(text):
            ids.extend(self._word_pieces(word))
            if len(ids) >= MAX_TOKENS - 1:
                break
        ids = ids[: MAX_TOKENS - 1]
        ids.append(self._sep)
        return ids

    @staticmethod
    def _pool(raw: NDArray[np.float32]) -> Vectors:
        """Unit-length mean and max halves (each of length 1)."""
        half = raw.shape[-1] // 2
        out = np.empty_like(raw, dtype=np.float32)
        for part in (slice(0, half), slice(half, None)):
            block = raw[..., part]
            norms = np.linalg.norm(block, axis=-1, keepdims=True)
            out[..., part] = block / np.maximum(norms, 1e-12)
        return out

    def encode_one(self, text: str) -> Vectors:
        """The vector of one message, on one thread (the classification path)."""
        ids = np.array([self.token_ids(text)], dtype=np.int64)
        raw = self._session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        vector: Vectors = self._pool(np.asarray(raw[0][0], dtype=np.float32))
        return vector

    def _run(self, seqs: Sequence[list[int]]) -> Vectors:
        """One padded batch through the model."""
        width = max(len(seq) for seq in seqs)
        ids = np.zeros((len(seqs), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, seq in enumerate(seqs):
            ids[row, : len(seq)] = seq
            mask[row, : len(seq)] = 1
        raw = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return self._pool(np.asarray(raw, dtype=np.float32))

    def _encode_batch(self, texts: Sequence[str]) -> Vectors:
        """Texts sorted by length (little padding), small batches run on every core.

        One single-threaded session run from several Python threads (onnxruntime releases
        the GIL): a second, multi-threaded session would hold another copy of its buffers.
        """
        seqs = [self.token_ids(t) for t in texts]
        order = np.argsort([len(s) for s in seqs], kind="stable")
        groups = [order[i : i + _BATCH] for i in range(0, len(order), _BATCH)]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        workers = max(1, min(os.cpu_count() or 1, len(groups)))
        with ThreadPoolExecutor(workers) as pool:
            results = pool.map(lambda rows: self._run([seqs[i] for i in rows]), groups)
            for rows, vectors in zip(groups, results, strict=True):
                out[rows] = vectors
        return out

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One row per text; inside :meth:`remembering`, each distinct text is run once."""
        if len(texts) == 1 and self._memo is None:
            return self.encode_one(texts[0])[None, :]
        memo = self._memo
        if memo is None:
            return self._encode_batch(texts) if texts else np.zeros((0, self.dim), np.float32)
        todo = list(dict.fromkeys(t for t in texts if t not in memo))
        if todo and self._store is not None:
            stored = self._store.lookup(todo)
            memo.update(stored)
            todo = [t for t in todo if t not in stored]
            if todo:
                fresh = self._encode_batch(todo)
                self._store.add(dict(zip(todo, fresh, strict=True)))
                memo.update(zip(todo, fresh, strict=True))
            todo = []
        if todo:
            for text, row in zip(todo, self._encode_batch(todo), strict=True):
                memo[text] = row
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([memo[t] for t in texts])

    def version(self) -> str:
        """Names the vectors this encoder makes: model file, vocabulary, token limit."""
        return model_version([self.model, self._vocab_path], f"max_tokens={MAX_TOKENS}")

    @contextlib.contextmanager
    def remembering(self, store_dir: Path | None = None) -> Iterator[None]:
        """Keep every vector computed inside: training encodes the same texts in each fold.

        With ``store_dir``, vectors are also looked up in and added to the on-disk
        :class:`VectorStore` of this model version, saved on leaving. The vectors are
        forgotten on leaving: serving does not need them."""
        with self._session_lock:
            if self._memo is None:
                self._memo = {}
            if store_dir is not None and self._store is None:
                self._store = VectorStore(store_dir, self.version(), self.dim)
            self._memo_users += 1
        try:
            yield
        finally:
            with self._session_lock:
                self._memo_users -= 1
                if self._memo_users == 0:
                    self._memo = None
                    if self._store is not None:
                        self._store.save()
                        self._store = None


class TransformerFeatures(DenseFeatures):
    """The sentence encoder's ``weight * vector`` columns.

    ``pooling`` "mean" keeps the sentence embedding (384 columns); "mean+max" adds the max
    over tokens (768 columns, each half of length ``weight / sqrt(2)``). Pickles without the
    model (reloaded from ``data/``), so a cached classifier stays small.
    """

    def __init__(
        self, weight: float = 3.0, pooling: str = "mean", model: str = str(DEFAULT_MODEL)
    ) -> None:
        self.weight = weight
        self.pooling = pooling
        self.model = model

    def _weighted(self, vectors: Vectors) -> Vectors:
        if self.pooling == "mean+max":
            scaled: Vectors = vectors * np.float32(self.weight / np.sqrt(2))
            return scaled
        if self.pooling != "mean":
            raise NluError(f"unknown pooling {self.pooling!r}")
        mean: Vectors = vectors[..., : vectors.shape[-1] // 2] * np.float32(self.weight)
        return mean

    def encoder(self) -> SentenceEncoder:
        path = Path(self.model)
        return SentenceEncoder.load(path, path.with_name(DEFAULT_VOCAB.name))

    def _encode(self, texts: Sequence[str]) -> Vectors:
        return self.encoder().encode(texts)

    def _encode_one(self, text: str) -> Vectors:
        return self.encoder().encode_one(text)
