"""The survey state machine: ask, understand the answer, store it, move on.

Pure: every call takes the previous :class:`SurveyState` and returns a :class:`SurveyStep`
(new state, planned actions, events for the rule engine, the timeout to schedule). The hub
persists the state (``SurveyState`` table, :meth:`SurveyState.to_dict`) between messages.

Answers to choice questions are understood three ways: a button press (``choice:<value>``),
the number of a listed choice, or the choice typed loosely (case, accents, small typos,
aliases) through rapidfuzz. A customer who asks for a person leaves the survey at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from automations.actions import Escalate, MessageButton, PlannedAction, SendMessage, SetField
from automations.errors import FieldValueError, SurveyError
from automations.fields import FieldValue, to_json, validate_value
from automations.matching import normalise
from automations.rules.facts import Event, EventKind, Sender, Timer
from automations.survey_choices import choice_candidates, fuzzy_choice, is_cjk
from config.automation_types import text_for
from config.fields import CHOICE_TYPES, FieldDef, FieldsFile
from config.surveys import Question, SurveyDef, SurveysFile

CHOICE_PREFIX = "choice:"
_NUMBERS = re.compile(r"^\s*#?(\d{1,2})[.)]?\s*$")
_NUMBER_LIST = re.compile(r"^\s*\d{1,2}(?:\s*[,;/ ]\s*\d{1,2})*\s*$")
_SPLIT = re.compile(r"\s*[,;/+]\s*|\s+(?:and|et|y|和)\s+")


class SurveyStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


@dataclass(frozen=True, slots=True)
class SurveyState:
    """Where one conversation is in one survey; JSON-able through :meth:`to_dict`."""

    survey: str
    asked_at: datetime
    question: int = 0
    attempts: int = 0
    status: SurveyStatus = SurveyStatus.ACTIVE
    answers: Mapping[str, Any] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "survey": self.survey,
            "asked_at": self.asked_at.isoformat(),
            "question": self.question,
            "attempts": self.attempts,
            "status": self.status.value,
            "answers": dict(self.answers),
            "skipped": list(self.skipped),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SurveyState:
        return cls(
            survey=data["survey"],
            asked_at=datetime.fromisoformat(data["asked_at"]),
            question=int(data.get("question", 0)),
            attempts=int(data.get("attempts", 0)),
            status=SurveyStatus(data.get("status", "active")),
            answers=dict(data.get("answers") or {}),
            skipped=tuple(data.get("skipped") or ()),
            reason=data.get("reason"),
        )


@dataclass(frozen=True, slots=True)
class SurveyReply:
    """What the customer sent while a survey was active."""

    text: str | None = None
    button: str | None = None


@dataclass(frozen=True, slots=True)
class SurveyStep:
    """The outcome of one survey call.

    ``actions``: messages to send, validated field values to store, an escalation.
    ``events``: ``survey_answered``/``survey_abandoned`` to pass to the rule engine after
    the actions ran. ``timer``: the timeout to (re)schedule; ``None`` leaves a pending one
    alone while the survey is active and means "cancel it" once :attr:`finished`.
    ``consumed`` is False when the reply was not for the survey (another button, or a
    finished survey): the hub then handles it as if no survey were running.
    """

    state: SurveyState
    actions: tuple[PlannedAction, ...] = ()
    events: tuple[Event, ...] = ()
    timer: Timer | None = None
    consumed: bool = True

    @property
    def finished(self) -> bool:
        return self.state.status is not SurveyStatus.ACTIVE


def timeout_key(survey: str) -> str:
    return f"survey_timeout:{survey}"


class SurveyRunner:
    """The surveys of one config; stateless, so one instance serves every conversation."""

    def __init__(
        self, surveys: SurveysFile, fields: FieldsFile, *, default_language: str = "en"
    ) -> None:
        self._surveys = {s.name: s for s in surveys.surveys}
        self._fields = {f.name: f for f in fields.fields}
        self.default_language = default_language
        self._candidates = {
            spec.name: choice_candidates(spec) for spec in fields.fields if spec.choices
        }

    # -- public API -------------------------------------------------------------------

    def start(self, name: str, *, language: str, now: datetime, max_buttons: int = 0) -> SurveyStep:
        """Begin survey ``name``: its first question (with the intro, if any)."""
        survey = self._survey(name)
        state = SurveyState(survey=name, asked_at=now)
        intro = text_for(survey.intro, language, self.default_language) if survey.intro else None
        return SurveyStep(
            state=state,
            actions=(self._ask(survey, 0, language, max_buttons, prefix=intro),),
            timer=self._timer(survey),
        )

    def answer(
        self,
        state: SurveyState,
        reply: SurveyReply,
        *,
        language: str,
        now: datetime,
        max_buttons: int = 0,
    ) -> SurveyStep:
        """Handle the customer's reply to the current question."""
        survey = self._survey(state.survey)
        if state.status is not SurveyStatus.ACTIVE:
            return SurveyStep(state=state, consumed=False)
        if self._wants_human(survey, reply):
            return self.leave(state, now=now, reason="human")
        question = survey.questions[state.question]
        spec = self._field(question.field)
        if reply.button is not None and not reply.button.startswith(CHOICE_PREFIX):
            # another message's button (e.g. the welcome's): not an answer, let rules see it;
            # the question still waits, its timeout unchanged
            return SurveyStep(state=state, consumed=False)
        try:
            value = self._understand(spec, reply)
        except FieldValueError as error:
            return self._invalid(survey, state, question, error, language, now, max_buttons)
        answers = {**state.answers, spec.name: to_json(value)}
        store = SetField(rule=_rule(survey), field=spec.name, value=value)
        return self._advance(
            survey, replace(state, answers=answers), language, now, max_buttons, store
        )

    def expire(self, state: SurveyState, *, now: datetime) -> SurveyStep:
        """The timeout timer fired: abandon, unless an answer came since (stale timer)."""
        survey = self._survey(state.survey)
        if state.status is not SurveyStatus.ACTIVE:
            return SurveyStep(state=state, consumed=False)
        remaining = state.asked_at + survey.timeout - now
        if remaining > timedelta(0):
            return SurveyStep(state=state, consumed=False, timer=self._timer(survey, remaining))
        return self._abandon(state, "timeout")

    def leave(self, state: SurveyState, *, now: datetime, reason: str = "human") -> SurveyStep:
        """The customer wants a person (typed, pressed, or the NLU said so): stop asking and
        escalate, so nobody is trapped in a survey."""
        step = self._abandon(state, reason)
        if reason != "human":
            return step
        escalate = Escalate(
            rule=_rule(self._survey(state.survey)),
            reason=f"asked for a person during survey '{state.survey}'",
        )
        return replace(step, actions=(*step.actions, escalate))

    def choice_for(self, field_name: str, text: str) -> str | None:
        """The choice value ``text`` means (number aside), or None: exposed for the hub's
        profile mapping and for tests of the loose matching."""
        return fuzzy_choice(self._candidates.get(field_name, ()), text)

    # -- steps --------------------------------------------------------------------------

    def _advance(
        self,
        survey: SurveyDef,
        state: SurveyState,
        language: str,
        now: datetime,
        max_buttons: int,
        *done: PlannedAction,
    ) -> SurveyStep:
        following = state.question + 1
        if following < len(survey.questions):
            moved = replace(state, question=following, attempts=0, asked_at=now)
            ask = self._ask(survey, following, language, max_buttons)
            return SurveyStep(state=moved, actions=(*done, ask), timer=self._timer(survey))
        finished = replace(state, question=following, attempts=0, status=SurveyStatus.COMPLETED)
        actions = list(done)
        if survey.outro is not None:
            actions.append(
                SendMessage(
                    rule=_rule(survey),
                    text=text_for(survey.outro, language, self.default_language),
                    language=language,
                )
            )
        event = Event(EventKind.SURVEY_ANSWERED, sender=Sender.SYSTEM, survey=survey.name)
        return SurveyStep(state=finished, actions=tuple(actions), events=(event,))

    def _invalid(
        self,
        survey: SurveyDef,
        state: SurveyState,
        question: Question,
        error: FieldValueError,
        language: str,
        now: datetime,
        max_buttons: int,
    ) -> SurveyStep:
        attempts = state.attempts + 1
        if attempts >= survey.max_attempts:
            skipped = replace(state, skipped=(*state.skipped, question.field), attempts=attempts)
            return self._advance(survey, skipped, language, now, max_buttons)
        retry = (
            text_for(question.retry_text, language, self.default_language)
            if question.retry_text is not None
            else error.message(language)
        )
        ask = self._ask(survey, state.question, language, max_buttons, prefix=retry)
        return SurveyStep(
            state=replace(state, attempts=attempts, asked_at=now),
            actions=(ask,),
            timer=self._timer(survey),
        )

    def _abandon(self, state: SurveyState, reason: str) -> SurveyStep:
        done = replace(state, status=SurveyStatus.ABANDONED, reason=reason)
        event = Event(
            EventKind.SURVEY_ABANDONED, sender=Sender.SYSTEM, survey=state.survey, reason=reason
        )
        return SurveyStep(state=done, events=(event,))

    def _ask(
        self,
        survey: SurveyDef,
        index: int,
        language: str,
        max_buttons: int,
        prefix: str | None = None,
    ) -> SendMessage:
        """The question in ``language``; choices as buttons when they all fit, else as a
        numbered list the customer can answer with the number."""
        question = survey.questions[index]
        spec = self._field(question.field)
        text = text_for(question.text, language, self.default_language)
        if prefix:
            text = f"{prefix}\n\n{text}"
        buttons: tuple[MessageButton, ...] = ()
        if spec.choices:
            titles = [text_for(c.label, language, self.default_language) for c in spec.choices]
            if question.buttons and 0 < len(spec.choices) <= max_buttons:
                buttons = tuple(
                    MessageButton(f"{CHOICE_PREFIX}{c.value}", title)
                    for c, title in zip(spec.choices, titles, strict=True)
                )
            else:
                listed = "\n".join(f"{i}. {title}" for i, title in enumerate(titles, 1))
                text = f"{text}\n\n{listed}"
        return SendMessage(rule=_rule(survey), text=text, language=language, buttons=buttons)

    def _timer(self, survey: SurveyDef, after: timedelta | None = None) -> Timer:
        return Timer(
            kind="survey_timeout",
            key=timeout_key(survey.name),
            after=after or survey.timeout,
            restart=True,
        )

    # -- understanding answers ------------------------------------------------------------

    def _understand(self, spec: FieldDef, reply: SurveyReply) -> FieldValue:
        if reply.button is not None:
            return validate_value(spec, reply.button.removeprefix(CHOICE_PREFIX))
        text = (reply.text or "").strip()
        if spec.type not in CHOICE_TYPES:
            return validate_value(spec, text)
        values = [c.value for c in spec.choices]
        if spec.type == "single_choice":
            number = _NUMBERS.match(text)
            if number and 1 <= int(number.group(1)) <= len(values):
                return validate_value(spec, values[int(number.group(1)) - 1])
            chosen = fuzzy_choice(self._candidates[spec.name], text)
            return validate_value(spec, chosen if chosen is not None else text)
        # multi_choice: "1, 3", "1 3", "pricing and free trial"
        if _NUMBER_LIST.match(text):
            picked: list[str] = []
            for part in re.findall(r"\d{1,2}", text):
                if not 1 <= int(part) <= len(values):
                    return validate_value(spec, text)  # refused with the field's message
                picked.append(values[int(part) - 1])
            return validate_value(spec, picked)
        parts = [p for p in _SPLIT.split(text) if p.strip()]
        chosen_many = [fuzzy_choice(self._candidates[spec.name], p) for p in parts]
        if parts and all(c is not None for c in chosen_many):
            return validate_value(spec, chosen_many)
        return validate_value(spec, text)

    def _wants_human(self, survey: SurveyDef, reply: SurveyReply) -> bool:
        if reply.button is not None:
            return reply.button in survey.human_buttons
        text = normalise(reply.text or "")
        if not text:
            return False
        padded = f" {text} "
        for phrases in survey.phrases().values():
            for phrase in phrases:
                wanted = normalise(phrase)
                if not wanted:
                    continue
                if is_cjk(wanted) and wanted in text:
                    return True
                if f" {wanted} " in padded:
                    return True
        return False

    # -- lookups ------------------------------------------------------------------------

    def _survey(self, name: str) -> SurveyDef:
        try:
            return self._surveys[name]
        except KeyError:
            raise SurveyError(f"unknown survey '{name}'") from None

    def _field(self, name: str) -> FieldDef:
        try:
            return self._fields[name]
        except KeyError:
            raise SurveyError(f"survey question bound to unknown field '{name}'") from None


def _rule(survey: SurveyDef) -> str:
    """The ``rule`` name survey actions carry, for logs and failures."""
    return f"survey:{survey.name}"
