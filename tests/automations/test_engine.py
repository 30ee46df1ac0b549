"""The engine: dispatch by event, filters, loop guards, stop, timers, explanations."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from automations.actions import AddLabel
from automations.rules import Event, EventKind, RuleEngine, Sender, Timer
from config.rules import RulesFile
from tests.automations.conftest import facts, model_from_yaml

RULES = """
settings:
  max_fires_per_conversation: 2
rules:
  - name: opened
    when: conversation_opened
    max_fires: 1
    then: [{add_label: opened}]
  - name: refund
    when: message_received
    if:
      text: {contains_any: [refund]}
    then: [{add_label: refund}]
  - name: any_message
    when: message_received
    then: [{add_label: message}]
  - name: pricing_button
    when: {button_pressed: pricing}
    then: [{add_label: pricing}]
  - name: language_changed
    when: {field_changed: preferred_language}
    then: [{add_label: language}]
  - name: survey_done
    when: {survey_answered: language}
    then: [{add_label: surveyed}]
  - name: survey_gone
    when: survey_abandoned
    then: [{add_label: abandoned}]
  - name: pricing_intent
    when: {intent_matched: pricing}
    if:
      confidence: {gte: 0.7}
    then: [{add_label: intent}]
  - name: idle
    when: {no_reply: 10m}
    then: [{add_label: idle}]
  - name: idle_long
    when: {no_reply: 1h}
    then: [{add_label: idle_long}]
  - name: escalated
    when: conversation_escalated
    then: [{add_label: escalated}]
  - name: resolved
    when: conversation_resolved
    then: [{add_label: resolved}]
  - name: disabled
    enabled: false
    when: conversation_opened
    then: [{add_label: never}]
"""


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return RuleEngine(model_from_yaml(RulesFile, RULES))


def labels(engine: RuleEngine, event: Event, **overrides: Any) -> list[str]:
    decision = engine.evaluate(event, facts(**overrides))
    return [a.label for a in decision.actions if isinstance(a, AddLabel)]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (Event(EventKind.CONVERSATION_OPENED, sender=Sender.SYSTEM), ["opened"]),
        (Event(EventKind.MESSAGE_RECEIVED, text="a refund please"), ["refund", "message"]),
        (Event(EventKind.MESSAGE_RECEIVED, text="hello"), ["message"]),
        (Event(EventKind.BUTTON_PRESSED, button="pricing"), ["pricing"]),
        (Event(EventKind.BUTTON_PRESSED, button="human"), []),
        (Event(EventKind.FIELD_CHANGED, field="preferred_language", new_value="fr"), ["language"]),
        (Event(EventKind.FIELD_CHANGED, field="size", new_value=3), []),
        (Event(EventKind.SURVEY_ANSWERED, survey="language"), ["surveyed"]),
        (Event(EventKind.SURVEY_ANSWERED, survey="other"), []),
        (Event(EventKind.SURVEY_ABANDONED, survey="other", reason="timeout"), ["abandoned"]),
        (Event(EventKind.INTENT_MATCHED, intent="pricing", confidence=0.9), ["intent"]),
        (Event(EventKind.INTENT_MATCHED, intent="pricing", confidence=0.5), []),
        (Event(EventKind.INTENT_MATCHED, intent="refund", confidence=0.9), []),
        (Event(EventKind.NO_REPLY, sender=Sender.SYSTEM, after_s=600), ["idle"]),
        (Event(EventKind.NO_REPLY, sender=Sender.SYSTEM, after_s=3600), ["idle_long"]),
        (Event(EventKind.CONVERSATION_ESCALATED, sender=Sender.SYSTEM), ["escalated"]),
        (Event(EventKind.CONVERSATION_RESOLVED, sender=Sender.AGENT), ["resolved"]),
    ],
)
def test_rules_fire_on_their_event_and_filter(
    engine: RuleEngine, event: Event, expected: list[str]
) -> None:
    assert labels(engine, event) == expected


@pytest.mark.parametrize("sender", [Sender.BOT, Sender.AGENT, Sender.SYSTEM])
@pytest.mark.parametrize(
    "event",
    [
        Event(EventKind.MESSAGE_RECEIVED, text="a refund please"),
        Event(EventKind.BUTTON_PRESSED, button="pricing"),
        Event(EventKind.INTENT_MATCHED, intent="pricing", confidence=1.0),
    ],
)
def test_never_fires_on_what_the_hub_itself_sent(
    engine: RuleEngine, event: Event, sender: Sender
) -> None:
    decision = engine.evaluate(replace(event, sender=sender), facts())
    assert decision.actions == ()
    assert decision.fired == ()
    assert decision.explanation.ignored == (
        f"sent by {sender.value}: rules only react to the customer"
    )


def test_fire_limit_per_rule_and_default(engine: RuleEngine) -> None:
    opened = Event(EventKind.CONVERSATION_OPENED, sender=Sender.SYSTEM)
    assert labels(engine, opened, fired={"opened": 1}) == []
    message = Event(EventKind.MESSAGE_RECEIVED, text="hi")
    assert labels(engine, message, fired={"any_message": 1}) == ["message"]
    decision = engine.evaluate(message, facts(fired={"any_message": 2}))
    assert decision.actions == ()
    skipped = {t.rule: t.skipped for t in decision.explanation.rules}
    assert skipped == {
        "refund": None,  # its condition was evaluated (and was false)
        "any_message": "fired 2 time(s) already in this conversation",
    }


def test_stop_ends_the_event() -> None:
    engine = RuleEngine(
        model_from_yaml(
            RulesFile,
            """
