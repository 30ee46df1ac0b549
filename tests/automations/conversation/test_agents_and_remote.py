"""Agent inputs, the status table, notifications, a rule loop, and the remote NLU seam."""

from __future__ import annotations

from dataclasses import replace

import pytest

from automations.conversation import (
    TRANSITIONS,
    AgentRef,
    AgentTookOver,
    Brain,
    Cause,
    ConversationState,
    CustomerMessage,
    FieldsChanged,
    HandedBack,
    ResolvedByAgent,
    Status,
    decide,
    memory,
    next_status,
    nlu_request,
)
from automations.nlu import NluResult
from tests.automations.conftest import MONDAY_10H_PARIS, Chat
from tests.automations.conversation.conftest import HUB_YAML, MakeBrain

ANA = AgentRef(7, "ana@demo.example", "Ana Agent")


@pytest.mark.parametrize(
    ("current", "cause", "expected"),
    [
        (Status.BOT, Cause.ESCALATE, Status.QUEUED),
        (Status.QUEUED, Cause.ESCALATE, None),
        (Status.ASSIGNED, Cause.ASSIGN, None),
        (Status.RESOLVED, Cause.RESOLVE, None),
        (Status.RESOLVED, Cause.AGENT_REPLY, None),
        (Status.QUEUED, Cause.AGENT_REPLY, Status.ASSIGNED),
        (Status.ASSIGNED, Cause.HAND_BACK, Status.BOT),
        (Status.BOT, Cause.HAND_BACK, None),
        ("nonsense", Cause.RESOLVE, None),
    ],
)
def test_the_status_table(current: str, cause: Cause, expected: Status | None) -> None:
    assert next_status(current, cause) == expected


def test_nothing_leaves_resolved() -> None:
    assert all(Status.RESOLVED not in moves for moves in TRANSITIONS.values())


def test_take_over_then_hand_back(demo_chat: Chat) -> None:
    demo_chat.says("Hello", opened=True)
    took = demo_chat.run(AgentTookOver(ANA))
    assert (took.conversation.status, took.conversation.assignee_id) == ("assigned", 7)
    assert demo_chat.survey is not None
    assert demo_chat.survey.reason == "agent"
    assert demo_chat.says("English").messages == ()  # a person holds it: the bot is quiet
    back = demo_chat.run(HandedBack(ANA))
    assert back.conversation.status == "bot"
    assert back.conversation.assignee_id is None
    assert [e.kind for e in back.reporting_events] == ["handed_back"]
    assert demo_chat.says("I want my money back").fired == ("refund_is_urgent",)


def test_resolved_by_an_agent_cancels_timers_once(demo_chat: Chat) -> None:
    demo_chat.says("Hello", opened=True)
    first = demo_chat.run(ResolvedByAgent(ANA))
    assert first.conversation.status == "resolved"
    assert first.timers_cancel.all
    assert first.conversation.resolved_at == demo_chat.now
    again = demo_chat.run(ResolvedByAgent(ANA))
    assert "status" not in again.conversation.changed
    assert again.reporting_events == ()


FIELD_RULES = """\
rules:
  - name: plan_changed
    when: {field_changed: plan}
    then:
      - send: "Your plan is now {{ fields.plan }}."
      - notify: {via: inbox, text: "plan changed", to: sales@demo.example}
      - set_field: {plan: "{{ 'gold' }}"}
"""
FIELDS = """\
fields:
  - name: plan
    type: single_choice
    choices: [{value: free, label: Free}, {value: pro, label: Pro}]
"""


def test_an_agent_field_change_reaches_the_rules(make_brain: MakeBrain) -> None:
    brain = make_brain({"rules.yaml": FIELD_RULES, "fields.yaml": FIELDS}, nlu=False)
    # a notifier the hub does not have is a failure like any other (hub check refuses it)
    brain_ok = brain
    brain = replace(brain, notifiers=frozenset({"log"}))
    chat = Chat(brain=brain)
    chat.state = replace(
        chat.state, contact=replace(chat.state.contact, custom_fields={"plan": "pro"})
    )
    decision = chat.run(FieldsChanged({"plan": ("free", "pro")}))
    assert [m.text for m in decision.messages] == ["Your plan is now pro."]
    assert decision.notifications == ()
    (record,) = decision.explanations
    assert [(f["action"], f["stage"]) for f in record.failures] == [
        ("set_field", "plan"),  # a template value the field refuses
        ("notify", "apply"),
    ]
    assert record.failures[1]["error"] == "no notifier 'inbox' (known: log)"
    allowed = decide(chat.state, FieldsChanged({"plan": ("free", "pro")}), brain_ok, chat.now)
    assert [(n.via, n.to, n.text) for n in allowed.notifications] == [
        ("inbox", "sales@demo.example", "plan changed")
    ]


