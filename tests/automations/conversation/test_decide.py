"""``decide`` itself: each behaviour the hub's bot step had, as a pure call."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from automations.conversation import (
    AgentRef,
    AgentReplied,
    Brain,
    ConversationOpened,
    CustomerMessage,
    TimerFired,
    decide,
)
from automations.nlu import CONFIRM_NO, CONFIRM_YES
from automations.surveys import SurveyStatus
from tests.automations.conftest import MONDAY_10H_PARIS, Chat
from tests.automations.conversation.conftest import MakeBrain
from tests.support.brain import empty_state

GREETING_HUB = """\
name: Test hub
languages: [en, fr]
default_language: en
greeting:
  text: {en: Hello there, fr: Bonjour}
  buttons: [{id: pricing, title: {en: Pricing, fr: Tarifs}}]
inboxes:
  - slug: demo
    kind: webchat
"""
PRICING_ONLY = """\
rules:
  - name: pricing
    when: {button_pressed: pricing}
    then:
      - send: "Plans start at 29 euros."
"""
ANA = AgentRef(7, "ana@demo.example", "Ana Agent")


def _after_survey(chat: Chat) -> None:
    chat.says("Hello", opened=True)
    chat.presses("choice:en")


def test_greeting_when_no_rule_listens_to_the_opening(make_brain: MakeBrain) -> None:
    chat = Chat(brain=make_brain({"rules.yaml": PRICING_ONLY}, hub_yaml=GREETING_HUB, nlu=False))
    decision = chat.says("Hi", opened=True)
    assert [(m.text, [b.id for b in m.buttons]) for m in decision.messages] == [
        ("Hello there", ["pricing"])
    ]
    assert decision.fired == ()
    chat.presses("pricing")
    assert chat.last.text == "Plans start at 29 euros."


def test_a_rule_on_the_opening_replaces_the_greeting(demo_chat: Chat) -> None:
    decision = demo_chat.says("Hello", opened=True)
    assert decision.fired == ("ask_language",)
    assert decision.messages[0].text.startswith("Which language do you prefer")
    # the survey's timeout, and the wait for the customer its question starts, which the
    # opening message itself does not cancel
    assert {t.key for t in decision.timers_set} == {
        "no_reply:600",
        "no_reply:3600",
        "survey_timeout:language",
    }
    # the opening message is not the survey's answer, and the FAQ waits for the survey
    assert decision.nlu[0].data["skipped"] == "a survey is waiting for an answer"
    assert len(decision.messages) == 1


def test_a_survey_answer_is_consumed_before_the_nlu(demo_chat: Chat) -> None:
    demo_chat.says("Hello", opened=True)
    decision = demo_chat.says("Français")
    assert decision.nlu == ()  # the survey took it: no classification
    assert demo_chat.fields == {"preferred_language": "fr"}
    assert decision.fired == ("route_by_language",)
    assert demo_chat.survey is not None
    assert demo_chat.survey.status is SurveyStatus.COMPLETED
    assert decision.conversation.team == "french"
    assert {"language", "team"} <= decision.conversation.changed
    assert decision.contact.language == "fr"
    assert decision.timers_cancel.keys == ("survey_timeout:language",)


def test_an_nlu_answer_comes_with_the_confirm_question(demo_chat: Chat) -> None:
    _after_survey(demo_chat)
    decision = demo_chat.says("How much does it cost?")
    texts = [m.text for m in decision.messages]
    assert len(texts) == 2
    assert texts[1] == "Did this answer your question?"
    assert [b.id for b in decision.messages[1].buttons] == [CONFIRM_YES, CONFIRM_NO]
    (note,) = decision.nlu
    assert note.message_id == demo_chat.state.transcript[-3].id
    assert note.data["intent"] == "pricing"
    assert note.data["answered"] is True
    assert note.data["answer"] == "intent"
    assert [r.source for r in decision.explanations][-1] == "nlu"
    assert {t.key for t in decision.timers_set} == {"no_reply:600", "no_reply:3600"}


def test_typed_yes_after_the_confirm_question_is_feedback(demo_chat: Chat) -> None:
    _after_survey(demo_chat)
    demo_chat.says("How much does it cost?")
    question_id = next(m.id for m in reversed(demo_chat.state.transcript) if m.direction == "in")
    decision = demo_chat.says("yes!")
    assert [m.text for m in decision.messages] == ["Great, glad I could help!"]
    notes = {n.message_id: n.data for n in decision.nlu}
    assert notes[question_id]["helpful"] is True
    assert notes[question_id]["intent"] == "pricing"
    (answer_id,) = set(notes) - {question_id}
    assert notes[answer_id] == {"feedback": "yes", "about_message": question_id}
    assert decision.explanations[0].event == f"button_pressed({CONFIRM_YES})"


def test_no_button_is_an_event_the_rules_act_on(demo_chat: Chat) -> None:
    _after_survey(demo_chat)
    demo_chat.says("How much does it cost?")
    decision = demo_chat.presses(CONFIRM_NO)
    assert decision.fired == ("faq_not_helpful",)
    assert decision.messages[0].text.startswith("Sorry that didn't help")
    assert [n.data.get("helpful") for n in decision.nlu if "intent" in n.data] == [False]
    assert "faq_not_helpful" in decision.conversation.labels


def test_a_snippet_answer_greets_the_contact_by_name(demo_chat: Chat) -> None:
    _after_survey(demo_chat)
    decision = demo_chat.says("Good morning")
    assert decision.messages[0].text.startswith("Hello Ana! Ask me about pricing")
    assert [b.id for b in decision.messages[0].buttons][:2] == ["pricing", "free_trial"]


def test_a_french_text_sets_the_conversation_language(demo_brain: Brain) -> None:
    chat = Chat(brain=demo_brain, language=None, channel="api")  # not surveyed
    decision = chat.says("Bonjour, quels sont vos tarifs ?", opened=True)
    assert decision.conversation.language == "fr"
    assert "language" in decision.conversation.changed
    assert decision.messages[0].text.startswith("Demo Co. propose trois offres")


def test_a_timer_is_stale_once_the_customer_wrote(demo_chat: Chat) -> None:
    _after_survey(demo_chat)
    state = demo_chat.state
    timer = next(t for t in state.timers if t.key == "no_reply:600")
    later = replace(
        state,
        conversation=replace(
            state.conversation, last_customer_message_at=timer.scheduled_at + timedelta(seconds=1)
        ),
    )
    fired = TimerFired(timer.key, timer.kind, timer.scheduled_at, timer.event)
    due = timer.due_at
    assert decide(later, fired, demo_chat.brain, due).messages == ()
    fresh = decide(state, fired, demo_chat.brain, due)
    assert fresh.fired == ("still_there",)
    assert fresh.timers_cancel.keys[0] == "no_reply:600"


def test_an_agent_reply_abandons_the_survey_and_waits(demo_chat: Chat) -> None:
    demo_chat.says("Hello", opened=True)
    decision = demo_chat.run(AgentReplied(ANA, "Hi, Ana here"))
    assert demo_chat.survey is not None
    assert demo_chat.survey.status is SurveyStatus.ABANDONED
    assert demo_chat.survey.reason == "agent"
    assert decision.timers_cancel.keys == ("survey_timeout:language",)
    assert {t.key for t in decision.timers_set} == {"no_reply:600", "no_reply:3600"}
    assert decision.conversation.status == "assigned"
    assert decision.conversation.assignee_id == ANA.id
    assert decision.conversation.first_response_at == demo_chat.now
    (message,) = decision.messages
    assert (message.sender_kind, message.agent_id, message.text) == ("agent", 7, "Hi, Ana here")
    demo_chat.says("English")  # no longer a survey answer, and a person holds it
    assert demo_chat.fields == {}


ASSIGN = """\
rules:
  - name: vip
    when: message_received
    then:
      - assign_agent: boss@demo.example
      - add_label: vip
