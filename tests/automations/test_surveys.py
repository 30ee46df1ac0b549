"""The survey state machine, call by call (whole conversations: test_conversations.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from automations.actions import Escalate, SendMessage, SetField
from automations.errors import SurveyError
from automations.rules import EventKind
from automations.surveys import SurveyReply, SurveyRunner, SurveyState, SurveyStatus
from config.fields import FieldsFile
from config.surveys import SurveysFile
from tests.automations.conftest import MONDAY_10H_PARIS, model_from_yaml

NOW = MONDAY_10H_PARIS
FIELDS = model_from_yaml(
    FieldsFile,
    """
fields:
  - name: size
    type: number
    min: 1
  - name: email
    type: email
  - name: topics
    type: multi_choice
    choices:
      - {value: billing, label: {en: Billing, fr: Facturation}}
      - {value: sales, label: {en: Sales, fr: Ventes}}
      - {value: tech, label: {en: Technical, fr: Technique}}
  - name: colour
    type: single_choice
    choices:
      - {value: red, label: Red}
      - {value: rose, label: Rose}
  - name: plan
    type: single_choice
    choices:
      - {value: basic, label: Basic}
      - {value: basil, label: Basil}
""",
)
SURVEYS = model_from_yaml(
    SurveysFile,
    """
surveys:
  - name: onboarding
    max_attempts: 2
    timeout: 10m
    intro: {en: "Two quick questions.", fr: "Deux petites questions."}
    outro: {en: "Thanks!", fr: "Merci !"}
    questions:
      - field: size
        text: {en: "How many people?", fr: "Combien de personnes ?"}
      - field: email
        text: {en: "Your email?", fr: "Votre e-mail ?"}
  - name: topics
    questions:
      - field: topics
        text: Which topics?
  - name: colour
    human_phrases: {en: [operator]}
    questions:
      - field: colour
        text: Colour?
        buttons: false
