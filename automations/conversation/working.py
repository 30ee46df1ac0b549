"""The conversation while one decision changes it: the brain's only mutable value.

:class:`Working` starts from the frozen :class:`ConversationState`, takes every change an
action, a survey step or the NLU makes (in order, so a later rule sees an earlier one's
writes, as the customer will), keeps the timer table in memory, and at the end freezes all
of it into one :class:`Decision`. Nothing here decides; it only remembers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from automations.actions import PlannedAction
from automations.conversation.brain import Brain, SnippetValues, localized, priority_name
from automations.conversation.decision import (
    ContactChanges,
    ConversationChanges,
    Decision,
    ExplanationRecord,
    NluAnnotation,
    NotificationRecord,
    OutgoingMessage,
    ReportingEvent,
    Signal,
    TimerCancel,
    TimerSet,
)
from automations.conversation.state import AgentRef, BotState, ConversationState, PendingTimer
from automations.conversation.transitions import Cause, Status, next_status
from automations.fields import FieldValue, to_json
from automations.rules import Facts, Timer
from automations.surveys import SurveyState

_CONVERSATION_FIELDS = (
    "status",
    "team",
    "priority",
    "language",
    "topic",
    "labels",
    "handoff",
    "escalated_at",
    "resolved_at",
    "assigned_at",
    "first_response_at",
)


class Record:
    """One explanation entry, filled while its actions run, frozen at the end."""

    __slots__ = ("actions", "at", "event", "explanation", "failures", "fired", "source")

    def __init__(
        self,
        source: str,
        event: str,
        at: datetime,
        fired: tuple[str, ...] = (),
        explanation: Mapping[str, Any] | None = None,
    ) -> None:
        self.source = source
        self.event = event
        self.at = at
        self.fired = fired
        self.explanation = dict(explanation or {})
        self.actions: list[dict[str, Any]] = []
        self.failures: list[dict[str, Any]] = []

    def freeze(self) -> ExplanationRecord:
        return ExplanationRecord(
            source=self.source,
            event=self.event[:255],
            at=self.at,
            fired=self.fired,
            explanation=self.explanation,
            actions=tuple(self.actions),
            failures=tuple(self.failures),
        )


class Working:
    """The state of one conversation as a decision changes it."""

    def __init__(self, state: ConversationState, brain: Brain, now: datetime) -> None:
        self.state = state
        self.brain = brain
        self.config = brain.config
        self.now = now
        conversation, contact = state.conversation, state.contact
        self.conversation_id = conversation.id
        self.inbox = conversation.inbox
        self.channel = conversation.channel.kind
        self.max_buttons = conversation.channel.max_buttons
        self.values: dict[str, Any] = {
            name: getattr(conversation, name) for name in _CONVERSATION_FIELDS
        }
        self.values["labels"] = tuple(conversation.labels)
        self.assignee: AgentRef | None = conversation.assignee
        self.contact_language = contact.language
        self.custom_fields: dict[str, Any] = dict(contact.custom_fields)
        self.conversation_dirty: set[str] = set()
        self.contact_dirty: set[str] = set()
        self.bot_before = conversation.bot_state
        self.survey: SurveyState | None = conversation.bot_state.survey
        self.fired: Counter[str] = Counter(dict(conversation.bot_state.fired))
        self.replies: list[OutgoingMessage] = []
        self.nlu: dict[int, dict[str, Any]] = {}
        self.notifications: list[NotificationRecord] = []
        self.records: list[Record] = []
        self.done: list[PlannedAction] = []
        self.signals: list[Signal] = []
        self.reporting: list[ReportingEvent] = []
        # the timer table in memory, and what changed in it
        self.pending: dict[str, PendingTimer] = {t.key: t for t in state.timers}
        self.cancelled: dict[str, None] = {}
        self.prefixes: dict[str, None] = {}
        self.cancel_everything = False
        self.sets: dict[str, TimerSet] = {}

    # -- what the rules see ---------------------------------------------------------------

    @property
    def status(self) -> Status:
        return Status(self.values["status"])

    @property
    def language(self) -> str:
        """The conversation's, else the contact's, else the inbox's, else the default."""
        hub = self.config.hub
        inbox = self.config.inbox(self.inbox)
        for candidate in (self.values["language"], self.contact_language, inbox and inbox.language):
            if candidate and candidate in hub.languages:
                return str(candidate)
        return hub.default_language

    def fields(self) -> dict[str, Any]:
        """Custom field values as the engine compares them (dates, tuples), not as stored."""
        return {name: self._decode(name, raw) for name, raw in self.custom_fields.items()}

    def _decode(self, name: str, raw: object) -> Any:
        validator = self.brain.validator
        if name not in validator:
            return raw
        kind = validator.spec(name).type
        if kind == "date" and isinstance(raw, str):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                return raw
        if kind == "multi_choice" and isinstance(raw, list):
            return tuple(raw)
        return raw

    def facts(self) -> Facts:
        contact = self.state.contact
        inbox = self.config.inbox(self.inbox)
        values = self.values
        return Facts(
            conversation_id=str(self.conversation_id),
            inbox=self.inbox,
            channel=self.channel,
            language=self.language,
            now=self.now,
            timezone=(inbox.timezone if inbox is not None else None) or self.config.hub.timezone,
            contact={
                "name": contact.name,
                "email": contact.email,
                "phone": contact.phone,
                "language": self.contact_language,
                "tier": contact.tier,
            },
            fields=self.fields(),
            conversation={
                "status": str(values["status"]),
                "priority": priority_name(values["priority"]),
                "team": values["team"],
                "assignee": self.assignee.email if self.assignee is not None else None,
                "topic": values["topic"],
                "labels": tuple(values["labels"]),
                "language": values["language"],
            },
            fired=dict(self.fired),
        )

    def snippet_values(self) -> SnippetValues:
        """``agent.name`` is the assignee's, ``ticket.id`` the conversation's id."""
        inbox = self.config.inbox(self.inbox)
        contact = self.state.contact
        return SnippetValues(
            conversation_id=str(self.conversation_id),
            contact_name=contact.name,
            contact_email=contact.email,
            contact_fields=dict(self.custom_fields),
            agent_name=self.assignee.name if self.assignee is not None else None,
            inbox_name=(inbox.name if inbox is not None else "") or self.config.hub.name,
        )

    def localized(self, texts: Mapping[str, str], language: str) -> str:
        return localized(texts, language, self.config.hub.default_language)

    def last_nlu_before(self, message_id: int) -> int | None:
        """The latest inbound message before ``message_id`` that carries NLU data."""
        for message in reversed(self.state.transcript):
            if (
                message.direction == "in"
                and message.id < message_id
                and self.nlu_of(message.id) is not None
            ):
                return message.id
        return None

    def nlu_of(self, message_id: int) -> Mapping[str, Any] | None:
        if message_id in self.nlu:
            return self.nlu[message_id]
        for message in self.state.transcript:
            if message.id == message_id:
                return message.nlu
        return None

    # -- changes --------------------------------------------------------------------------

    def set_conversation(self, **values: Any) -> None:
        for name, value in values.items():
            self.values[name] = value
            self.conversation_dirty.add(name)

    def move(self, cause: Cause) -> bool:
        """Move the status as the transition table allows for ``cause``; False: no move."""
        target = next_status(self.status, cause)
        if target is None:
            return False
        self.set_conversation(status=target)
        return True

    def set_assignee(self, agent: AgentRef | None) -> None:
        self.assignee = agent
        self.conversation_dirty.add("assignee_id")

    def set_contact_language(self, language: str) -> None:
        self.contact_language = language
        self.contact_dirty.add("language")

    def store_field(self, name: str, value: FieldValue | None) -> None:
        if value is None:
            self.custom_fields.pop(name, None)
        else:
            self.custom_fields[name] = to_json(value)
        self.contact_dirty.add("custom_fields")

    def annotate(self, message_id: int, data: Mapping[str, Any]) -> None:
        self.nlu[message_id] = dict(data)

    def report(self, kind: str, **detail: Any) -> None:
        self.reporting.append(ReportingEvent(kind, self.now, detail))

    # -- timers ---------------------------------------------------------------------------

    def schedule(self, timers: Iterable[Timer]) -> None:
        """Like the hub's table: ``restart`` replaces a pending timer, else it is kept."""
        for timer in timers:
            due = self.now + timer.after
            if timer.restart or timer.key not in self.pending:
                self.pending[timer.key] = PendingTimer(
                    timer.key, timer.kind, self.now, due, timer.event
                )
            self.sets[timer.key] = TimerSet(
                key=timer.key,
                kind=timer.kind,
                due_at=due,
                scheduled_at=self.now,
                event=timer.event,
                restart=timer.restart,
            )

    def cancel(self, keys: Iterable[str]) -> None:
        for key in keys:
            self.pending.pop(key, None)
            self.sets.pop(key, None)
            self.cancelled[key] = None

    def cancel_prefix(self, prefix: str) -> None:
        for key in [k for k in self.pending if k.startswith(prefix)]:
            del self.pending[key]
        for key in [k for k in self.sets if k.startswith(prefix)]:
            del self.sets[key]
        self.prefixes[prefix] = None

    def cancel_all(self) -> None:
        self.pending.clear()
        self.sets.clear()
        self.cancel_everything = True

    # -- the result -----------------------------------------------------------------------

    def bot_state(self) -> BotState:
        return BotState(survey=self.survey, fired=dict(self.fired), extra=self.bot_before.extra)

    def decision(self) -> Decision:
        if self.status is Status.RESOLVED:
            self.cancel_all()
        values = self.values
        assignee = self.assignee
        bot_state = self.bot_state()
        return Decision(
            messages=tuple(self.replies),
            contact=ContactChanges(
                changed=frozenset(self.contact_dirty),
                language=self.contact_language,
                custom_fields=dict(self.custom_fields),
            ),
            conversation=ConversationChanges(
                changed=frozenset(self.conversation_dirty),
                status=self.status,
                team=values["team"],
                assignee_id=assignee.id if assignee is not None else None,
                assignee_email=assignee.email if assignee is not None else None,
                assignee_name=assignee.name if assignee is not None else None,
                priority=values["priority"],
                language=values["language"],
                topic=values["topic"],
                labels=tuple(values["labels"]),
                handoff=values["handoff"],
                escalated_at=values["escalated_at"],
                resolved_at=values["resolved_at"],
                assigned_at=values["assigned_at"],
                first_response_at=values["first_response_at"],
            ),
            bot_state=bot_state if bot_state != self.bot_before else None,
            timers_cancel=TimerCancel(
                keys=tuple(self.cancelled),
                prefixes=tuple(self.prefixes),
                all=self.cancel_everything,
            ),
            timers_set=tuple(self.sets.values()),
            nlu=tuple(NluAnnotation(k, v) for k, v in self.nlu.items()),
            notifications=tuple(self.notifications),
            explanations=tuple(r.freeze() for r in self.records),
            actions=tuple(self.done),
            signals=tuple(self.signals),
            reporting_events=tuple(self.reporting),
        )


__all__ = ["Record", "Working"]
