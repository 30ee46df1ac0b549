"""A customer's message or button while the bot has the conversation.

The order is the hub's since the automations issue: a new conversation is greeted (or
``conversation_opened`` raised) first; the ``no_reply`` timers stop; the running survey
gets the message if it was waiting for an answer; otherwise a button goes to the rules as
``button_pressed`` and a typed text, with ``intents.yaml``, through the NLU: the detected
language becomes the conversation's unless the customer chose one, the rules hear
``message_received`` (with the intent) and ``intent_matched``, and the FAQ answer goes out
only when no rule replied, the bot still has the conversation and no survey is waiting.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from automations.conversation.answers import (
    answer,
    confirm_button,
    confirm_reply,
    feedback,
    stored,
    thanks,
)
from automations.conversation.decision import OutgoingMessage
from automations.conversation.inputs import CustomerMessage
from automations.conversation.step import Step
from automations.conversation.transitions import Status
from automations.conversation.working import Record
from automations.errors import SurveyError
from automations.nlu import CONFIRM_NO, CONFIRM_YES, NluEngine, NluResult
from automations.rules import Event, EventKind, Sender
from automations.surveys import SurveyReply, SurveyStatus


@dataclass(frozen=True, slots=True)
class NluRequest:
    """What the hub must ask a remote NLU provider before ``decide`` (the same text and
    language the local engine would be given)."""

    text: str
    conversation_id: str
    language: str


class NeedsRemote(Exception):
    """Raised inside a probe run (never out of ``decide``): the turn reached the NLU."""

    def __init__(self, request: NluRequest) -> None:
        super().__init__(request.text)
        self.request = request


def nlu_text(step: Step, message: CustomerMessage) -> str | None:
    """The text the NLU reads: a typed customer message (a button press is not one)."""
    text = message.text
    if step.brain.nlu is None or message.button or text is None or not text.strip():
        return None
    return text


def opened(step: Step) -> None:
    """A new conversation: the greeting, or ``conversation_opened`` for the rules."""
    work = step.work
    if step.brain.greets:
        text, buttons = step.brain.greeting(work.language)
        work.replies.append(OutgoingMessage(text=text, buttons=buttons))
    else:
        step.events([Event(EventKind.CONVERSATION_OPENED, sender=Sender.SYSTEM)])


def customer_turn(step: Step, message: CustomerMessage, *, probe: bool = False) -> None:
    """The whole turn of one customer message (see the module docstring for the order)."""
    work = step.work
    survey = work.survey
    waiting = survey is not None and survey.status is SurveyStatus.ACTIVE
    if step.brain.engine.no_reply_timers:  # the customer wrote: whatever waited for it is over
        work.cancel_prefix("no_reply:")
    text = nlu_text(step, message)
    if message.opened and text is not None:
        detect_language(step, text)  # so the greeting and a first survey speak it too
    if message.opened:
        opened(step)
    if work.status is Status.BOT:
        _customer(step, message, waiting, probe)


def _customer(step: Step, message: CustomerMessage, waiting: bool, probe: bool) -> None:
    work = step.work
    survey = work.survey
    if waiting and survey is not None and survey.status is SurveyStatus.ACTIVE:
        reply = SurveyReply(text=message.text, button=message.button)
        try:
            survey_step = step.brain.surveys.answer(
                survey, reply, language=work.language, now=work.now, max_buttons=work.max_buttons
            )
        except SurveyError:
            work.survey = None  # the survey left the config: forget it
        else:
            if survey_step.consumed:
                step.survey(survey_step, f"survey_answer({survey.survey})")
                return
    if message.button:
        pressed(step, message.button, message.message_id)
        return
    nlu = step.brain.nlu
    text = nlu_text(step, message)
    if nlu is None or text is None:
        step.events(
            [
                Event(
                    EventKind.MESSAGE_RECEIVED,
                    text=message.text,
                    message_id=str(message.message_id),
                )
            ]
        )
        return
    if step.brain.confirm:
        last = work.state.last_outbound()
        button = confirm_button(text, last.buttons) if last is not None else None
        if button is not None:
            pressed(step, button, message.message_id)
            return
    understand(step, nlu, text, message, probe)


def detect_language(step: Step, text: str) -> str | None:
    """Make the language detected in ``text`` the conversation's, unless somebody chose.

    A choice (the language survey through ``set_language``, later an agent) is stored on
    the contact; detection only ever writes the conversation, so while the contact has no
    language each clear message may set it again, and once it has one nothing here
    overrides it. Returns what this text says (None when it does not say).
    """
    nlu = step.brain.nlu
    if nlu is None or step.done_detecting:
        return step.detected
    step.done_detecting = True
    step.detected = nlu.detect_language(text)
    work = step.work
    if (
        step.detected is not None
        and not work.contact_language
        and work.values["language"] != step.detected
    ):
        work.set_conversation(language=step.detected)
    return step.detected


def classify(
    step: Step, nlu: NluEngine, text: str, message: CustomerMessage, probe: bool
) -> NluResult:
    """The local engine's result, or the remote provider's the hub passed in."""
    work = step.work
    if not step.brain.remote_nlu:
        return nlu.classify(text, work.language)
    if probe:
        raise NeedsRemote(NluRequest(text, str(work.conversation_id), work.language))
    if message.remote_nlu is not None:
        return message.remote_nlu
    result = nlu.classify(text, work.language)
    return dataclasses.replace(result, fallback_reason="unconfigured")


def understand(
    step: Step, nlu: NluEngine, text: str, message: CustomerMessage, probe: bool
) -> None:
    """Classify, tell the rules, answer if they did not, and keep the result."""
    work = step.work
    detected = detect_language(step, text)
    result = classify(step, nlu, text, message, probe)
    matched = result.intent is not None and not result.out_of_scope
    message_id = str(message.message_id)
    events = [
        Event(
            EventKind.MESSAGE_RECEIVED,
            text=text,
            message_id=message_id,
            intent=result.intent if matched else None,
            confidence=result.confidence,
        )
    ]
    if matched:
        events.append(
            Event(
                EventKind.INTENT_MATCHED,
                text=text,
                message_id=message_id,
                intent=result.intent,
                confidence=result.confidence,
            )
        )
    before = len(work.replies)
    step.events(events)
    planned = None
    skipped = None
    if len(work.replies) > before:
        skipped = "a rule replied"
    elif work.status is not Status.BOT:
        skipped = f"conversation {work.status.value}"
    elif work.survey is not None and work.survey.status is SurveyStatus.ACTIVE:
        skipped = "a survey is waiting for an answer"
    else:
        planned = answer(work, nlu, result)
    if planned is not None:
        work.replies.extend(planned.replies)
        if planned.confirm:
            work.replies.append(confirm_reply(planned.language))
        # like a rule's send: the bot now waits for the customer
        step.schedule(step.brain.engine.timers_after_outbound())
    data = stored(
        result,
        answered=planned is not None,
        answer=planned.kind if planned is not None else None,
        detected_language=detected,
        skipped=skipped,
    )
    work.annotate(message.message_id, data)
    summary = result.intent or ("article" if result.article else "out_of_scope")
    work.records.append(Record("nlu", f"nlu({summary})", work.now, explanation=data))


def pressed(step: Step, button: str, message_id: int) -> None:
    """A button: the rules hear it; "yes, that answered it" gets thanks if they are quiet."""
    work = step.work
    before = len(work.replies)
    step.events([Event(EventKind.BUTTON_PRESSED, button=button, message_id=str(message_id))])
    if step.brain.nlu is None or button not in (CONFIRM_YES, CONFIRM_NO):
        return
    helpful = button == CONFIRM_YES
    if helpful and len(work.replies) == before and work.status is Status.BOT:
        work.replies.append(thanks(work.language))
    feedback(work, message_id, helpful)


__all__ = ["NeedsRemote", "NluRequest", "customer_turn", "detect_language", "opened", "pressed"]
