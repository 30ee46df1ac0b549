"""One past conversation replayed through ``decide`` on a virtual clock.

Only the customer's turns are replayed, in order, each at its own timestamp: the bot's
answers come from the config under test, never from the history, and the agents' old
replies are left out (they answered a conversation that may no longer reach them). Due
timers fire between turns in the order the hub's job queue fires them, and for
:attr:`Settings.settle` after the last turn, so idle rules ("still there?", "close after
an hour") run as they would live. Nothing here reads a clock, a file or the network: the
same conversation and config give the same :class:`Replayed`, which is what makes the
report reproducible byte for byte.

What the conversation came to is one :class:`Verdict`, first match wins (README,
"Simulation"): ``escalated`` (it left the bot), ``out_of_scope`` (the customer's last
question got no answer: no intent, no article), ``abandoned`` (the customer left while the
bot waited for them: a survey unfinished, or nothing asked after the welcome), else
``automated`` (the bot handled it end to end).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from automations.conversation import (
    Brain,
    Channel,
    ContactSnapshot,
    ConversationSnapshot,
    ConversationState,
    CustomerMessage,
    Decision,
    Input,
    TimerFired,
    decide,
    memory,
)
from automations.metrics import Kind, LoggedEvent, Where, logged
from automations.simulation.history import HistoryConversation
from automations.surveys import SurveyStatus

#: rule events that answer the customer (a welcome after the language survey does not)
ANSWERING = ("button_pressed", "message_received", "intent_matched")


class Verdict(StrEnum):
    AUTOMATED = "automated"
    ESCALATED = "escalated"
    OUT_OF_SCOPE = "out_of_scope"
    ABANDONED = "abandoned"


@dataclass(frozen=True, slots=True)
class Settings:
    """How conversations are laid out for the brain (the CLI fills it from the config and
    the channel adapters, which ``automations`` may not import)."""

    #: buttons each channel shows (0: a numbered list in the text)
    max_buttons: Mapping[str, int] = field(default_factory=dict)
    #: inbox slug per channel, for a history line that names none
    inboxes: Mapping[str, str] = field(default_factory=dict)
    #: how long timers keep firing after the customer's last turn
    settle: timedelta = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class Replayed:
    id: str
    line: int
    channel: str
    language: str
    verdict: Verdict
    started_at: datetime
    ended_at: datetime
    #: escalation: the reason, the rule that escalated, when
    reason: str | None = None
    rule: str | None = None
    escalated_at: datetime | None = None
    team: str | None = None
    topic: str | None = None
    priority: int = 0
    tier: str | None = None
    intents: tuple[str, ...] = ()
    articles: tuple[str, ...] = ()
    surveys_completed: tuple[str, ...] = ()
    #: every rule that fired, sorted (what the diff names)
    fired: tuple[str, ...] = ()
    #: the customer's questions the bot could not answer, in order
    unanswered: tuple[str, ...] = ()
    inputs: int = 0
    log: tuple[LoggedEvent, ...] = ()

    @property
    def signals(self) -> tuple[str, ...]:
        return tuple(e.reason or "unknown" for e in self.log if e.kind is Kind.SIGNAL)

    #: what the history says happened live
    live_outcome: str | None = None

    def cause(self) -> str:
        """What decided the verdict, in the words a diff shows."""
        if self.verdict is Verdict.ESCALATED:
            return f"rule {self.rule}" if self.rule else f"reason {self.reason}"
        if self.verdict is Verdict.AUTOMATED and self.intents:
            return f"intent {self.intents[-1]}"
        return self.verdict.value


def initial_state(
    conversation: HistoryConversation, number: int, settings: Settings
) -> ConversationState:
    contact = conversation.contact
    inbox = conversation.inbox or settings.inboxes.get(conversation.channel, conversation.channel)
    return ConversationState(
        contact=ContactSnapshot(
            id=number,
            name=contact.name,
            email=contact.email,
            phone=contact.phone,
            language=contact.language,
            tier=contact.tier,
            custom_fields=dict(contact.fields),
        ),
        conversation=ConversationSnapshot(
            id=number,
            inbox=inbox,
            channel=Channel(
                conversation.channel, settings.max_buttons.get(conversation.channel, 0)
            ),
            language=conversation.language,
        ),
    )


class _Run:
    """The loop's bookkeeping: state, clock, and what the decisions said."""

    def __init__(
        self, conversation: HistoryConversation, number: int, brain: Brain, settings: Settings
    ) -> None:
        self.brain = brain
        self.state = initial_state(conversation, number, settings)
        self.now = conversation.started_at
        self.where = Where(
            conversation.id,
            contact=conversation.contact.id or conversation.id,
            channel=conversation.channel,
            inbox=self.state.conversation.inbox,
        )
        self.log: list[LoggedEvent] = [
            LoggedEvent(
                Kind.OPENED,
                self.now,
                conversation.id,
                self.where.contact,
                conversation.channel,
                self.where.inbox,
            )
        ]
        self.fired: set[str] = set()
        self.surveys: list[str] = []
        self.nlu: dict[int, Mapping[str, Any]] = {}
        self.texts: dict[int, str] = {}
        self.inputs = 0
        #: a rule answered a customer's button or message (not a survey answer)
        self.helped = False

    def run(self, item: Input) -> Decision:
        decision = decide(self.state, item, self.brain, self.now)
        self.inputs += 1
        self.state = memory.apply(self.state, decision)
        self.fired.update(decision.fired)
        if isinstance(item, CustomerMessage) and decision.messages and not self.helped:
            self.helped = any(
                r.source == "rules" and r.fired and r.event.startswith(ANSWERING)
                for r in decision.explanations
            )
        for record in decision.explanations:
            if record.source == "survey" and record.explanation.get("status") == "completed":
                self.surveys.append(str(record.explanation.get("survey")))
        for note in decision.nlu:
            self.nlu[note.message_id] = note.data
        for event in decision.reporting_events:
            row = logged(event, self.where)
            if row is not None:
                self.log.append(row)
        for signal in decision.signals:  # recorded even when it did not escalate
            self.log.append(
                LoggedEvent(
                    Kind.SIGNAL,
                    self.now,
                    self.where.conversation,
                    self.where.contact,
                    self.where.channel,
                    self.where.inbox,
                    reason=signal.kind,
                    value=None,
                    detail={"score": signal.score},
                )
            )
        return decision

    def wait_until(self, end: datetime) -> None:
        while due := memory.due_timers(self.state, end):
            timer = due[0]
            self.now = max(self.now, timer.due_at)
            self.run(
                TimerFired(timer.key, timer.kind, timer.scheduled_at, timer.event, timer.due_at)
            )
        self.now = max(self.now, end)


