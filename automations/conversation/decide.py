"""``decide``: the one entry point of the brain.

``decide(state, inputs, brain, now)`` runs each input in order over one working copy of
the conversation and returns the complete :class:`Decision`. It is pure and deterministic
(same arguments, equal decision) and never raises: an input that breaks the brain is
recorded as an explanation with the error, and the other inputs still count.

A new input kind is one dataclass in ``automations.conversation.inputs`` and one handler
in :data:`HANDLERS`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from automations.conversation.brain import Brain
from automations.conversation.customer import NeedsRemote, NluRequest, customer_turn, opened
from automations.conversation.decision import Decision, ExplanationRecord, OutgoingMessage
from automations.conversation.inputs import (
    AgentReplied,
    AgentTookOver,
    ConversationOpened,
    CustomerMessage,
    FieldsChanged,
    HandedBack,
    Input,
    ResolvedByAgent,
    TimerFired,
)
from automations.conversation.state import AgentRef, ConversationState
from automations.conversation.step import Step
from automations.conversation.transitions import Cause, Status
from automations.conversation.working import Record, Working
from automations.errors import SurveyError
from automations.rules import Event, EventKind, Sender
from automations.surveys import SurveyStatus, timeout_key

log = logging.getLogger(__name__)

Handler = Callable[[Step, Any], None]


def _opened(step: Step, item: ConversationOpened) -> None:
    opened(step)


def _customer(step: Step, item: CustomerMessage) -> None:
    if step.work.status is not Status.BOT:
        return  # a person holds the conversation: the bot takes no part in this message
    customer_turn(step, item)


def _timer(step: Step, item: TimerFired) -> None:
    """A due timer the hub claimed: expire the survey or raise its event."""
    work = step.work
    work.cancel([item.key])  # the claim took the row; in memory it goes too
    if work.status is Status.RESOLVED:
        return
    survey = work.survey
    if item.kind == "survey_timeout":
        if (
            survey is not None
            and survey.status is SurveyStatus.ACTIVE
            and timeout_key(survey.survey) == item.key
        ):
            try:
                expired = step.brain.surveys.expire(survey, now=work.now)
            except SurveyError:
                work.survey = None  # the survey left the config: forget it
            else:
                step.survey(expired, f"survey_timeout({survey.survey})")
    elif item.event is not None:
        last = work.state.conversation.last_customer_message_at
        if last is None or last <= item.scheduled_at:  # else the customer wrote since
            step.events([item.event])


def _fields(step: Step, item: FieldsChanged) -> None:
    """An agent changed custom fields: rules on ``field_changed`` see it like a survey write."""
    step.events(
        [
            Event(
                EventKind.FIELD_CHANGED,
                sender=Sender.AGENT,
                field=name,
                old_value=old,
                new_value=new,
            )
            for name, (old, new) in item.changes.items()
        ]
    )


def _agent_holds(work: Working, agent: AgentRef) -> None:
    work.set_assignee(agent)
    work.set_conversation(assigned_at=work.now)
    work.report("assigned", agent=agent.email, by="agent")


def _survey_stops(work: Working) -> None:
    """A person speaks now: the running survey stops asking."""
    survey = work.survey
    if survey is not None and survey.status is SurveyStatus.ACTIVE:
        work.survey = replace(survey, status=SurveyStatus.ABANDONED, reason="agent")
        work.cancel([timeout_key(survey.survey)])


def _agent_reply(step: Step, item: AgentReplied) -> None:
    """Replying takes over from the bot; the hub now waits for the customer (``no_reply``
    timers start unless already waiting), and a survey stops asking."""
    work = step.work
    if work.values["first_response_at"] is None:
        work.set_conversation(first_response_at=work.now)
    if work.move(Cause.AGENT_REPLY):
        _agent_holds(work, item.agent)
    step.schedule(step.brain.engine.timers_after_outbound())
    _survey_stops(work)
    work.replies.append(
        OutgoingMessage(
            text=item.text,
            sender_kind="agent",
            agent_id=item.agent.id,
            sender_name=item.agent.name,
        )
    )


def _agent_record(work: Working, event: str, moved: bool) -> None:
    work.records.append(
        Record("agent", event, work.now, explanation={"status": work.status.value, "moved": moved})
    )


def _take_over(step: Step, item: AgentTookOver) -> None:
    work = step.work
    moved = work.move(Cause.TAKE_OVER)
    if moved or work.status is Status.ASSIGNED:
        _agent_holds(work, item.agent)
    _survey_stops(work)
    _agent_record(work, "agent_took_over", moved)


def _hand_back(step: Step, item: HandedBack) -> None:
    work = step.work
    moved = work.move(Cause.HAND_BACK)
    if moved:
        work.set_assignee(None)
        work.report("handed_back", agent=item.agent.email if item.agent else None)
    _agent_record(work, "handed_back", moved)


def _agent_resolve(step: Step, item: ResolvedByAgent) -> None:
    work = step.work
    moved = work.move(Cause.AGENT_RESOLVE)
    _agent_record(work, "resolved_by_agent", moved)
    if not moved:
        return
    work.set_conversation(resolved_at=work.now)
    work.cancel_all()
    work.report("resolved", by="agent", agent=item.agent.email if item.agent else None)
    step.events([Event(EventKind.CONVERSATION_RESOLVED, sender=Sender.AGENT)])


HANDLERS: Mapping[type, Handler] = {
    ConversationOpened: _opened,
    CustomerMessage: _customer,
    TimerFired: _timer,
    FieldsChanged: _fields,
    AgentReplied: _agent_reply,
    AgentTookOver: _take_over,
    HandedBack: _hand_back,
    ResolvedByAgent: _agent_resolve,
}


def _as_list(inputs: Input | Sequence[Input]) -> list[Input]:
    if isinstance(inputs, Sequence):
        return list(inputs)
    return [inputs]


def decide(
    state: ConversationState, inputs: Input | Sequence[Input], brain: Brain, now: datetime
) -> Decision:
    """Everything that happens when ``inputs`` arrive in ``state``, as of ``now``."""
    try:
        work = Working(state, brain, now)
    except Exception as exc:  # a state the brain cannot read: say so, change nothing
        return Decision(explanations=(_error_record(now, "state", exc),))
    for item in _as_list(inputs):
        handler = HANDLERS.get(type(item))
        try:
            if handler is None:
                raise TypeError(f"no handler for input {type(item).__name__}")
            handler(Step(work), item)
        except Exception as exc:  # never out of decide: recorded, the next input still runs
            log.warning(
                "conversation %s: %s broke the brain", state.conversation.id, type(exc).__name__
            )
            log.debug("decide failed", exc_info=True)  # may quote customer data
            work.records.append(_error(now, type(item).__name__, exc))
    try:
        return work.decision()
    except Exception as exc:
        return Decision(explanations=(_error_record(now, "decision", exc),))


def _error(now: datetime, what: str, exc: Exception) -> Record:
    record = Record("brain", f"error({what})", now)
    record.failures.append({"stage": "decide", "error": f"{type(exc).__name__}: {exc}"})
    return record


def _error_record(now: datetime, what: str, exc: Exception) -> ExplanationRecord:
    return _error(now, what, exc).freeze()


def nlu_request(
    state: ConversationState, message: CustomerMessage, brain: Brain, now: datetime
) -> NluRequest | None:
    """What a remote NLU provider must classify before ``decide(state, message, ...)``:
    the turn is run as far as the NLU (pure, nothing kept); None when it never gets there
    (a survey takes the message, a button, a typed confirmation, a local-only config)."""
    if not brain.remote_nlu:
        return None
    try:
        customer_turn(Step(Working(state, brain, now)), message, probe=True)
    except NeedsRemote as needed:
        return needed.request
    except Exception:
        return None
    return None


__all__ = ["HANDLERS", "NluRequest", "decide", "nlu_request"]