rules:
  - {name: a, when: message_received, then: [{add_label: a}]}
  - {name: b, when: message_received, stop: true, if: {text: {contains_any: [stop]}},
     then: [{add_label: b}]}
  - {name: c, when: message_received, then: [{add_label: c}]}
""",
        )
    )
    assert labels(engine, Event(EventKind.MESSAGE_RECEIVED, text="stop")) == ["a", "b"]
    assert labels(engine, Event(EventKind.MESSAGE_RECEIVED, text="go")) == ["a", "c"]


def test_no_reply_timers_are_exposed_as_data(engine: RuleEngine) -> None:
    assert engine.no_reply_timers == (
        Timer(
            "no_reply",
            "no_reply:600",
            timedelta(minutes=10),
            Event(EventKind.NO_REPLY, sender=Sender.SYSTEM, after_s=600),
        ),
        Timer(
            "no_reply",
            "no_reply:3600",
            timedelta(hours=1),
            Event(EventKind.NO_REPLY, sender=Sender.SYSTEM, after_s=3600),
        ),
    )
    customer = engine.evaluate(Event(EventKind.MESSAGE_RECEIVED, text="hi"), facts())
    assert customer.cancel == ("no_reply:600", "no_reply:3600")
    assert customer.schedule == ()


def test_a_bot_message_starts_the_no_reply_timers() -> None:
    engine = RuleEngine(
        model_from_yaml(
            RulesFile,
            """
rules:
  - {name: hi, when: conversation_opened, then: [{send: Hi}]}
  - {name: idle, when: {no_reply: 5m}, then: [resolve]}
""",
        )
    )
    decision = engine.evaluate(Event(EventKind.CONVERSATION_OPENED), facts())
    assert [t.key for t in decision.schedule] == ["no_reply:300"]
    assert engine.timers_after_outbound() == decision.schedule


def test_explanation_says_what_fired_on_which_event_and_why(engine: RuleEngine) -> None:
    decision = engine.evaluate(Event(EventKind.MESSAGE_RECEIVED, text="hello"), facts())
    record = decision.explanation.to_dict()
    assert json.loads(json.dumps(record)) == record
    assert record["event"] == "message_received"
    assert record["text"] == "hello"
    # rules whose conditions ran come first, then those the keyword index left out
    assert record["rules"] == [
        {
            "rule": "any_message",
            "matched": True,
            "fired": True,
            "skipped": None,
            "conditions": [],
            "actions": ["add_label(label='message')"],
        },
        {
            "rule": "refund",
            "matched": False,
            "fired": False,
            "skipped": None,
            "conditions": [
                {
                    "path": "if.text",
                    "test": "text contains_any ('refund',)",
                    "actual": "'hello'",
                    "value": False,
                }
            ],
            "actions": [],
        },
    ]
    assert decision.fired == ("any_message",)


def test_explain_off_still_reports_fired_rules(engine: RuleEngine) -> None:
    decision = engine.evaluate(
        Event(EventKind.MESSAGE_RECEIVED, text="refund"), facts(), explain=False
    )
    assert decision.fired == ("refund", "any_message")
    assert decision.explanation.rules == ()


def test_event_filter_values() -> None:
    assert Event(EventKind.NO_REPLY, after_s=600).summary() == "no_reply(600)"
    assert Event(EventKind.BUTTON_PRESSED, button="x").filter_value == "x"
    assert Event(EventKind.CONVERSATION_OPENED).filter_value is None


def test_from_config_builds_the_demo(demo_engine: RuleEngine) -> None:
    assert [t.key for t in demo_engine.no_reply_timers] == ["no_reply:600", "no_reply:3600"]
    assert [r.name for r in demo_engine.candidates(Event(EventKind.CONVERSATION_OPENED))] == [
        "ask_language"
    ]


def naive_fired(engine: RuleEngine, event: Event, facts_: Any) -> tuple[str, ...]:
    """Every candidate's whole condition, no keyword index: what the index must agree with."""
    from automations.rules.conditions import EvalContext

    ctx = EvalContext(event, facts_)
    return tuple(
        rule.name
        for rule in engine.candidates(event)
        if rule.condition is None or rule.condition(ctx, None)
    )


