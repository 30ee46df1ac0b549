"""Planned actions carried out on the :class:`Working` conversation.

The engine and the survey runner only plan (``automations.actions``); here a plan becomes
a change of the working state, returning the events it causes (``field_changed``,
``conversation_escalated``...) for the loop to feed back to the rules. A handler that
cannot do its job raises :class:`~automations.errors.AutomationError`; the loop records
it in the explanation and carries on. ``start_survey`` is the loop's own business: it
needs the survey runner and runs the survey's events (``automations.conversation.step``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from automations.actions import (
    AddLabel,
    AssignAgent,
    AssignTeam,
    ClearField,
    Escalate,
    MessageButton,
    Notify,
    PlannedAction,
    RemoveLabel,
    Resolve,
    SendMessage,
    SetField,
    SetLanguage,
    SetPriority,
)
from automations.conversation.brain import PRIORITIES, RenderedSnippet
from automations.conversation.decision import NotificationRecord, OutgoingMessage
from automations.conversation.transitions import Cause, Status
from automations.conversation.working import Working
from automations.errors import ActionError
from automations.rules import Event, EventKind, Sender

Handler = Callable[[Working, Any], tuple[Event, ...]]


def render_snippet(work: Working, name: str, language: str) -> RenderedSnippet:
    """``name`` rendered for this conversation; raises :class:`ActionError` when it cannot."""
    renderer = work.brain.snippets
    if renderer is None:
        raise ActionError(f"no snippet library to render '{name}'")
    try:
        return renderer(name, language, work.snippet_values())
    except Exception as exc:  # the renderer's own errors (unknown snippet, template)
        raise ActionError(str(exc)) from exc


def snippet_buttons(
    rendered: RenderedSnippet, extra: Iterable[MessageButton] = ()
) -> tuple[MessageButton, ...]:
    """The snippet's buttons, then the sender's own (an id offered twice is offered once)."""
    buttons = [MessageButton(b.id, b.title) for b in rendered.buttons]
    ids = {b.id for b in buttons}
    buttons += [b for b in extra if b.id not in ids]
    return tuple(buttons)


def _send(work: Working, action: SendMessage) -> tuple[Event, ...]:
    buttons = tuple(MessageButton(b.id, b.title) for b in action.buttons)
    if action.snippet is None:
        work.replies.append(OutgoingMessage(text=action.text, buttons=buttons))
        return ()
    rendered = render_snippet(work, action.snippet, action.language)
    work.replies.append(
        OutgoingMessage(text=rendered.text, buttons=snippet_buttons(rendered, buttons))
    )
    return ()


def _set_field(work: Working, action: SetField) -> tuple[Event, ...]:
    value = work.brain.validator.validate(action.field, action.value)
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


def _clear_field(work: Working, action: ClearField) -> tuple[Event, ...]:
    work.brain.validator.spec(action.field)  # an unknown field is an error the operator sees
    work.store_field(action.field, None)
    return ()


def _set_language(work: Working, action: SetLanguage) -> tuple[Event, ...]:
    if action.language not in work.config.hub.languages:
        raise ActionError(f"language '{action.language}' is not in hub.yaml languages")
    work.set_conversation(language=action.language)
    work.set_contact_language(action.language)
    return ()


def _assign_team(work: Working, action: AssignTeam) -> tuple[Event, ...]:
    if work.config.automation.teams.get(action.team) is None:
        raise ActionError(f"no team '{action.team}' in teams.yaml")
    work.set_conversation(team=action.team)
    return ()


def _assign_agent(work: Working, action: AssignAgent) -> tuple[Event, ...]:
    agent = work.state.agent(action.agent)
    if agent is None:
        raise ActionError(f"no agent '{action.agent}' (add it with `hub agents add`)")
    work.set_assignee(agent)
    work.set_conversation(assigned_at=work.now)
    if work.move(Cause.ASSIGN):
        work.report("assigned", agent=agent.email, rule=action.rule)
    return ()


def _set_priority(work: Working, action: SetPriority) -> tuple[Event, ...]:
    work.set_conversation(priority=PRIORITIES[action.priority])
    return ()


def _add_label(work: Working, action: AddLabel) -> tuple[Event, ...]:
    labels = tuple(work.values["labels"])
    if action.label not in labels:
        work.set_conversation(labels=(*labels, action.label))
    return ()


def _remove_label(work: Working, action: RemoveLabel) -> tuple[Event, ...]:
    labels = tuple(work.values["labels"])
    if action.label in labels:
        work.set_conversation(labels=tuple(x for x in labels if x != action.label))
    return ()


def _escalate(work: Working, action: Escalate) -> tuple[Event, ...]:
    """Queue for a person with a minimal handoff note (the escalation issue replaces the
    note with the versioned handoff record, and adds routing)."""
    if work.status is not Status.BOT:
        return ()  # already with people: escalating again changes nothing
    if action.priority is not None:
        work.set_conversation(priority=max(work.values["priority"], PRIORITIES[action.priority]))
    survey = work.survey
    work.move(Cause.ESCALATE)
    work.set_conversation(
        escalated_at=work.now,
        handoff={
            "reason": action.reason,
            "rule": action.rule,
            "at": work.now.isoformat(),
            "team": work.values["team"],
            "language": work.language,
            "survey": survey.to_dict() if survey is not None else None,
        },
    )
    work.report("escalated", reason=action.reason, rule=action.rule)
    return (Event(EventKind.CONVERSATION_ESCALATED, sender=Sender.SYSTEM, reason=action.reason),)


def _resolve(work: Working, action: Resolve) -> tuple[Event, ...]:
    if not work.move(Cause.RESOLVE):
        return ()
    work.set_conversation(resolved_at=work.now)
    work.cancel_all()
    work.report("resolved", by="rule", rule=action.rule)
    return (Event(EventKind.CONVERSATION_RESOLVED, sender=Sender.SYSTEM, reason=action.note),)


def _notify(work: Working, action: Notify) -> tuple[Event, ...]:
    known = work.brain.notifiers
    if action.via not in known:
        raise ActionError(f"no notifier '{action.via}' (known: {', '.join(sorted(known))})")
    work.notifications.append(
        NotificationRecord(rule=action.rule[:128], via=action.via, to=action.to, text=action.text)
    )
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


def carry_out(work: Working, action: PlannedAction) -> tuple[Event, ...]:
    """Carry out ``action``; raise on failure (the caller records it and goes on)."""
    handler = HANDLERS.get(type(action))
    if handler is None:
        raise ActionError(f"the brain cannot carry out '{action.kind}'")
    return handler(work, action)


__all__ = ["HANDLERS", "carry_out", "render_snippet", "snippet_buttons"]