def replay(
    conversation: HistoryConversation, number: int, brain: Brain, settings: Settings
) -> Replayed:
    """``conversation`` through ``brain``; ``number`` is its id in memory (1, 2, ...)."""
    run = _Run(conversation, number, brain, settings)
    first = True
    last_customer = conversation.started_at
    for message in conversation.messages:
        if message.role != "customer" or (message.text is None and message.button is None):
            continue
        run.wait_until(message.ts)
        run.state, item = memory.receive(
            run.state, run.now, text=message.text, button=message.button, opened=first
        )
        if message.text is not None and message.button is None:
            run.texts[item.message_id] = message.text
        run.run(item)
        first = False
        last_customer = message.ts
    run.wait_until(last_customer + settings.settle)
    return _result(conversation, run)


def _result(conversation: HistoryConversation, run: _Run) -> Replayed:
    state = run.state
    escalation = next((e for e in run.log if e.kind is Kind.ESCALATED), None)
    read = [(mid, data) for mid, data in sorted(run.nlu.items()) if "intent" in data]
    intents = tuple(str(d["intent"]) for _, d in read if d.get("intent"))
    articles = tuple(
        str(d["article"].get("title"))
        for _, d in read
        if isinstance(d.get("article"), Mapping) and d.get("answered")
    )
    unanswered = tuple(
        run.texts[mid]
        for mid, d in read
        if not d.get("answered")
        and mid in run.texts
        and d.get("out_of_scope")
        and not d.get("skipped")
    )
    conversation_row = state.conversation
    language = (
        conversation_row.language
        or state.contact.language
        or conversation.language
        or run.brain.config.hub.default_language
    )
    verdict = _verdict(state, escalation, read, run.helped)
    labels = conversation_row.labels
    return Replayed(
        id=conversation.id,
        line=conversation.line,
        channel=conversation.channel,
        language=language,
        verdict=verdict,
        started_at=conversation.started_at,
        ended_at=run.now,
        reason=escalation.reason if escalation else None,
        rule=str(escalation.detail.get("rule"))
        if escalation and escalation.detail.get("rule")
        else None,
        escalated_at=escalation.at if escalation else None,
        team=conversation_row.team,
        topic=conversation_row.topic or (labels[0] if labels else None),
        priority=conversation_row.priority,
        tier=state.contact.tier,
        intents=intents,
        articles=articles,
        surveys_completed=tuple(run.surveys),
        fired=tuple(sorted(run.fired)),
        unanswered=unanswered,
        inputs=run.inputs,
        log=tuple(run.log),
        live_outcome=conversation.outcome,
    )


def _verdict(
    state: ConversationState,
    escalation: LoggedEvent | None,
    read: list[tuple[int, Mapping[str, Any]]],
    helped: bool,
) -> Verdict:
    if escalation is not None:
        return Verdict.ESCALATED
    if read:
        last = read[-1][1]
        if last.get("out_of_scope") and not last.get("answered") and not last.get("skipped"):
            return Verdict.OUT_OF_SCOPE
    survey = state.conversation.bot_state.survey
    if survey is not None and survey.status in (SurveyStatus.ACTIVE, SurveyStatus.ABANDONED):
        return Verdict.ABANDONED
    if not any(d.get("answered") for _, d in read) and not helped:
        return Verdict.ABANDONED
    return Verdict.AUTOMATED


__all__ = ["Replayed", "Settings", "Verdict", "initial_state", "replay"]
