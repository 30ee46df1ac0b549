"""Planned actions carried out on the database, in the caller's transaction.

The engine and the survey runner only plan (``automations.actions``); this module is where
a plan touches rows. :class:`Working` holds the conversation, its contact and the bot's
state as one bot step changes them and writes them back once. :data:`HANDLERS` maps each
planned action to its effect, returning the events it causes (``field_changed``,
``conversation_escalated``...) for the bot loop to feed back to the rules.
``start_survey`` is the loop's own business (hub/bot/step.py): it needs the survey runner.

Notifications go through :data:`NOTIFIERS`, one entry per ``via``: email and Slack are
one entry each when the escalation issue adds them.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from automations.actions import (
    AddLabel,
    AssignAgent,
    AssignTeam,
    ClearField,
    Escalate,
    Notify,
    PlannedAction,
    RemoveLabel,
    Resolve,
    SendMessage,
    SetField,
    SetLanguage,
    SetPriority,
)
from automations.errors import ActionError
from automations.fields import FieldValidator, FieldValue, to_json
from automations.rules import Event, EventKind, Facts, Sender
from automations.surveys import SurveyState
from channels.base import Button
from config.loader import AppConfig
from hub.bot import timers
from hub.context import HubContext, InboxRef
from hub.conversation import Change, next_status
from hub.outbound.replies import Reply
from hub.store.automation_models import Notification
from hub.store.models import Agent, Contact, Conversation, ConversationStatus
from snippets import Rendered, SnippetError, SnippetLibrary, Variables

log = logging.getLogger(__name__)

#: rules.yaml's priority names and the integers stored on the conversation (higher first)
PRIORITIES: Mapping[str, int] = {"low": -1, "normal": 0, "high": 1, "urgent": 2}


def priority_name(value: int) -> str:
    """The name of a stored priority (values between names round down)."""
    name = "low"
    for candidate, level in sorted(PRIORITIES.items(), key=lambda item: item[1]):
        if value >= level:
            name = candidate
    return name


def conversation_language(
    config: AppConfig, conversation: Conversation, contact: Contact, inbox_slug: str
) -> str:
    """The conversation's, else the contact's, else the inbox's, else the default language."""
    hub = config.hub
    inbox = config.inbox(inbox_slug)
    for candidate in (conversation.language, contact.language, inbox and inbox.language):
        if candidate and candidate in hub.languages:
            return candidate
    return hub.default_language


@dataclass(frozen=True, slots=True)
class ActionResult:
    """How one action went, as the explanation log shows it."""

    rule: str
    action: str
    ok: bool
    error: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"rule": self.rule, "action": self.action, "ok": self.ok, "error": self.error}


