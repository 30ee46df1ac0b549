"""Any text, any JSON: the readers count what they cannot use and never raise."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from automations.simulation import read_chatwoot, read_jsonl

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_MESSAGE = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["customer", "bot", "agent", "robot"]),
        "ts": st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=25)),
    },
    optional={"text": st.text(max_size=20), "button": _JSON},
)
_CONVERSATION = st.fixed_dictionaries(
    {"id": _JSON, "channel": st.sampled_from(["webchat", "telegram", "fax"]) | _JSON},
    optional={"messages": st.lists(_MESSAGE, max_size=4) | _JSON, "contact": _JSON},
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(max_size=40) | _CONVERSATION.map(json.dumps), max_size=6))
def test_jsonl_never_raises_and_accounts_for_every_line(lines: list[str]) -> None:
    history = read_jsonl(lines)
    used = len(history.conversations) + len(history.problems)
    assert used == sum(1 for line in lines if line.strip())


@settings(max_examples=150, deadline=None)
@given(_JSON | st.lists(_CONVERSATION, max_size=3))
def test_chatwoot_never_raises(document: Any) -> None:
    history = read_chatwoot(json.dumps(document))
    assert all(p.line >= 1 for p in history.problems)


def test_timestamps_out_of_range_are_bad_lines() -> None:
    for ts in (10**20, float("inf"), -(10**12), "9999-12-31T23:59:59+00:00"):
        line = json.dumps(
            {"id": 1, "channel": "webchat", "messages": [{"role": "customer", "ts": ts}]}
        )
        (problem,) = read_jsonl([line]).problems
        assert "out of range" in problem.reason or "ISO" in problem.reason


def test_nesting_past_the_parser_is_a_bad_line() -> None:
    deep = "[" * 100_000
    assert [p.reason for p in read_jsonl([deep]).problems] == ["not JSON"]
    assert [p.reason for p in read_chatwoot(deep).problems] == ["not JSON"]
