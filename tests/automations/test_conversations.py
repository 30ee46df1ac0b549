"""Whole conversations through the demo config: the canonical language survey.

A new conversation is asked "Which language do you prefer: English, Español, 中文,
Français?", the answer lands in ``preferred_language`` and a rule hands the conversation
to that language's team, then welcomes the customer in that language with quick actions.
The web chat shows choices as buttons; WhatsApp (3 buttons at most) gets a numbered list.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from automations.actions import Escalate
from automations.rules import RuleEngine
from automations.surveys import SurveyRunner, SurveyStatus
from tests.automations.conftest import Chat

QUESTION = "Which language do you prefer: English, Español, 中文, Français?"
WELCOME_ES = "¡Hola Ana! 👋 Bienvenido a Demo Co. ¿Cómo podemos ayudarte?"


def survey_status(chat: Chat) -> SurveyStatus | None:
    return chat.survey.status if chat.survey is not None else None


@pytest.fixture
def whatsapp(demo_engine: RuleEngine, demo_runner: SurveyRunner) -> Chat:
    return Chat(demo_engine, demo_runner, max_buttons=3, channel="whatsapp_cloud")


def test_opening_asks_the_language_with_buttons_on_webchat(chat: Chat) -> None:
    chat.open()
    assert chat.last.text == QUESTION
    assert [(b.id, b.title) for b in chat.last.buttons] == [
        ("choice:en", "English"),
        ("choice:es", "Español"),
        ("choice:zh", "中文"),
        ("choice:fr", "Français"),
    ]
    assert chat.fired_rules() == ["ask_language"]


def test_opening_lists_numbered_choices_where_buttons_do_not_fit(whatsapp: Chat) -> None:
    whatsapp.open()
    assert whatsapp.last.buttons == ()
    assert whatsapp.last.text == f"{QUESTION}\n\n1. English\n2. Español\n3. 中文\n4. Français"


def test_button_press_stores_language_routes_and_welcomes(chat: Chat) -> None:
    chat.open()
    chat.presses("choice:es")
    assert chat.fields == {"preferred_language": "es"}
    assert chat.language == "es"
    assert chat.conversation["team"] == "spanish"
    assert chat.last.text == WELCOME_ES
    assert [b.title for b in chat.last.buttons] == [
        "Precios",
        "Prueba gratuita",
        "Hablar con alguien",
    ]
    assert chat.survey is not None
    assert chat.survey.status is SurveyStatus.COMPLETED
    assert chat.fired_rules() == ["ask_language", "route_by_language"]


def test_typed_number_answers_the_numbered_list(whatsapp: Chat) -> None:
    whatsapp.open()
    whatsapp.says("3")
    assert whatsapp.fields == {"preferred_language": "zh"}
    assert whatsapp.conversation["team"] == "chinese"
    assert whatsapp.last.text.startswith("您好，Ana！")


@pytest.mark.parametrize(
    ("typed", "value", "team"),
    [
        ("francais", "fr", "french"),
        ("Frnçais", "fr", "french"),
        ("  ESPAÑOL!! ", "es", "spanish"),
        ("Englsh", "en", "english"),
        ("I'd like spanish please", "es", "spanish"),
        ("中文", "zh", "chinese"),
    ],
)
def test_loosely_typed_answer_is_understood(chat: Chat, typed: str, value: str, team: str) -> None:
    chat.open()
    chat.says(typed)
    assert chat.fields == {"preferred_language": value}
    assert chat.conversation["team"] == team


def test_invalid_answer_is_asked_again_in_the_same_language(chat: Chat) -> None:
    chat.open()
    chat.says("klingon")
    assert chat.fields == {}
    assert chat.last.text == (
        "Sorry, I didn't get that. Please pick one of the options.\n\n" + QUESTION
    )
    assert len(chat.last.buttons) == 4
    chat.presses("choice:fr")
    assert chat.fields == {"preferred_language": "fr"}
    assert chat.conversation["team"] == "french"
    assert chat.last.text.startswith("Bonjour Ana !")


def test_after_the_attempt_limit_the_survey_carries_on(chat: Chat) -> None:
    chat.open()
    for _ in range(3):
        chat.says("klingon")
    assert chat.survey is not None
    assert chat.survey.status is SurveyStatus.COMPLETED
    assert chat.survey.skipped == ("preferred_language",)
    assert chat.fields == {}
    assert chat.conversation["team"] == "english"
    assert chat.fired_rules() == ["ask_language", "language_not_given"]
    assert len(chat.sent) == 3  # the question and two re-asks; no fourth question
    chat.says("hello?")  # no longer a survey answer: plain message for the rules
    assert len(chat.sent) == 3


def test_timeout_abandons_the_survey(chat: Chat) -> None:
    chat.open()
    chat.wait(timedelta(minutes=29))
    assert survey_status(chat) is SurveyStatus.ACTIVE
    chat.wait(timedelta(minutes=1))
    assert survey_status(chat) is SurveyStatus.ABANDONED
    assert chat.survey is not None
    assert chat.survey.reason == "timeout"
    assert chat.conversation["team"] == "english"
    assert "language_survey_timed_out" in chat.fired_rules()


def test_an_answer_restarts_the_timeout(chat: Chat) -> None:
    chat.open()
    chat.wait(timedelta(minutes=20))
    chat.says("klingon")  # invalid: asked again, clock restarts
    chat.wait(timedelta(minutes=20))
    assert survey_status(chat) is SurveyStatus.ACTIVE
    chat.wait(timedelta(minutes=10))
    assert survey_status(chat) is SurveyStatus.ABANDONED


@pytest.mark.parametrize("message", ["I want to talk to a human", "agent", "转人工"])
def test_asking_for_a_human_mid_survey_leaves_it_and_escalates(chat: Chat, message: str) -> None:
    chat.open()
    chat.says(message)
    assert chat.survey is not None
    assert chat.survey.status is SurveyStatus.ABANDONED
    assert chat.survey.reason == "human"
    assert chat.conversation["status"] == "queued"
    escalations = [a for a in chat.done if isinstance(a, Escalate)]
    assert [e.reason for e in escalations] == ["asked for a person during survey 'language'"]
    assert chat.fields == {}
    chat.says("English")  # not trapped: the survey no longer takes answers
    assert chat.fields == {}


def test_welcome_button_works_after_the_survey(chat: Chat) -> None:
    chat.open()
    chat.presses("choice:en")
    chat.presses("pricing")
    assert chat.last.text.startswith("Our plans start at")
    assert chat.conversation["labels"] == ("pricing",)
    assert chat.fields["interest"] == ("pricing",)


def test_talk_to_someone_button_escalates_and_night_notice_follows(chat: Chat) -> None:
    chat.now = chat.now.replace(hour=20)  # 21:00 in Paris
    chat.open()
    chat.presses("choice:en")
    chat.presses("human")
    assert chat.conversation["status"] == "queued"
    assert chat.last.text == "Our team is offline right now; we'll answer from 8:00."


def test_no_reply_reminder_then_close(chat: Chat) -> None:
    chat.open()
    chat.presses("choice:en")
    chat.wait(timedelta(minutes=10))
    assert chat.last.text == "Are you still there? Reply any time, we're here."
    chat.wait(timedelta(minutes=50))
    assert chat.conversation["status"] == "resolved"
    assert chat.fired_rules()[-2:] == ["still_there", "close_idle_bot_chats"]


def test_customer_reply_cancels_the_no_reply_timers(chat: Chat) -> None:
    chat.open()
    chat.presses("choice:en")
    chat.wait(timedelta(minutes=9))
    chat.says("just looking")
    assert not any(k.startswith("no_reply:") for k in chat.timers)
    chat.wait(timedelta(hours=2))
    assert "still_there" not in chat.fired_rules()


def test_the_back_office_api_inbox_is_not_surveyed(
    demo_engine: RuleEngine, demo_runner: SurveyRunner
) -> None:
    api = Chat(demo_engine, demo_runner, channel="api")
    api.open()
    assert api.sent == []
    assert api.survey is None
