"""Property: any sequence of inputs over the demo config gives the same decision twice,
never raises, never needs the brain's last-resort error record, and does not depend on
the parts of the state the brain says it does not read."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automations.conversation import (
    AgentRef,
    AgentReplied,
    AgentTookOver,
    Brain,
    FieldsChanged,
    HandedBack,
    ResolvedByAgent,
    TimerFired,
    decide,
    memory,
)
from automations.nlu import CONFIRM_NO, CONFIRM_YES
from tests.automations.conftest import MONDAY_10H_PARIS
from tests.support.brain import empty_state

AGENT = AgentRef(5, "agent@demo.example", "Agent")
TEXTS = st.sampled_from(
    [
        "Hello",
        "How much does it cost?",
        "I want a refund",
        "Français",
        "3",
        "yes",
        "non",
        "I want to talk to a human",
        "转人工",
        "Bonjour, où est ma facture ?",
        "",
        "   ",
        "🙂🙂🙂",
        "x" * 5000,
    ]
) | st.text(max_size=40)
BUTTONS = st.sampled_from(
    [
        "choice:en",
        "choice:fr",
        "choice:zh",
        "choice:xx",
        "pricing",
        "free_trial",
        "human",
        CONFIRM_YES,
        CONFIRM_NO,
        "unknown",
    ]
)
STEPS = st.one_of(
    st.tuples(st.just("says"), TEXTS),
    st.tuples(st.just("presses"), BUTTONS),
    st.tuples(st.just("wait"), st.integers(min_value=1, max_value=90)),
    st.tuples(st.just("agent"), st.sampled_from(["reply", "take_over", "hand_back", "resolve"])),
    st.tuples(
        st.just("field"),
        st.sampled_from(["preferred_language", "interest", "company_size", "nope"]),
    ),
)


def _agent_input(kind: str) -> Any:
    return {
        "reply": AgentReplied(AGENT, "On it"),
        "take_over": AgentTookOver(AGENT),
        "hand_back": HandedBack(AGENT),
        "resolve": ResolvedByAgent(AGENT),
    }[kind]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEPS, min_size=1, max_size=12))
def test_any_input_sequence_is_deterministic_and_safe(
    demo_brain: Brain, steps: list[tuple[str, Any]]
) -> None:
    state = empty_state(channel="whatsapp_cloud", max_buttons=3)
    now = MONDAY_10H_PARIS

    def step(item: Any) -> None:
        nonlocal state
        decision = decide(state, item, demo_brain, now)
        assert decide(state, item, demo_brain, now) == decision
        assert [r for r in decision.explanations if r.source == "brain"] == []
        # what the brain says it does not read may be left out of the state (the hub does)
        assert not demo_brain.reads_timers
        assert not demo_brain.reads_identities
        unread = replace(state, timers=(), contact=replace(state.contact, identities=()))
        assert decide(unread, item, demo_brain, now) == decision
        state = memory.apply(state, decision)

    first = True
    for kind, value in steps:
        inputs: list[Any] = []
        if kind == "says":
            state, message = memory.receive(state, now, text=value, opened=first)
            inputs.append(message)
            first = False
        elif kind == "presses":
            state, message = memory.receive(state, now, button=value, opened=first)
            inputs.append(message)
            first = False
        elif kind == "wait":  # timers fire one by one, as the hub's queue rings them
            end = now + timedelta(minutes=value)
            while due := memory.due_timers(state, end):
                now = due[0].due_at
                step(TimerFired(due[0].key, due[0].kind, due[0].scheduled_at, due[0].event))
            now = end
        elif kind == "agent":
            inputs.append(_agent_input(value))
        else:
            inputs.append(FieldsChanged({value: (None, "x")}))
        for item in inputs:
            step(item)
