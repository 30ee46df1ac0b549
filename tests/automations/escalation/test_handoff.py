"""The handoff record, field by field; its JSON and Bot Framework shapes; its statuses;
the Dialogflow CX ``liveAgentHandoff`` mapping; the customer-facing texts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from automations.escalation import (
    SCHEMA_VERSION,
    ContactView,
    ConversationView,
    Evidence,
    HandoffError,
    HandoffInput,
    Identity,
    PastConversations,
    Signal,
    Suggestion,
    SurveyAnswer,
    Trigger,
    activity,
    build_handoff,
    from_metadata,
    live_agent_handoff,
    move,
    record_to_dict,
    status_event,
    texts,
)

from .helpers import T0, turn

TRANSCRIPT = (
    turn("1", "hello", s=0),
    turn("2", "Hi! How can I help?", sender="bot", bot_kind="other", s=1),
    turn("3", "My order ORD-12345 never arrived, I'm at jane@example.com", s=10),
    turn(
        "4", "Orders arrive in 3 days.", sender="bot", bot_kind="answer", answer_id="delivery", s=11
    ),
    turn("5", "Did this help?", sender="bot", bot_kind="feedback_prompt", s=12),
    turn("6", "No", feedback="no", button="nlu:answered:no", s=15),
    turn(
        "7",
        "See our delivery page",
        sender="bot",
        bot_kind="article",
        answer_id="https://demo.example/delivery",
        s=16,
    ),
    turn("8", "this is useless!!! call me on +33 6 12 34 56 78", s=30),
    turn("9", "where is my parcel?", s=40),
)
SIGNAL = Signal("frustration", 0.72, 0.6, (Evidence(("8", "9"), "useless, shouting"),))


def record_input(**kw: object) -> HandoffInput:
    base: dict[str, object] = {
        "conversation": ConversationView("c42", "webchat", "demo", topic="delivery"),
        "transcript": TRANSCRIPT,
        "contact": ContactView(
            name="Jane Doe",
            language="en",
            tier="vip",
            fields={"order_ref": "A-99812", "plan": "pro"},
            phone=None,
        ),
        "language": "en",
        "now": T0 + timedelta(seconds=41),
        "signals": (SIGNAL, Signal("burst", 0.2, 0.5)),
        "surveys": (SurveyAnswer("contact", "What is your email?", "jane@example.com"),),
        "identities": (Identity("whatsapp_cloud", "whatsapp", "+33612345678"),),
        "past": PastConversations(3, {"resolved_by_bot": 2, "resolved_by_agent": 1}),
        "suggested": Suggestion("english", "delivery", "high"),
        "waiting_since": T0 + timedelta(seconds=40),
    }
    base.update(kw)
    return HandoffInput(**base)  # type: ignore[arg-type]


def test_the_record_field_by_field() -> None:
    r = build_handoff(record_input())
    assert r.schema_version == SCHEMA_VERSION == 1
    assert r.conversation_id == "c42"
    assert r.status == "initiated"
    # only strong signals are triggers, with their evidence
    assert r.triggers == (Trigger("frustration", 0.72, SIGNAL.evidence),)
    # summary: the customer's own words and the entities
    assert r.summary.first_message is not None
    assert r.summary.first_message.message_id == "3"  # "hello" is not substantive
    assert r.summary.last_question is not None
    assert r.summary.last_question.text == "where is my parcel?"
    entities = {(e.kind, e.value, e.source) for e in r.summary.entities}
    assert ("order_ref", "A-99812", "field:order_ref") in entities
    assert ("order_ref", "ORD-12345", "3") in entities
    assert ("email", "jane@example.com", "3") in entities
    assert ("phone", "+33612345678", "8") in entities
    # what the bot tried
    assert r.bot_tried.answers == ("delivery",)
    assert r.bot_tried.articles == ("https://demo.example/delivery",)
    assert r.bot_tried.buttons == ("nlu:answered:no",)
    assert r.bot_tried.negative_feedback == ("6",)
    assert r.bot_tried.surveys[0].answer == "jane@example.com"
    # profile
    p = r.profile
    assert (p.name, p.language, p.tier) == ("Jane Doe", "en", "vip")
    assert p.fields["plan"] == "pro"
    assert p.identities[0].channel == "whatsapp_cloud"
    assert (p.past.count, p.past.outcomes["resolved_by_bot"]) == (3, 2)
    # sentiment: per customer text turn, the shouted one the worst
    assert len(r.sentiment.per_turn) == 4  # the "No" button press is not text
    assert max(r.sentiment.per_turn) == r.sentiment.per_turn[2]
    assert r.sentiment.label == "negative"
    # suggestion and waiting
    assert r.suggested == Suggestion("english", "delivery", "high")
    assert r.waiting_since == T0 + timedelta(seconds=40)
    assert r.waiting_seconds(T0 + timedelta(seconds=100)) == 60


def test_the_json_is_plain_and_versioned() -> None:
    r = build_handoff(record_input())
    data = record_to_dict(r, T0 + timedelta(seconds=70))
    assert data["schema_version"] == 1
    assert data["waiting_seconds"] == 30
    assert data["triggers"][0]["evidence"][0]["message_ids"] == ["8", "9"]
    assert data["summary"]["first_message"]["message_id"] == "3"
    assert data["profile"]["past_conversations"] == {
        "count": 3,
        "outcomes": {"resolved_by_bot": 2, "resolved_by_agent": 1},
    }
    assert set(data) == {
        "schema_version",
        "conversation_id",
        "status",
        "status_at",
        "initiated_at",
        "waiting_since",
        "waiting_seconds",
        "triggers",
        "summary",
        "bot_tried",
        "profile",
        "sentiment",
        "suggested",
        "dialogflow",
    }


def test_bot_framework_shapes() -> None:
    r = build_handoff(record_input())
    event = activity(r, TRANSCRIPT)
    assert (event["type"], event["name"]) == ("event", "handoff.initiate")
    assert event["value"]["conversation_id"] == "c42"
    transcript = event["attachments"][0]
    assert transcript["name"] == "Transcript"
    assert transcript["content"][0]["from"]["role"] == "user"
    assert status_event(move(r, "accepted", T0))["value"]["state"] == "accepted"


def test_status_moves_and_refusals() -> None:
    r = build_handoff(record_input())
    accepted = move(r, "accepted", T0 + timedelta(minutes=1))
    done = move(accepted, "completed", T0 + timedelta(minutes=5))
    assert (done.status, done.status_at) == ("completed", T0 + timedelta(minutes=5))
    assert move(accepted, "returned_to_bot", T0).status == "returned_to_bot"
    with pytest.raises(HandoffError, match="completed cannot become accepted"):
        move(done, "accepted", T0)


def test_a_handoff_needs_a_trigger_and_takes_non_signal_triggers() -> None:
    with pytest.raises(HandoffError):
        build_handoff(record_input(signals=()))
    button = Trigger(
        "button", None, (Evidence(("6",), "human"),), "customer pressed Talk to someone"
    )
    r = build_handoff(record_input(signals=(), triggers=(button,)))
    assert r.triggers == (button,)


def test_dialogflow_live_agent_handoff_is_mapped() -> None:
    messages = [
        {"text": {"text": ["Let me get someone"]}},
        {
            "liveAgentHandoff": {
                "metadata": {
                    "reason": "refund dispute",
                    "queue": "billing",
                    "priority": "URGENT",
                    "caseId": 77,
                }
            }
        },
    ]
    metadata = live_agent_handoff(messages)
    assert metadata is not None
    df = from_metadata(metadata)
    assert (df.reason, df.team, df.priority) == ("refund dispute", "billing", "urgent")
    r = build_handoff(record_input(signals=(), suggested=Suggestion(), dialogflow=df))
    assert r.triggers[-1] == Trigger("dialogflow", None, (), "refund dispute")
    assert r.suggested == Suggestion("billing", None, "urgent")
    assert r.dialogflow == {
        "reason": "refund dispute",
        "queue": "billing",
        "priority": "URGENT",
        "caseId": 77,
    }
    assert live_agent_handoff([{"text": {}}]) is None
    assert live_agent_handoff("nonsense") is None
    assert from_metadata({}).reason == "Dialogflow CX asked for a live agent"


def test_an_empty_transcript_still_builds() -> None:
    r = build_handoff(record_input(transcript=()))
    assert r.summary.first_message is None
    assert r.sentiment.per_turn == ()


@pytest.mark.parametrize("language", ["en", "fr", "es", "zh"])
def test_customer_texts_in_each_language(language: str) -> None:
    text = texts.taking_over(language, timedelta(minutes=12))
    assert text.startswith(texts.TAKING_OVER[language])
    assert texts.wait_text(timedelta(minutes=12), language) in text
    assert texts.taking_over(language, None).endswith(texts.CANCEL_HINT[language])
    question, (yes, no) = texts.offer(language)
    assert question == texts.OFFER[language]
    assert (yes.id, no.id) == (texts.OFFER_YES, texts.OFFER_NO)
    assert texts.bot_back(language) == texts.BOT_BACK[language]
    assert texts.cancelled(language) == texts.CANCELLED[language]


def test_wait_texts_are_rounded_like_a_person_would() -> None:
    assert texts.wait_text(timedelta(seconds=30), "en") == "a minute"
    assert texts.wait_text(timedelta(minutes=3), "en") == "3 minutes"
    assert texts.wait_text(timedelta(minutes=12), "en") == "15 minutes"
    assert texts.wait_text(timedelta(minutes=70), "fr") == "environ une heure"
    assert texts.wait_text(timedelta(hours=5), "en") == "about 5 hours"
    assert texts.taking_over("de", None).startswith(texts.TAKING_OVER["en"])


@pytest.mark.parametrize(
    ("language", "text", "cancels"),
    [
        ("en", "never mind", True),
        ("en", "Nevermind!", True),
        ("fr", "laisse tomber", True),
        ("fr", "c'est bon merci", True),
        ("es", "olvídalo", True),
        ("zh", "算了", True),
        ("en", "never mind the refund, where is my order and when will it arrive?", False),
        ("fr", "je veux toujours un conseiller", False),
        ("en", "", False),
    ],
)
def test_cancel_phrases(language: str, text: str, cancels: bool) -> None:
    assert texts.is_cancel(text, language) is cancels


@pytest.mark.parametrize("text", ["", "😀" * 1000, "x" * 1_000_000, "+33 6 12 34 56 78 " * 50_000])
def test_odd_messages_never_break_the_record(text: str) -> None:
    transcript = (turn("1", text), turn("2", text, sender="bot", bot_kind="answer", answer_id="a"))
    r = build_handoff(record_input(transcript=transcript))
    assert r.summary.first_message is None or len(r.summary.first_message.text) <= 500
    assert record_to_dict(r)["schema_version"] == 1
