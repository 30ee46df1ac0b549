"""Every condition operator and subject, the combinators, and the evaluation trace."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from automations.errors import RuleCompileError
from automations.rules import ConditionTrace, Event, EventKind, Facts, compile_condition
from automations.rules.conditions import EvalContext
from config.rules import Condition
from tests.automations.conftest import facts as make_facts

MESSAGE = Event(EventKind.MESSAGE_RECEIVED, text="Hello, I'd like a REFUND for order AB-1234")


def holds(condition: dict[str, Any], event: Event = MESSAGE, facts: Facts | None = None) -> bool:
    compiled = compile_condition(Condition.model_validate(condition))
    return compiled(EvalContext(event, facts or make_facts()), None)


FACTS = make_facts(
    language="fr",
    fields={"size": 12, "plan": "pro", "interest": ("pricing",), "trial_start": "2025-01-31"},
    contact={"name": "Ana", "tier": "vip"},
    conversation={"status": "bot", "priority": "high", "labels": ("refund", "vip")},
)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # equals (and its scalar shorthand)
        ({"field": {"plan": {"equals": "pro"}}}, True),
        ({"field": {"plan": "basic"}}, False),
        ({"field": {"size": 12}}, True),
        ({"field": {"interest": "pricing"}}, True),  # a multi-choice value contains it
        ({"field": {"trial_start": {"equals": "2025-01-31"}}}, True),
        ({"field": {"missing": "x"}}, False),
        # not_equals
        ({"field": {"plan": {"not_equals": "basic"}}}, True),
        ({"field": {"plan": {"not_equals": "pro"}}}, False),
        ({"field": {"missing": {"not_equals": "x"}}}, True),
        # in (and its list shorthand) / not_in
        ({"field": {"plan": {"in": ["pro", "team"]}}}, True),
        ({"field": {"plan": ["basic", "team"]}}, False),
        ({"conversation": {"labels": {"in": ["vip", "x"]}}}, True),
        ({"field": {"plan": {"not_in": ["basic"]}}}, True),
        ({"field": {"plan": {"not_in": ["pro"]}}}, False),
        # is_set
        ({"field": {"plan": {"is_set": True}}}, True),
        ({"field": {"missing": {"is_set": True}}}, False),
        ({"field": {"missing": {"is_set": False}}}, True),
        # contains_any on a text and on a list
        ({"contact": {"name": {"contains_any": ["an"]}}}, True),
        ({"conversation": {"labels": {"contains_any": ["refund"]}}}, True),
        ({"conversation": {"labels": {"contains_any": ["ref"]}}}, False),
        # matches
        ({"field": {"plan": {"matches": "^p"}}}, True),
        ({"field": {"plan": {"matches": "^b"}}}, False),
        ({"field": {"missing": {"matches": ".*"}}}, False),
        # gt / gte / lt / lte, and several operators at once
        ({"field": {"size": {"gt": 11}}}, True),
        ({"field": {"size": {"gt": 12}}}, False),
        ({"field": {"size": {"gte": 12}}}, True),
        ({"field": {"size": {"lt": 12}}}, False),
        ({"field": {"size": {"lte": 12}}}, True),
        ({"field": {"size": {"gte": 10, "lte": 20}}}, True),
        ({"field": {"size": {"gte": 13, "lte": 20}}}, False),
        ({"field": {"plan": {"gt": 1}}}, False),  # not a number
        # contact and conversation attributes
        ({"contact": {"tier": "vip"}}, True),
        ({"conversation": {"status": "queued"}}, False),
        ({"conversation": {"priority": {"in": ["high", "urgent"]}}}, True),
    ],
)
def test_operators_on_fields_contact_and_conversation(
    condition: dict[str, Any], expected: bool
) -> None:
    assert holds(condition, facts=FACTS) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"text": {"contains_any": ["refund", "money back"]}}, True),
        ({"text": {"contains_any": ["invoice"]}}, False),
        ({"text": {"contains_any": ["remboursé"]}}, False),
        ({"text": {"matches": r"[A-Z]{2}-\d{4}"}}, True),
        ({"text": {"matches": r"^refund"}}, False),
        ({"text": {"equals": "hello, i'd like a refund for order ab-1234"}}, True),
        ({"text": {"is_set": True}}, True),
    ],
)
def test_message_text(condition: dict[str, Any], expected: bool) -> None:
    assert holds(condition) is expected


def test_text_matching_ignores_case_and_accents() -> None:
    event = Event(EventKind.MESSAGE_RECEIVED, text="Je veux être REMBOURSÉ")
    assert holds({"text": {"contains_any": ["rembourse"]}}, event)
    assert holds({"text": {"in": ["je veux etre rembourse"]}}, event)


def test_no_text_never_contains_anything() -> None:
    opened = Event(EventKind.CONVERSATION_OPENED)
    assert not holds({"text": {"contains_any": ["a"]}}, opened)
    assert holds({"text": {"is_set": False}}, opened)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"channel": "webchat"}, True),
        ({"channel": {"in": ["telegram", "twilio"]}}, False),
        ({"channel": {"not_in": ["telegram"]}}, True),
        ({"inbox": "demo"}, True),
        ({"inbox": {"not_equals": "demo"}}, False),
        ({"language": "en"}, True),
        ({"language": {"in": ["fr", "es"]}}, False),
        ({"language": {"matches": "^e"}}, True),
    ],
)
def test_channel_inbox_language(condition: dict[str, Any], expected: bool) -> None:
    assert holds(condition) is expected


INTENT = Event(EventKind.INTENT_MATCHED, text="how much?", intent="pricing", confidence=0.82)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"intent": "pricing"}, True),
        ({"intent": {"in": ["refund", "cancel"]}}, False),
        ({"confidence": {"gte": 0.8}}, True),
        ({"confidence": {"gt": 0.9}}, False),
        ({"confidence": {"lt": 0.9}}, True),
        ({"confidence": {"lte": 0.5}}, False),
        ({"intent": "pricing", "confidence": {"gte": 0.8}}, True),
        ({"intent": "pricing", "confidence": {"gte": 0.9}}, False),
    ],
)
def test_intent_and_confidence(condition: dict[str, Any], expected: bool) -> None:
    assert holds(condition, INTENT) is expected


def test_confidence_missing_is_false() -> None:
    assert not holds({"confidence": {"gte": 0.1}}, MESSAGE)
    assert holds({"confidence": {"is_set": False}}, MESSAGE)


def test_button() -> None:
    pressed = Event(EventKind.BUTTON_PRESSED, button="pricing")
    assert holds({"button": "pricing"}, pressed)
    assert not holds({"button": {"in": ["human"]}}, pressed)


def at(hour: int, minute: int = 0, day: int = 3) -> Facts:
    """Facts at a UTC instant; March 2025: the 3rd is a Monday, Paris is UTC+1."""
    return make_facts(now=datetime(2025, 3, day, hour, minute, tzinfo=UTC))


@pytest.mark.parametrize(
    ("condition", "utc", "expected"),
    [
        ({"between": ["09:00", "18:00"]}, (8, 0), True),  # 09:00 Paris
        ({"between": ["09:00", "18:00"]}, (7, 59), False),  # 08:59 Paris
        ({"between": ["09:00", "18:00"]}, (17, 0), False),  # 18:00 Paris, end excluded
        ({"between": ["19:00", "08:00"]}, (22, 0), True),  # across midnight
        ({"between": ["19:00", "08:00"]}, (6, 30), True),
        ({"between": ["19:00", "08:00"]}, (12, 0), False),
        ({"before": "09:00"}, (7, 30), True),
        ({"before": "09:00"}, (8, 0), False),
        ({"after": "18:00"}, (17, 0), True),
        ({"after": "18:00"}, (16, 59), False),
        ({"weekdays": ["mon", "tue"]}, (10, 0), True),
        ({"weekdays": ["sat", "sun"]}, (10, 0), False),
    ],
)
def test_time_of_day_in_the_inbox_timezone(
    condition: dict[str, Any], utc: tuple[int, int], expected: bool
) -> None:
    assert holds({"time": condition}, facts=at(*utc)) is expected


def test_weekday_is_taken_in_the_inbox_timezone() -> None:
    sunday_late_utc = at(23, 30, day=2)  # Sunday 23:30 UTC is Monday 00:30 in Paris
    assert holds({"time": {"weekdays": ["mon"]}}, facts=sunday_late_utc)
    utc_facts = make_facts(now=sunday_late_utc.now, timezone="UTC")
    assert not holds({"time": {"weekdays": ["mon"]}}, facts=utc_facts)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"all": [{"language": "en"}, {"channel": "webchat"}]}, True),
        ({"all": [{"language": "en"}, {"channel": "telegram"}]}, False),
        ({"any": [{"language": "fr"}, {"channel": "webchat"}]}, True),
        ({"any": [{"language": "fr"}, {"channel": "telegram"}]}, False),
        ({"not": {"language": "fr"}}, True),
        ({"not": {"language": "en"}}, False),
        ({"language": "en", "channel": "telegram"}, False),  # keys of one mapping: all
        (
            {
                "any": [
                    {"all": [{"language": "en"}, {"not": {"channel": "webchat"}}]},
                    {"text": {"contains_any": ["refund"]}},
                ]
            },
            True,
        ),
    ],
)
def test_all_any_not(condition: dict[str, Any], expected: bool) -> None:
    assert holds(condition) is expected


def test_trace_records_each_evaluated_leaf_and_short_circuits() -> None:
    condition = Condition.model_validate(
        {"any": [{"language": "fr"}, {"text": {"contains_any": ["refund"]}}, {"channel": "x"}]}
    )
    trace: list[ConditionTrace] = []
    assert compile_condition(condition)(EvalContext(MESSAGE, make_facts()), trace)
    assert trace == [
        ConditionTrace("if.any[0].language", "language equals 'fr'", "en", False),
        ConditionTrace(
            "if.any[1].text",
            "text contains_any ('refund',)",
            "Hello, I'd like a REFUND for order AB-1234",
            True,
        ),
    ]


def test_trace_of_not_records_the_negation() -> None:
    condition = Condition.model_validate({"not": {"language": "en"}})
    trace: list[ConditionTrace] = []
    assert not compile_condition(condition)(EvalContext(MESSAGE, make_facts()), trace)
    assert [(t.path, t.value) for t in trace] == [("if.not.language", True), ("if.not", False)]


def test_operator_that_does_not_fit_the_subject_is_refused_at_compile_time() -> None:
    with pytest.raises(RuleCompileError, match="operator 'gte' does not apply to text"):
        compile_condition(Condition.model_validate({"text": {"gte": 3}}))
    with pytest.raises(RuleCompileError, match="operator 'equals' does not apply to time"):
        compile_condition(Condition.model_validate({"time": {"equals": "10:00"}}))


@pytest.mark.parametrize(
    ("pattern", "phrase"),
    [
        (r"(?i)\brefund\b", "refund"),
        (r"^Refund", "refund"),
        (r"(?i)money back", "money back"),
        (r"(?i)money\s+back", "money"),
        (r"refunds?", "refund"),
        (r"(?i)\border\w*\s+#?\d+", "order"),
        (r"refund|money", None),  # an alternative may match without the phrase
        (r"(?x)money back", None),  # verbose: the space means nothing
        (r"(?i:refund)", None),
        (r"\d+ refund", None),
        (r"a{2}", None),
    ],
)
def test_required_phrase_of_a_regex(pattern: str, phrase: str | None) -> None:
    from automations.rules.text_gate import required_phrase

    assert required_phrase(pattern) == phrase


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r"(?i)refund", "REFUND please"),
        (r"(?i)iade", "İADE"),  # Turkish capital dotted I
        (r"(?i)iade", "ıade"),  # Turkish dotless i: (?i) takes it for i
        (r"(?i)kelvin", "\u212aelvin"),  # Kelvin sign
        (r"(?i)money back", "my money back!"),
    ],
)
def test_a_regex_match_always_contains_its_phrase_once_normalised(pattern: str, text: str) -> None:
    import re

    from automations.matching import normalise
    from automations.rules.text_gate import required_phrase

    assert re.search(pattern, text)
    phrase = required_phrase(pattern)
    assert phrase is not None
    assert phrase in normalise(text)