class Working:
    """The conversation, its contact and the bot state while one bot step changes them.

    Changes are made on the rows in memory and written by :meth:`save` in one UPDATE per
    row, in the caller's transaction, so a failed step leaves nothing half done.
    """

    def __init__(
        self,
        ctx: HubContext,
        conn: Any,
        config: AppConfig,
        validator: FieldValidator,
        conversation: Conversation,
        contact: Contact,
        inbox: InboxRef,
        now: datetime,
        assignee_email: str | None = None,
    ) -> None:
        self.ctx = ctx
        self.conn = conn
        self.config = config
        self.validator = validator
        self.conversation = conversation
        self.contact = contact
        self.inbox = inbox
        self.now = now
        self.assignee_email = assignee_email
        adapter = ctx.adapters.get(inbox.slug)
        self.max_buttons = adapter.capabilities.max_buttons if adapter is not None else 0
        state = dict(conversation.bot_state or {})
        self._state_before = dict(state)
        raw_survey = state.get("survey")
        self.survey: SurveyState | None = (
            SurveyState.from_dict(raw_survey) if isinstance(raw_survey, Mapping) else None
        )
        fired = state.get("fired")
        self.fired: Counter[str] = Counter(dict(fired) if isinstance(fired, Mapping) else {})
        self.replies: list[Reply] = []
        self._conversation_dirty: set[str] = set()
        self._contact_dirty: set[str] = set()

    @classmethod
    async def load(
        cls,
        ctx: HubContext,
        conn: Any,
        config: AppConfig,
        validator: FieldValidator,
        conversation: Conversation,
        contact: Contact,
        now: datetime,
    ) -> Working:
        email = None
        if conversation.assignee_id is not None:
            agent = await Agent.filter(id=conversation.assignee_id).using_db(conn).first()
            email = agent.email if agent is not None else None
        inbox = ctx.inboxes_by_id[conversation.inbox_id]
        return cls(ctx, conn, config, validator, conversation, contact, inbox, now, email)

    # -- what the engine sees -----------------------------------------------------------

    @property
    def language(self) -> str:
        return conversation_language(self.config, self.conversation, self.contact, self.inbox.slug)

    def fields(self) -> dict[str, Any]:
        """Custom field values as the engine compares them (dates, tuples), not as stored."""
        values: dict[str, Any] = {}
        for name, raw in (self.contact.custom_fields or {}).items():
            values[name] = self._decode(name, raw)
        return values

    def _decode(self, name: str, raw: object) -> Any:
        if name not in self.validator:
            return raw
        kind = self.validator.spec(name).type
        if kind == "date" and isinstance(raw, str):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                return raw
        if kind == "multi_choice" and isinstance(raw, list):
            return tuple(raw)
        return raw

    def facts(self) -> Facts:
        conversation, contact = self.conversation, self.contact
        inbox = self.config.inbox(self.inbox.slug)
        return Facts(
            conversation_id=str(conversation.id),
            inbox=self.inbox.slug,
            channel=self.inbox.kind,
            language=self.language,
            now=self.now,
            timezone=(inbox.timezone if inbox is not None else None) or self.config.hub.timezone,
            contact={
                "name": contact.name,
                "email": contact.email,
                "phone": contact.phone,
                "language": contact.language,
                "tier": contact.tier,
            },
            fields=self.fields(),
            conversation={
                "status": str(conversation.status),
                "priority": priority_name(conversation.priority),
                "team": conversation.team,
                "assignee": self.assignee_email,
                "topic": conversation.topic,
                "labels": tuple(conversation.labels or ()),
                "language": conversation.language,
            },
            fired=dict(self.fired),
        )

    # -- changes --------------------------------------------------------------------------

    def set_conversation(self, **values: object) -> None:
        for name, value in values.items():
            setattr(self.conversation, name, value)
            self._conversation_dirty.add(name)

    def set_contact(self, **values: object) -> None:
        for name, value in values.items():
            setattr(self.contact, name, value)
            self._contact_dirty.add(name)

    def store_field(self, name: str, value: FieldValue | None) -> None:
        stored = dict(self.contact.custom_fields or {})
        if value is None:
            stored.pop(name, None)
        else:
            stored[name] = to_json(value)
        self.set_contact(custom_fields=stored)

    @property
    def status(self) -> ConversationStatus:
        return ConversationStatus(self.conversation.status)

    def bot_state(self) -> dict[str, object]:
        state = dict(self._state_before)
        if self.fired:
            state["fired"] = dict(self.fired)
        if self.survey is not None:
            state["survey"] = self.survey.to_dict()
        else:
            state.pop("survey", None)
        return state

    async def save(self) -> None:
        state = self.bot_state()
        if state != self._state_before:
            self.set_conversation(bot_state=state)
        if self._conversation_dirty:
            fields = sorted(self._conversation_dirty | {"updated_at"})
            await self.conversation.save(using_db=self.conn, update_fields=fields)
        if self._contact_dirty:
            fields = sorted(self._contact_dirty | {"updated_at"})
            await self.contact.save(using_db=self.conn, update_fields=fields)


# -- one handler per planned action ---------------------------------------------------------

