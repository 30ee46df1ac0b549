"""Fast model at once, full model trained in a child process and swapped in."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from automations.nlu.encoder import SentenceEncoder
from automations.nlu.engine import NluEngine
from automations.nlu.local import ClassifierOptions
from automations.nlu.swap import BackgroundTrainer
from config.hub import HubFile
from tests.automations.nlu.sets import faq

pytestmark = pytest.mark.skipif(
    not SentenceEncoder.available(), reason="onnxruntime or the encoder model is not installed"
)
HUB = HubFile(languages=("en", "fr"), default_language="en")
# "large" for the test: past 10 examples the full model is trained in the background
LARGE = ClassifierOptions(transformer_up_to=10)


def build(tmp_path: Path, trainer: BackgroundTrainer, options: ClassifierOptions = LARGE):
    return NluEngine.build(
        faq(),
        HUB.languages,
        HUB.default_language,
        cache_dir=tmp_path,
        options=options,
        trainer=trainer,
    )


def wait_for(condition, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture
def trainer():
    trainer = BackgroundTrainer()
    yield trainer
    trainer.close()


def test_fast_model_answers_at_once_then_the_full_one_swaps_in(tmp_path, trainer, caplog):
    caplog.set_level(logging.INFO, logger="automations.nlu.swap")
    engine = build(tmp_path, trainer)
    assert engine.serving().model == "fast"
    assert engine.serving().full == "training"
    assert not engine.classifier.uses_encoder
    assert engine.classify("how much is the pro plan?").intent == "pricing"
    wait_for(lambda: engine.serving().model == "full")
    assert engine.serving().full == "ready"
    assert engine.classifier.uses_encoder
    assert engine.classify("how much is the pro plan?").intent == "pricing"
    assert "full model" in caplog.text
    # a restart finds the full model in the cache and the vectors in the store: no training
    again = build(tmp_path, trainer)
    assert again.serving().model == "full"
    assert trainer.started == 1
    assert list(tmp_path.glob("vectors-*/vectors.npz"))


def test_failed_training_leaves_the_fast_model_serving_with_a_reason(tmp_path, trainer, caplog):
    caplog.set_level(logging.WARNING, logger="automations.nlu.swap")
    broken = ClassifierOptions(transformer_up_to=10, transformer_pooling="nonsense")
    engine = build(tmp_path, trainer, broken)
    wait_for(lambda: engine.serving().full == "failed")
    serving = engine.serving()
    assert serving.model == "fast"
    assert serving.reason is not None
    assert "unknown pooling" in serving.reason
    assert engine.classify("I forgot my password").intent == "reset_password"
    assert "full model training failed" in caplog.text
    assert "unknown pooling" in caplog.text
    assert not trainer.running


def test_a_reload_during_training_leaves_one_model_training(tmp_path, trainer):
    first = build(tmp_path / "a", trainer)
    first_process = trainer._process
    assert first_process is not None
    assert first_process.is_alive()
    second = build(tmp_path / "b", trainer)  # the reload: another config, same process
    assert not first_process.is_alive()  # ended, not left running beside the new one
    assert trainer.started == 2
    wait_for(lambda: second.serving().model == "full")
    time.sleep(0.5)
    assert first.serving().model == "fast"  # the stale configuration's model never landed
    assert (
        not list((tmp_path / "a").glob("nlu-local-*.pkl"))
        or len(list((tmp_path / "a").glob("nlu-local-*.pkl"))) == 1
    )  # only its fast model


def test_reloading_the_same_configuration_keeps_the_training_in_progress(tmp_path, trainer):
    first = build(tmp_path, trainer)
    process = trainer._process
    second = build(tmp_path, trainer)  # a reload of the unchanged configuration
    assert trainer._process is process  # not restarted: no minutes of work thrown away
    assert trainer.started == 1
    wait_for(lambda: second.serving().model == "full")
    assert first.serving().model == "fast"  # the replaced engine is not updated


def test_serving_status_is_reported_for_readyz(tmp_path, trainer):
    small = NluEngine.build(faq(), HUB.languages, HUB.default_language, trainer=trainer)
    assert small.serving().to_dict() == {
        "model": "full",
        "full_model": "not needed",
        "reason": None,
    }
    assert trainer.started == 0