LOOP = """\
rules:
  - name: again
    when: field_changed
    max_fires: 1000
    then:
      - set_field: {count: "{{ (fields.count or 0) + 1 }}"}
"""
COUNT = """\
fields:
  - name: count
    type: number
"""


def test_a_rule_loop_is_cut_short(make_brain: MakeBrain) -> None:
    brain = make_brain({"rules.yaml": LOOP, "fields.yaml": COUNT}, nlu=False)
    decision = Chat(brain=brain).run(FieldsChanged({"count": (None, 0)}))
    assert len(decision.fired) == 64  # MAX_EVENTS_PER_STEP


REMOTE = """\
settings:
  provider: dialogflow_cx
  dialogflow: {project: p, location: global, agent: a}
intents:
  - name: pricing
    examples:
      en: ["How much does it cost?", "What are your prices?", "Price of the Pro plan"]
    answer: {text: {en: Plans start at 9 euros.}}
  - name: hours
    examples:
      en: ["When are you open?", "What are your opening hours?", "Are you open on Sunday?"]
    answer: {text: {en: Open 9 to 6.}}
"""


@pytest.fixture
def remote_brain(make_brain: MakeBrain) -> Brain:
    return make_brain({"intents.yaml": REMOTE}, hub_yaml=HUB_YAML)


def test_the_remote_provider_is_asked_before_decide(remote_brain: Brain) -> None:
    chat = Chat(brain=remote_brain, language=None)
    chat.state, message = _stored(chat, "what do you charge")
    request = nlu_request(chat.state, message, remote_brain, chat.now)
    assert request is not None
    assert (request.text, request.language) == ("what do you charge", "en")
    remote = NluResult(
        intent="hours",
        confidence=0.9,
        runner_up=None,
        provider="dialogflow_cx",
        language="en",
        out_of_scope=False,
    )
    decision = decide(chat.state, replace(message, remote_nlu=remote), remote_brain, chat.now)
    assert decision.messages[0].text == "Open 9 to 6."
    assert decision.nlu[0].data["provider"] == "dialogflow_cx"


def test_without_the_remote_result_the_local_engine_answers(remote_brain: Brain) -> None:
    chat = Chat(brain=remote_brain, language=None)
    chat.state, message = _stored(chat, "How much does it cost?")
    decision = decide(chat.state, message, remote_brain, chat.now)
    assert decision.nlu[0].data["fallback_reason"] == "unconfigured"
    assert decision.messages[0].text == "Plans start at 9 euros."


def test_no_remote_call_for_a_button_or_a_local_config(
    remote_brain: Brain, demo_brain: Brain
) -> None:
    chat = Chat(brain=remote_brain)
    assert nlu_request(chat.state, CustomerMessage(1, button="x"), remote_brain, chat.now) is None
    local = Chat(brain=demo_brain)
    message = CustomerMessage(1, text="How much?")
    assert nlu_request(local.state, message, demo_brain, MONDAY_10H_PARIS) is None


def _stored(chat: Chat, text: str) -> tuple[ConversationState, CustomerMessage]:
    return memory.receive(chat.state, chat.now, text=text)


def test_the_bot_takes_no_part_while_a_person_holds_it(demo_chat: Chat) -> None:
    demo_chat.says("Hello", opened=True)
    demo_chat.presses("choice:en")
    demo_chat.run(AgentTookOver(ANA))
    waiting = {t.key for t in demo_chat.state.timers}
    decision = demo_chat.says("I want a refund")
    # no rule, no NLU, and the wait for the customer stays
    assert decision.conversation.changed == decision.contact.changed == frozenset()
    assert (decision.messages, decision.nlu, decision.explanations) == ((), (), ())
    assert not decision.timers_cancel
    assert {t.key for t in demo_chat.state.timers} == waiting