def test_keyword_index_agrees_with_evaluating_every_rule() -> None:
    from tests.bench.rules import FIELDS, LANGUAGES, build_events, build_rules, prepare

    engine = RuleEngine(
        build_rules(200, seed=7), fields=FIELDS, languages=LANGUAGES, default_language="en"
    )
    gated = [r for r in engine.candidates(Event(EventKind.MESSAGE_RECEIVED)) if r.gate]
    assert len(gated) > 20  # the index is really in use
    fired_somewhere = 0
    for event, event_facts in prepare(build_events(3000, seed=7)):
        decision = engine.evaluate(event, event_facts)
        assert decision.fired == naive_fired(engine, event, event_facts)
        assert engine.evaluate(event, event_facts, explain=False).fired == decision.fired
        considered = sorted(t.rule for t in decision.explanation.rules)
        assert considered == sorted(r.name for r in engine.candidates(event))
        fired_somewhere += bool(decision.fired)
    assert fired_somewhere > 100


def test_keyword_gate_under_any_and_all_and_not() -> None:
    engine = RuleEngine(
        model_from_yaml(
            RulesFile,
            """
rules:
  - name: any_gate
    when: message_received
    if: {any: [{text: {contains_any: [refund]}}, {text: {contains_any: [money back]}}]}
    then: [{add_label: a}]
  - name: all_gate
    when: message_received
    if: {all: [{language: en}, {text: {contains_any: [invoice]}}]}
    then: [{add_label: b}]
  - name: not_is_no_gate
    when: message_received
    if: {not: {text: {contains_any: [thanks]}}}
    then: [{add_label: c}]
  - name: mixed_any_is_no_gate
    when: message_received
    if: {any: [{text: {contains_any: [zzz]}}, {language: en}]}
    then: [{add_label: d}]
""",
        )
    )
    gates = {r.name: r.gate for r in engine.candidates(Event(EventKind.MESSAGE_RECEIVED))}
    assert gates == {
        "any_gate": frozenset({"refund", "money back"}),
        "all_gate": frozenset({"invoice"}),
        "not_is_no_gate": None,
        "mixed_any_is_no_gate": None,
    }
    assert labels(engine, Event(EventKind.MESSAGE_RECEIVED, text="Money  BACK!")) == [
        "a",
        "c",
        "d",
    ]
    assert labels(engine, Event(EventKind.MESSAGE_RECEIVED, text="invoice, thanks")) == [
        "b",
        "d",
    ]


def test_stop_leaves_later_gated_rules_out_of_the_explanation() -> None:
    engine = RuleEngine(
        model_from_yaml(
            RulesFile,
            """
rules:
  - {name: first, when: message_received, stop: true, then: [{add_label: a}]}
  - {name: later, when: message_received, if: {text: {contains_any: [x]}},
     then: [{add_label: b}]}
""",
        )
    )
    decision = engine.evaluate(Event(EventKind.MESSAGE_RECEIVED, text="hello"), facts())
    assert [t.rule for t in decision.explanation.rules] == ["first"]