Handler = Callable[[Working, Any], Awaitable[tuple[Event, ...]]]


async def snippet_variables(work: Working) -> Variables:
    """The conversation's values for a snippet the bot sends; ``agent.name`` is the
    assignee's (read only when there is one), ``ticket.id`` the conversation's id."""
    agent_name = None
    if work.conversation.assignee_id is not None:
        agent = await Agent.filter(id=work.conversation.assignee_id).using_db(work.conn).first()
        agent_name = agent.name if agent is not None else None
    inbox = work.config.inbox(work.inbox.slug)
    return Variables(
        conversation_id=str(work.conversation.id),
        contact_name=work.contact.name,
        contact_email=work.contact.email,
        contact_fields=dict(work.contact.custom_fields or {}),
        agent_name=agent_name,
        inbox_name=(inbox.name if inbox is not None else "") or work.config.hub.name,
    )


def snippet_library(work: Working) -> SnippetLibrary:
    """The library built with the bot for this config (a reload swaps both together)."""
    library = getattr(work.ctx.bot, "snippets", None)
    if isinstance(library, SnippetLibrary) and library.file is work.config.snippets:
        return library
    return SnippetLibrary.from_config(work.config.snippets, work.config.hub)


def snippet_buttons(rendered: Rendered, extra: Iterable[Button] = ()) -> tuple[Button, ...]:
    """The snippet's buttons, then the sender's own (an id offered twice is offered once)."""
    buttons = [Button(b.id, b.title) for b in rendered.buttons]
    ids = {b.id for b in buttons}
    buttons += [b for b in extra if b.id not in ids]
    return tuple(buttons)


async def _send(work: Working, action: SendMessage) -> tuple[Event, ...]:
    buttons = tuple(Button(b.id, b.title) for b in action.buttons)
    if action.snippet is None:
        work.replies.append(Reply(text=action.text, buttons=buttons))
        return ()
    try:
        rendered = snippet_library(work).render(
            action.snippet, action.language, await snippet_variables(work)
        )
    except SnippetError as exc:
        raise ActionError(str(exc)) from exc
    work.replies.append(Reply(text=rendered.text, buttons=snippet_buttons(rendered, buttons)))
    return ()


async def _set_field(work: Working, action: SetField) -> tuple[Event, ...]:
    value = work.validator.validate(action.field, action.value)
    old = work.fields().get(action.field)
    work.store_field(action.field, value)
    if old == value:
        return ()
    return (
        Event(
            EventKind.FIELD_CHANGED,
            sender=Sender.SYSTEM,
            field=action.field,
            old_value=old,
            new_value=value,
        ),
    )


async def _clear_field(work: Working, action: ClearField) -> tuple[Event, ...]:
    work.validator.spec(action.field)  # an unknown field is an error the operator sees
    work.store_field(action.field, None)
    return ()


async def _set_language(work: Working, action: SetLanguage) -> tuple[Event, ...]:
    if action.language not in work.config.hub.languages:
        raise ActionError(f"language '{action.language}' is not in hub.yaml languages")
    work.set_conversation(language=action.language)
    work.set_contact(language=action.language)
    return ()


async def _assign_team(work: Working, action: AssignTeam) -> tuple[Event, ...]:
    if work.config.automation.teams.get(action.team) is None:
        raise ActionError(f"no team '{action.team}' in teams.yaml")
    work.set_conversation(team=action.team)
    return ()


async def _assign_agent(work: Working, action: AssignAgent) -> tuple[Event, ...]:
    agent = await Agent.filter(email__iexact=action.agent).using_db(work.conn).first()
    if agent is None:
        raise ActionError(f"no agent '{action.agent}' (add it with `hub agents add`)")
    work.set_conversation(assignee_id=agent.id, assigned_at=work.now)
    status = next_status(work.status, Change.TAKE_OVER)
    if status is not None:
        work.set_conversation(status=status)
    work.assignee_email = agent.email
    return ()


