"""The detectors other than the explicit request, and bad input for every detector."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from automations.escalation import (
    ContactView,
    DetectorSettings,
    Signal,
    build_settings,
    detect,
    detect_one,
)
from config.escalation import SIGNAL_KINDS, EscalationFile

from .helpers import inp, nlu, turn

SETTINGS = build_settings()


def one(kind: str, *args: Any, settings: DetectorSettings = SETTINGS, **kw: Any) -> Signal:
    return detect_one(kind, inp(*args, **kw), settings)


# -- frustration ------------------------------------------------------------------------


def test_frustration_is_a_trend_not_one_word() -> None:
    calm = (
        turn("1", "hello, where is my order?"),
        turn("2", "it was due on Monday"),
        turn("3", "thanks"),
    )
    one_word = detect_one("frustration", inp("this is ridiculous", history=calm), SETTINGS)
    assert 0 < one_word.score < one_word.threshold
    angry = (
        turn("1", "where is my order?? still nothing"),
        turn("2", "this is ridiculous, third time I ask"),
        turn("3", "USELESS BOT, WORST SERVICE EVER!!!"),
    )
    trend = detect_one("frustration", inp("I'm fed up, answer me!!!", history=angry), SETTINGS)
    assert trend.strong
    assert {e.message_ids[0] for e in trend.evidence} >= {"2", "3", "m"}


def test_shouting_and_repeated_punctuation_are_cues() -> None:
    signal = one("frustration", "WHERE IS MY PARCEL???")
    assert "shouting" in signal.evidence[0].matched
    assert "repeated punctuation" in signal.evidence[0].matched


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "c'est inadmissible, j'en ai marre !!!"),
        ("es", "es inaceptable, estoy harto"),
        ("zh", "垃圾服务，气死了"),
    ],
)
def test_frustration_reads_each_language(language: str, text: str) -> None:
    assert one("frustration", text, language).strong


def test_a_calm_message_scores_zero() -> None:
    assert one("frustration", "Could you tell me my balance please").score == 0


# -- repetition --------------------------------------------------------------------------


def test_repetition_same_intent_after_an_answer() -> None:
    history = (
        turn("1", "how do I reset my password", nlu=nlu("reset_password")),
        turn("2", "Go to settings...", sender="bot", bot_kind="answer", answer_id="reset"),
    )
    signal = detect_one(
        "repetition",
        inp("password reset??", history=history, nlu=nlu("reset_password")),
        SETTINGS,
    )
    assert signal.strong
    assert signal.evidence[0].message_ids == ("1", "m")


def test_repetition_needs_the_bot_to_have_answered() -> None:
    history = (turn("1", "how do I reset my password", nlu=nlu("reset_password")),)
    signal = detect_one(
        "repetition", inp("reset password", history=history, nlu=nlu("reset_password")), SETTINGS
    )
    assert not signal.strong


def test_repetition_paraphrase_by_the_nlu_vectors() -> None:
    v = np.ones(8, dtype=np.float32)
    history = (
        turn("1", "my card has not arrived", embedding=v),
        turn("2", "Cards arrive in 5 days", sender="bot", bot_kind="answer", answer_id="card"),
    )
    near = detect_one(
        "repetition", inp("still no card in my mailbox", history=history, embedding=v), SETTINGS
    )
    assert near.strong
    assert near.evidence[0].detail == "paraphrase"
    other = np.array([1, -1] * 4, dtype=np.float32)
    far = detect_one(
        "repetition", inp("what is my balance", history=history, embedding=other), SETTINGS
    )
    assert not far.strong


def test_repetition_outside_the_window_is_not_counted() -> None:
    file = EscalationFile.model_validate({"signals": {"repetition": {"turns": 1}}})
    history = (
        turn("1", "reset my password", nlu=nlu("reset_password")),
        turn("2", "Go to settings", sender="bot", bot_kind="answer", answer_id="reset"),
        turn("3", "ok and my balance?", nlu=nlu("balance")),
    )
    signal = detect_one(
        "repetition",
        inp("reset password", history=history, nlu=nlu("reset_password")),
        build_settings(file),
    )
    assert not signal.strong


# -- burst, out of scope, loop ---------------------------------------------------------


def test_burst_of_short_messages() -> None:
    history = tuple(turn(str(i), "hello?", s=i * 3) for i in range(3))
    assert one("burst", "??", history=history, at=10).strong
    spread = tuple(turn(str(i), "hello?", s=i * 60) for i in range(3))
    assert not one("burst", "??", history=spread, at=200).strong


def test_out_of_scope_n_times_in_a_row() -> None:
    first = one("out_of_scope", "blorp", nlu=nlu(None))
    assert 0 < first.score < first.threshold
    history = (turn("1", "zzz", nlu=nlu(None)),)
    assert one("out_of_scope", "blorp", history=history, nlu=nlu(None)).strong
    broken = (turn("1", "zzz", nlu=nlu(None)), turn("2", "balance", nlu=nlu("balance")))
    assert not one("out_of_scope", "blorp", history=broken, nlu=nlu(None)).strong


def test_loop_same_answer_twice_and_no_twice() -> None:
    bot: dict[str, Any] = {"sender": "bot", "bot_kind": "answer", "answer_id": "opening_hours"}
    twice = (
        turn("1", "hours?"),
        turn("2", "9-5", **bot),
        turn("3", "hours"),
        turn("4", "9-5", **bot),
    )
    signal = one("loop", "hmm", history=twice)
    assert signal.strong
    assert signal.evidence[0].message_ids == ("2", "4")
    noes = (turn("1", "no", feedback="no"),)
    assert one("loop", "no", history=noes, feedback="no").strong
    assert not one("loop", "no", feedback="no").strong


def test_integration_failure_is_an_input_flag() -> None:
    message = inp("hi")
    failed = type(message)(message.message, "en", integration_failures=("dialogflow_cx",))
    signal = detect_one("integration_failure", failed, SETTINGS)
    assert signal.strong
    assert "dialogflow_cx" in signal.evidence[0].matched
    assert not detect_one("integration_failure", message, SETTINGS).strong


# -- business triggers -----------------------------------------------------------------


def test_vip_by_tier_or_field_value() -> None:
    file = EscalationFile.model_validate(
        {"signals": {"vip": {"tiers": ["vip"], "fields": {"plan": ["enterprise"]}}}}
    )
    settings = build_settings(file)
    assert one("vip", "hi", contact=ContactView(tier="VIP"), settings=settings).strong
    by_field = one(
        "vip", "hi", contact=ContactView(fields={"plan": "Enterprise"}), settings=settings
    )
    assert by_field.strong
    assert by_field.evidence[0].matched == "plan: enterprise"
    assert not one(
        "vip", "hi", contact=ContactView(fields={"plan": "free"}), settings=settings
    ).strong


def test_sales_moment_by_intent_button_or_keyword() -> None:
    file = EscalationFile.model_validate(
        {
            "signals": {
                "sales_moment": {
                    "intents": ["pricing"],
                    "buttons": ["demo"],
                    "keywords": {"fr": ["offre pro"]},
                }
            }
        }
    )
    s = build_settings(file)
    assert one("sales_moment", "x", nlu=nlu("pricing"), settings=s).strong
    assert one("sales_moment", "", button="demo", settings=s).strong
    assert one("sales_moment", "I want to cancel my subscription", settings=s).strong
    assert one("sales_moment", "parlez-moi de l'offre pro", "fr", settings=s).strong
    assert not one("sales_moment", "where is my parcel", settings=s).strong


@pytest.mark.parametrize(
    ("language", "text", "category"),
    [
        ("en", "my account was hacked", "hacked"),
        ("en", "I saw a purchase on my statement that I didn't make", "hacked"),
        ("en", "I think I lost my credit card", "stolen_card"),
        ("en", "you charged me twice", "double_charge"),
        ("en", "I will sue you", "legal"),
        ("fr", "je vais porter plainte", "legal"),
        ("fr", "je saisis le médiateur", "legal"),
        ("fr", "on m'a volé ma carte", "stolen_card"),
        ("es", "me cobraron dos veces", "double_charge"),
        ("zh", "我要找律师起诉你们", "legal"),
    ],
)
def test_sensitive_topics_name_their_category(language: str, text: str, category: str) -> None:
    signal = one("sensitive", text, language)
    assert signal.strong, text
    assert category in {e.detail for e in signal.evidence}


@pytest.mark.parametrize(
    "text",
    [
        "I have an issue with my order",
        "my friend Sue says hi",
        "the tennis court booking failed",
        "how do I order a card",
    ],
)
def test_sensitive_words_need_whole_words(text: str) -> None:
    assert not one("sensitive", text).strong


def test_sensitive_intents_from_config() -> None:
    file = EscalationFile.model_validate(
        {"signals": {"sensitive": {"intents": ["compromised_card"]}}}
    )
    s = build_settings(file)
    assert one("sensitive", "hmm", nlu=nlu("compromised_card"), settings=s).strong


# -- every detector, bad input -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀😡🔥" * 50,
        "a" * 1_000_000,
        ("talk to a human " * 70_000),
        "\x00\ufffd\u200b",
        "转" * 100_000,
    ],
)
@pytest.mark.parametrize("language", ["en", "fr", "es", "zh", "de"])
def test_no_detector_crashes_on_odd_messages(text: str, language: str) -> None:
    history = (turn("1", text), turn("2", text, sender="bot", bot_kind="answer", answer_id="x"))
    signals = detect(inp(text, language, history, nlu=nlu(None)), SETTINGS)
    assert [s.kind for s in signals] == list(SIGNAL_KINDS)
    assert all(0.0 <= s.score <= 1.0 for s in signals)


def test_a_detector_switched_off_for_an_inbox_does_not_run() -> None:
    file = EscalationFile.model_validate({"inboxes": {"api": {"disabled": ["frustration"]}}})
    s = build_settings(file)
    kinds = {x.kind for x in detect(inp("USELESS!!!", inbox="api"), s)}
    assert "frustration" not in kinds
    assert "frustration" in {x.kind for x in detect(inp("USELESS!!!", inbox="demo"), s)}


def test_detection_is_deterministic() -> None:
    history = (turn("1", "where is my order"), turn("2", "UGH!!!", s=5))
    a = detect(inp("talk to a human, now!!", history=history, at=9), SETTINGS)
    b = detect(inp("talk to a human, now!!", history=history, at=9), SETTINGS)
    assert a == b
    assert timedelta(0) < SETTINGS.file.signals.burst.within


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(max_size=300),
    earlier=st.lists(
        st.tuples(st.text(max_size=80), st.sampled_from(["customer", "bot"])), max_size=6
    ),
    language=st.sampled_from(["en", "fr", "es", "zh", "xx"]),
)
def test_any_text_and_history_never_raise_and_score_in_range(
    text: str, earlier: list[tuple[str, str]], language: str
) -> None:
    history = tuple(
        turn(
            str(i),
            t,
            sender=who,
            s=i,
            bot_kind="answer" if who == "bot" else None,
            answer_id="a" if who == "bot" else None,
        )
        for i, (t, who) in enumerate(earlier)
    )
    first = detect(inp(text, language, history, at=10), SETTINGS)
    assert first == detect(inp(text, language, history, at=10), SETTINGS)
    assert all(0.0 <= s.score <= 1.0 for s in first)