"""


def test_assigning_an_unknown_agent_is_a_recorded_failure(make_brain: MakeBrain) -> None:
    brain = make_brain({"rules.yaml": ASSIGN}, nlu=False)
    assert brain.agent_emails == {"boss@demo.example"}
    chat = Chat(brain=brain)
    decision = chat.says("hello", opened=True)
    (record,) = [r for r in decision.explanations if r.fired]
    assert record.failures == (
        {
            "rule": "vip",
            "action": "assign_agent",
            "error": "no agent 'boss@demo.example' (add it with `hub agents add`)",
            "stage": "apply",
        },
    )
    assert [a["ok"] for a in record.actions] == [False, True]
    assert decision.conversation.labels == ("vip",)  # the other action still ran
    boss = AgentRef(3, "Boss@Demo.example", "Boss")
    chat.state = replace(chat.state, agents={"boss@demo.example": boss})
    decision = chat.says("again")
    assert decision.conversation.assignee_id == 3
    assert decision.conversation.status == "assigned"


def test_resolving_cancels_every_timer(demo_chat: Chat) -> None:
    _after_survey(demo_chat)
    assert demo_chat.timers
    demo_chat.wait(timedelta(hours=1))
    assert demo_chat.conversation["status"] == "resolved"
    last = demo_chat.decisions[-1]
    assert last.timers_cancel.all
    assert last.timers_set == ()
    assert demo_chat.timers == {}
    assert [e.kind for e in last.reporting_events] == ["resolved"]


def test_the_same_call_gives_the_same_decision(demo_chat: Chat) -> None:
    _after_survey(demo_chat)
    state = demo_chat.state
    message = CustomerMessage(99, text="I want a refund of my invoice")
    first = decide(state, message, demo_chat.brain, MONDAY_10H_PARIS)
    second = decide(state, message, demo_chat.brain, MONDAY_10H_PARIS)
    assert first == second
    assert "refund_is_urgent" in first.fired


def test_a_broken_state_is_recorded_not_raised(demo_brain: Brain) -> None:
    state = empty_state()
    broken = replace(state, conversation=replace(state.conversation, inbox="nowhere"))
    decision = decide(broken, [ConversationOpened(), object()], demo_brain, MONDAY_10H_PARIS)  # type: ignore[list-item]
    assert decision.explanations[-1].source == "brain"
    assert "no handler" in str(decision.explanations[-1].failures[0]["error"])


def test_without_nlu_the_transcript_is_not_read(demo_engine_brain: Brain) -> None:
    chat = Chat(brain=demo_engine_brain)
    chat.says("Hello", opened=True)
    chat.presses("choice:en")
    assert not demo_engine_brain.reads_transcript
    message = CustomerMessage(50, text="yes")
    with_transcript = decide(chat.state, message, demo_engine_brain, chat.now)
    without = decide(replace(chat.state, transcript=()), message, demo_engine_brain, chat.now)
    assert with_transcript == without