async def _set_priority(work: Working, action: SetPriority) -> tuple[Event, ...]:
    work.set_conversation(priority=PRIORITIES[action.priority])
    return ()


async def _add_label(work: Working, action: AddLabel) -> tuple[Event, ...]:
    labels = list(work.conversation.labels or [])
    if action.label not in labels:
        work.set_conversation(labels=[*labels, action.label])
    return ()


async def _remove_label(work: Working, action: RemoveLabel) -> tuple[Event, ...]:
    labels = list(work.conversation.labels or [])
    if action.label in labels:
        work.set_conversation(labels=[x for x in labels if x != action.label])
    return ()


async def _escalate(work: Working, action: Escalate) -> tuple[Event, ...]:
    """Queue for a person with a minimal handoff note (the full packet, routing and the
    customer's "what happens next" come with the escalation issue)."""
    status = next_status(work.status, Change.ESCALATE)
    if status is None:
        return ()  # already with people: escalating again changes nothing
    if action.priority is not None:
        work.set_conversation(priority=max(work.conversation.priority, PRIORITIES[action.priority]))
    survey = work.survey
    work.set_conversation(
        status=status,
        escalated_at=work.now,
        handoff={
            "reason": action.reason,
            "rule": action.rule,
            "at": work.now.isoformat(),
            "team": work.conversation.team,
            "language": work.language,
            "survey": survey.to_dict() if survey is not None else None,
        },
    )
    return (Event(EventKind.CONVERSATION_ESCALATED, sender=Sender.SYSTEM, reason=action.reason),)


async def _resolve(work: Working, action: Resolve) -> tuple[Event, ...]:
    status = next_status(work.status, Change.RESOLVE)
    if status is None:
        return ()
    work.set_conversation(status=status, resolved_at=work.now)
    await timers.cancel_all(work.conn, work.conversation.id)
    return (Event(EventKind.CONVERSATION_RESOLVED, sender=Sender.SYSTEM, reason=action.note),)


# -- notifications ---------------------------------------------------------------------------

Notifier = Callable[[Working, Notify], Awaitable[None]]


async def _notify_log(work: Working, action: Notify) -> None:
    log.info("rule %s notifies (conversation %s)", action.rule, work.conversation.id)
    log.debug("notification text: %s", action.text)


async def _notify_inbox(work: Working, action: Notify) -> None:
    """Agents read it from the notification record (the inbox UI shows it later)."""


#: ``via`` name -> delivery; every notification is recorded first, whatever its ``via``
NOTIFIERS: dict[str, Notifier] = {"log": _notify_log, "inbox": _notify_inbox}


async def _notify(work: Working, action: Notify) -> tuple[Event, ...]:
    deliver = NOTIFIERS.get(action.via)
    if deliver is None:
        raise ActionError(f"no notifier '{action.via}' (known: {', '.join(sorted(NOTIFIERS))})")
    await Notification.create(
        conversation_id=work.conversation.id,
        rule=action.rule[:128],
        via=action.via,
        recipient=action.to,
        text=action.text,
        using_db=work.conn,
    )
    await deliver(work, action)
    return ()


HANDLERS: Mapping[type[PlannedAction], Handler] = {
    SendMessage: _send,
    SetField: _set_field,
    ClearField: _clear_field,
    SetLanguage: _set_language,
    AssignTeam: _assign_team,
    AssignAgent: _assign_agent,
    SetPriority: _set_priority,
    AddLabel: _add_label,
    RemoveLabel: _remove_label,
    Escalate: _escalate,
    Resolve: _resolve,
    Notify: _notify,
}


async def apply(work: Working, action: PlannedAction) -> tuple[Event, ...]:
    """Carry out ``action``; raise on failure (the caller records it and goes on)."""
    handler = HANDLERS.get(type(action))
    if handler is None:
        raise ActionError(f"the hub cannot carry out '{action.kind}'")
    return await handler(work, action)