""",
)


@pytest.fixture
def runner() -> SurveyRunner:
    return SurveyRunner(SURVEYS, FIELDS, default_language="en")


def test_start_sends_intro_and_first_question(runner: SurveyRunner) -> None:
    step = runner.start("onboarding", language="fr", now=NOW)
    assert step.actions == (
        SendMessage(
            rule="survey:onboarding",
            text="Deux petites questions.\n\nCombien de personnes ?",
            language="fr",
        ),
    )
    assert step.state == SurveyState(survey="onboarding", asked_at=NOW)
    assert step.timer is not None
    assert (step.timer.key, step.timer.after, step.timer.restart) == (
        "survey_timeout:onboarding",
        timedelta(minutes=10),
        True,
    )


def test_valid_answers_store_fields_and_finish(runner: SurveyRunner) -> None:
    step = runner.start("onboarding", language="en", now=NOW)
    step = runner.answer(step.state, SurveyReply(text="about 12"), language="en", now=NOW)
    # "about 12" is not a number: refused with the field's own message (no retry_text)
    assert step.actions[0].text == "Please answer with a number.\n\nHow many people?"  # type: ignore[attr-defined]
    step = runner.answer(step.state, SurveyReply(text="12"), language="en", now=NOW)
    assert step.actions == (
        SetField(rule="survey:onboarding", field="size", value=12),
        SendMessage(rule="survey:onboarding", text="Your email?", language="en"),
    )
    assert (step.state.question, step.state.attempts) == (1, 0)
    step = runner.answer(step.state, SurveyReply(text="Ana@Example.com"), language="en", now=NOW)
    assert step.actions == (
        SetField(rule="survey:onboarding", field="email", value="Ana@example.com"),
        SendMessage(rule="survey:onboarding", text="Thanks!", language="en"),
    )
    assert step.finished
    assert step.state.status is SurveyStatus.COMPLETED
    assert step.state.answers == {"size": 12, "email": "Ana@example.com"}
    assert [(e.kind, e.survey) for e in step.events] == [(EventKind.SURVEY_ANSWERED, "onboarding")]
    assert step.timer is None


def test_skipped_question_moves_on(runner: SurveyRunner) -> None:
    step = runner.start("onboarding", language="en", now=NOW)
    for _ in range(2):
        step = runner.answer(step.state, SurveyReply(text="0"), language="en", now=NOW)
    assert step.state.skipped == ("size",)
    assert step.actions == (
        SendMessage(rule="survey:onboarding", text="Your email?", language="en"),
    )


def test_multi_choice_by_numbers_and_by_names(runner: SurveyRunner) -> None:
    step = runner.start("topics", language="en", now=NOW, max_buttons=3)
    assert [b.id for b in step.actions[0].buttons] == [  # type: ignore[attr-defined]
        "choice:billing",
        "choice:sales",
        "choice:tech",
    ]
    by_number = runner.answer(step.state, SurveyReply(text="1, 3"), language="en", now=NOW)
    assert by_number.actions[0] == SetField(
        rule="survey:topics", field="topics", value=("billing", "tech")
    )
    by_name = runner.answer(
        step.state, SurveyReply(text="ventes et facturation"), language="fr", now=NOW
    )
    assert by_name.actions[0] == SetField(
        rule="survey:topics", field="topics", value=("billing", "sales")
    )
    out_of_range = runner.answer(step.state, SurveyReply(text="1, 7"), language="en", now=NOW)
    assert out_of_range.state.attempts == 1


def test_question_without_buttons_lists_choices(runner: SurveyRunner) -> None:
    step = runner.start("colour", language="en", now=NOW, max_buttons=10)
    assert step.actions[0] == SendMessage(
        rule="survey:colour", text="Colour?\n\n1. Red\n2. Rose", language="en"
    )


def test_ambiguous_typo_is_asked_again_rather_than_guessed(runner: SurveyRunner) -> None:
    assert runner.choice_for("colour", "red") == "red"
    assert runner.choice_for("colour", "roze") == "rose"
    assert runner.choice_for("colour", "blue") is None
    assert runner.choice_for("plan", "baasic") == "basic"
    assert runner.choice_for("plan", "basi") is None  # as close to Basic as to Basil


def test_other_buttons_pass_through_to_the_rules(runner: SurveyRunner) -> None:
    step = runner.start("colour", language="en", now=NOW)
    passed = runner.answer(step.state, SurveyReply(button="pricing"), language="en", now=NOW)
    assert not passed.consumed
    assert passed.state == step.state
    assert passed.actions == ()


def test_survey_specific_human_phrases(runner: SurveyRunner) -> None:
    step = runner.start("colour", language="en", now=NOW)
    left = runner.answer(step.state, SurveyReply(text="operator!"), language="en", now=NOW)
    assert left.state.status is SurveyStatus.ABANDONED
    assert left.actions == (
        Escalate(rule="survey:colour", reason="asked for a person during survey 'colour'"),
    )
    kept = runner.answer(step.state, SurveyReply(text="human"), language="en", now=NOW)
    assert kept.state.status is SurveyStatus.ACTIVE  # not one of this survey's phrases


def test_human_button_leaves_the_survey(runner: SurveyRunner) -> None:
    step = runner.start("colour", language="en", now=NOW)
    left = runner.answer(step.state, SurveyReply(button="human"), language="en", now=NOW)
    assert left.state.reason == "human"
    assert [e.kind for e in left.events] == [EventKind.SURVEY_ABANDONED]


def test_leave_on_nlu_request(runner: SurveyRunner) -> None:
    step = runner.start("colour", language="en", now=NOW)
    left = runner.leave(step.state, now=NOW)
    assert left.state.status is SurveyStatus.ABANDONED
    assert isinstance(left.actions[-1], Escalate)


def test_stale_timeout_is_rescheduled_for_the_remaining_time(runner: SurveyRunner) -> None:
    step = runner.start("onboarding", language="en", now=NOW)
    later = NOW + timedelta(minutes=4)
    step = runner.answer(step.state, SurveyReply(text="12"), language="en", now=later)
    stale = runner.expire(step.state, now=NOW + timedelta(minutes=10))
    assert stale.state.status is SurveyStatus.ACTIVE
    assert not stale.consumed
    assert stale.timer is not None
    assert stale.timer.after == timedelta(minutes=4)
    due = runner.expire(step.state, now=later + timedelta(minutes=10))
    assert due.state.status is SurveyStatus.ABANDONED
    assert [(e.kind, e.reason) for e in due.events] == [(EventKind.SURVEY_ABANDONED, "timeout")]


def test_finished_survey_ignores_replies(runner: SurveyRunner) -> None:
    step = runner.start("colour", language="en", now=NOW)
    done = runner.answer(step.state, SurveyReply(text="red"), language="en", now=NOW)
    again = runner.answer(done.state, SurveyReply(text="rose"), language="en", now=NOW)
    assert not again.consumed
    assert again.state == done.state


def test_state_round_trips_through_json(runner: SurveyRunner) -> None:
    step = runner.start("onboarding", language="en", now=NOW)
    step = runner.answer(step.state, SurveyReply(text="12"), language="en", now=NOW)
    assert SurveyState.from_dict(step.state.to_dict()) == step.state


def test_unknown_survey(runner: SurveyRunner) -> None:
    with pytest.raises(SurveyError, match="unknown survey 'nope'"):
        runner.start("nope", language="en", now=NOW)
