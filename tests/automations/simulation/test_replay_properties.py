"""Any customer turns, any gaps between them, any contact fields: a replay never raises
and gives the same result twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automations.simulation import (
    Contact,
    HistoryConversation,
    HistoryMessage,
    Target,
    Verdict,
    replay,
)

START = datetime(2025, 3, 7, 17, 0, tzinfo=UTC)  # a Friday evening: hours close during it
_TURN = st.tuples(
    st.integers(0, 6 * 3600),
    st.one_of(
        st.text(max_size=30).map(lambda t: (t, None)),
        st.sampled_from(["Hello", "English", "français", "How do I reset my password?", "25"]).map(
            lambda t: (t, None)
        ),
        st.sampled_from(
            ["pricing", "human", "free_trial", "choice:fr", "nlu:answered:no", "x"]
        ).map(lambda b: (None, b)),
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    turns=st.lists(_TURN, min_size=1, max_size=6),
    channel=st.sampled_from(["webchat", "whatsapp_cloud", "twilio", "telegram", "api"]),
    fields=st.dictionaries(
        st.sampled_from(["plan", "company_size", "nope"]),
        st.integers() | st.text(max_size=5),
        max_size=2,
    ),
)
def test_replay_never_raises_and_is_deterministic(
    demo_target: Target,
    turns: list[tuple[int, tuple[str | None, str | None]]],
    channel: str,
    fields: dict[str, object],
) -> None:
    at = START
    messages = []
    for gap, (text, button) in turns:
        at += timedelta(seconds=gap)
        messages.append(HistoryMessage("customer", at, text or None, button))
    conversation = HistoryConversation(
        "p1", channel, tuple(messages), 1, contact=Contact(fields=fields)
    )
    first = replay(conversation, 1, demo_target.brain, demo_target.settings)
    second = replay(conversation, 1, demo_target.brain, demo_target.settings)
    assert first == second
    assert first.verdict in set(Verdict)
    replayed = [m for m in messages if m.text is not None or m.button is not None]
    if replayed:  # a turn with neither text nor button is not replayed, so not waited for
        assert first.ended_at >= replayed[-1].ts
