"""The hub serves a large NLU configuration at once and swaps in the full model when ready.

"Large" here is ``full_model_in_line_up_to: 10`` (the FAQ has more examples), so the path a
10,000-example configuration takes is exercised in seconds: the fast model answers the first
customer, the full model trains in a child process, ``/readyz`` says which one serves.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from automations.nlu.encoder import SentenceEncoder
from automations.nlu.swap import shared_trainer
from config.loader import load_config
from tests.hub.bot.test_nlu_bot import EN_ANSWER, Visitor, faq_harness, intents_yaml, said_by_bot
from tests.support.harness import HubHarness

pytestmark = pytest.mark.skipif(
    not SentenceEncoder.available(), reason="onnxruntime or the encoder model is not installed"
)
LARGE = intents_yaml(full_model_in_line_up_to=10)


async def nlu_status(hub: HubHarness) -> dict[str, Any]:
    response = await hub.http.get("/readyz")
    assert response.status == 200
    status: dict[str, Any] = (await response.json())["nlu"]
    return status


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 180.0) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.2)


@pytest.fixture
async def large(tmp_path: Path) -> AsyncIterator[HubHarness]:
    harness = await faq_harness(tmp_path, extra_files={"intents.yaml": LARGE}).start()
    try:
        yield harness
    finally:
        await harness.close()
        shared_trainer().close()


async def answer(hub: HubHarness, question: str) -> list[str]:
    visitor = await Visitor.arrive(hub)
    asked = await visitor.says(question)
    return [m.text for m in await said_by_bot(after=asked)]


async def test_fast_model_answers_at_once_then_the_full_model_takes_over(
    large: HubHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert await nlu_status(large) == {"model": "fast", "full_model": "training", "reason": None}
    assert EN_ANSWER in await answer(large, "What are your prices?")

    async def full() -> bool:
        return bool((await nlu_status(large))["model"] == "full")

    await eventually(full)
    assert (await nlu_status(large))["full_model"] == "ready"
    assert EN_ANSWER in await answer(large, "How much does it cost?")
    assert "the full model (sentence encoder included) now serves" in caplog.text


async def test_failed_training_leaves_the_fast_model_serving(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    # the model cache path is a file: the fast model is served without being cached, and the
    # child cannot write the full model, so its training fails
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "nlu-cache").write_text("not a directory")
    hub = await faq_harness(tmp_path, extra_files={"intents.yaml": LARGE}).start()
    try:

        async def failed() -> bool:
            return bool((await nlu_status(hub))["full_model"] == "failed")

        await eventually(failed)
        status = await nlu_status(hub)
        assert status["model"] == "fast"
        assert status["reason"]
        assert "full model training failed, the fast model keeps serving" in caplog.text
        assert EN_ANSWER in await answer(hub, "What are your prices?")
    finally:
        await hub.close()
        shared_trainer().close()


async def test_a_reload_during_training_leaves_one_model_training(large: HubHarness) -> None:
    trainer = shared_trainer()
    before = trainer.started
    first = trainer._process
    assert first is not None
    assert first.is_alive()
    config_dir = large.tmp_path / "config"
    changed = LARGE.replace("Plans start at 9 euros a month.", "Plans start at 12 euros.")
    changed = changed.replace("Is there a cheaper plan?", "Is there a cheaper offer?")
    (config_dir / "intents.yaml").write_text(changed, encoding="utf-8")
    assert large.runtime is not None
    await large.runtime.reload(load_config(config_dir))
    assert not first.is_alive()  # ended, not left running beside the new one
    assert trainer.started == before + 1
    assert trainer.running

    async def full() -> bool:
        return bool((await nlu_status(large))["model"] == "full")

    await eventually(full)
    assert "Plans start at 12 euros." in await answer(large, "What are your prices?")
