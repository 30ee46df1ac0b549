"""The NLU JSON kept on a message is exactly the result's JSON round trip."""

from __future__ import annotations

import json
from dataclasses import asdict

import numpy as np
import pytest

from automations.conversation.answers import stored
from automations.nlu import Candidate, KnowledgeHit, NluResult

RESULTS = [
    NluResult(None, 0.0, None, "none", None, True),
    NluResult(
        "pricing",
        np.float64(0.93),
        Candidate("hours", np.float32(0.04)),  # type: ignore[arg-type]
        "local",
        "en",
        False,
        (Candidate("pricing", 0.93), Candidate("hours", 0.04)),
        threshold=np.float32(0.7),  # type: ignore[arg-type]
    ),
    NluResult(
        None,
        0.2,
        None,
        "knowledge",
        "fr",
        False,
        article=KnowledgeHit("Titre", "https://x.test", "Un passage", 0.81, 0.5),
        fallback_reason="timeout",
    ),
]


@pytest.mark.parametrize("result", RESULTS)
def test_stored_is_the_json_round_trip(result: NluResult) -> None:
    expected = json.loads(json.dumps(asdict(result), default=float))
    expected.update(answered=True, answer="intent", detected_language="en", skipped=None)
    got = stored(result, answered=True, answer="intent", detected_language="en")
    assert got == expected
    assert json.loads(json.dumps(got)) == got
    assert [type(v) for v in got.values()] == [type(v) for v in expected.values()]
