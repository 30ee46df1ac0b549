"""Serve at once with the fast model, train the full one in the background, swap atomically.

Above ``ClassifierOptions.transformer_up_to`` examples, training the full model (sentence
encoder included) takes longer than the 30 s cold start allows on two cores, so the engine
starts with the fast model (TF-IDF and static vectors: seconds) and hands the full one to a
:class:`BackgroundTrainer`. It trains in a child process: the hub's event loop keeps its
core and its GIL, and training's peak memory (scikit-learn's float64 matrices, liblinear's
copies) is never part of the serving process. The child writes the model to the model cache
(``cache.py``) and the sentence vectors to the vector store (``vector_store.py``), so the next
start or reload finds both; the parent loads the model and swaps it into the
:class:`ModelSlot`, one reference assignment that readers see whole.

One trainer per hub process: a new job (a reload) ends the one in progress, so two models
never train at once and a stale configuration's model never lands. A failure leaves the fast
model serving; its reason goes to the log (``WARNING``, no message text) and to
:meth:`ModelSlot.status`.

This module is the mechanism only; it holds no event loop. Note ``background.py`` is the
off-topic training set (the out-of-scope class), not this.
"""

from __future__ import annotations

import logging
import multiprocessing
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Literal

from automations.nlu.cache import config_hash, load_cached, save_cached
from automations.nlu.errors import NluError
from automations.nlu.local import ClassifierOptions, Example, LocalClassifier

log = logging.getLogger("automations.nlu.swap")

Kind = Literal["fast", "full"]
State = Literal["not needed", "training", "ready", "failed"]


@dataclass(frozen=True, slots=True)
class Serving:
    """Which model serves, and how the full one is doing (for ``/readyz`` and the log)."""

    model: Kind
    full: State
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "full_model": self.full, "reason": self.reason}


class ModelSlot:
    """The classifier that serves now. Readers take :attr:`classifier` once per message; a
    swap replaces one immutable pair, so a reader sees the old model or the new, never half."""

    def __init__(self, classifier: LocalClassifier, kind: Kind, full: State) -> None:
        self._current: tuple[LocalClassifier, Serving] = (classifier, Serving(kind, full))

    @property
    def classifier(self) -> LocalClassifier:
        return self._current[0]

    def status(self) -> Serving:
        return self._current[1]

    def swap(self, classifier: LocalClassifier) -> None:
        """Serve the full model from now on."""
        classifier.warm_up()  # load its encoder before the first customer meets it
        self._current = (classifier, Serving("full", "ready"))
        log.info("NLU: the full model (sentence encoder included) now serves")

    def failed(self, reason: str) -> None:
        classifier, serving = self._current
        self._current = (classifier, Serving(serving.model, "failed", reason))
        log.warning("NLU: full model training failed, the fast model keeps serving: %s", reason)


@dataclass(frozen=True, slots=True)
class TrainingJob:
    """Everything the child process needs to train and cache the full model."""

    examples: tuple[Example, ...]
    out_of_scope: tuple[str, ...]
    options: ClassifierOptions
    cache_dir: Path | None

    @classmethod
    def of(
        cls,
        examples: Sequence[Example],
        out_of_scope: Sequence[str],
        options: ClassifierOptions,
        cache_dir: Path | None,
    ) -> TrainingJob:
        return cls(tuple(examples), tuple(out_of_scope), options, cache_dir)

    def key(self) -> str:
        return config_hash(self.examples, self.out_of_scope, self.options)


def _train_in_child(job: TrainingJob, folder: Path, reply: Connection) -> None:
    """The child process: train, write the model where the parent will read it, report."""
    try:
        model = LocalClassifier.train(
            job.examples, job.out_of_scope, options=job.options, vector_dir=job.cache_dir
        )
        save_cached(folder, job.key(), model)
        reply.send(None)
    except Exception as exc:  # every failure must reach the parent as a reason
        reply.send(f"{type(exc).__name__}: {exc}")
    finally:
        reply.close()


class BackgroundTrainer:
    """Trains one full model at a time in a child process (``spawn``: no forked threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._generation = 0
        self._running_job: TrainingJob | None = None
        self._callbacks: tuple[Callable[[LocalClassifier], None], Callable[[str], None]] | None
        self._callbacks = None
        self.started = 0
        """Jobs started so far (tests check a reload does not add a second one)."""

    @property
    def running(self) -> bool:
        with self._lock:
            return self._process is not None and self._process.is_alive()

    def submit(
        self,
        job: TrainingJob,
        on_ready: Callable[[LocalClassifier], None],
        on_failed: Callable[[str], None],
    ) -> None:
        """Start training ``job``, ending the one in progress (its callbacks never fire).

        The same job already in progress (a reload of an unchanged configuration) is not
        restarted: its result goes to the new callbacks instead."""
        context = multiprocessing.get_context("spawn")
        with self._lock:
            alive = self._process is not None and self._process.is_alive()
            if alive and self._running_job == job:
                self._callbacks = (on_ready, on_failed)
                return
            self._stop_locked()
            self._generation += 1
            generation = self._generation
            folder = job.cache_dir or Path(tempfile.mkdtemp(prefix="nlu-full-"))
            receive, send = context.Pipe(duplex=False)
            process = context.Process(
                target=_train_in_child,
                args=(job, folder, send),
                name="nlu-full-model",
                daemon=True,
            )
            process.start()
            send.close()
            self._process = process
            self._running_job = job
            self._callbacks = (on_ready, on_failed)
            self.started += 1
        watcher = threading.Thread(
            target=self._watch,
            args=(generation, process, receive, job, folder),
            name="nlu-full-model-watch",
            daemon=True,
        )
        watcher.start()

    def _watch(
        self,
        generation: int,
        process: multiprocessing.process.BaseProcess,
        receive: Connection,
        job: TrainingJob,
        folder: Path,
    ) -> None:
        answered, reason = False, None
        try:
            if receive.poll(None):
                reason, answered = receive.recv(), True
        except (EOFError, OSError):
            pass  # the child died before it could answer: its exit code says why
        process.join()
        receive.close()
        with self._lock:
            if generation != self._generation or self._callbacks is None:
                return  # superseded by a newer job: its result is not wanted
            self._process = None
            self._running_job = None
            on_ready, on_failed = self._callbacks
        if not answered:
            reason = f"the training process ended without a result (exit code {process.exitcode})"
        try:
            if reason is not None:
                on_failed(reason)
                return
            try:
                model = load_cached(folder, job.key())
            except NluError as exc:
                on_failed(str(exc))
                return
            if model is None:
                on_failed(f"the trained model is missing from {folder}")
                return
            on_ready(model)
        finally:
            if job.cache_dir is None:
                shutil.rmtree(folder, ignore_errors=True)

    def _stop_locked(self) -> None:
        self._running_job = None
        process = self._process
        if process is not None and process.is_alive():
            process.terminate()
            process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
        self._process = None

    def close(self) -> None:
        """End the training in progress, if any (at shutdown)."""
        with self._lock:
            self._generation += 1
            self._stop_locked()


_SHARED: BackgroundTrainer | None = None
_SHARED_LOCK = threading.Lock()


def shared_trainer() -> BackgroundTrainer:
    """The process's trainer: every engine built in it shares one, so a reload replaces the
    training in progress instead of adding a second."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = BackgroundTrainer()
        return _SHARED
