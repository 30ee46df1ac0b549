"""Planned actions (what the hub must do) and the registry that plans them from config.

The engine never acts: each ``then`` step is compiled once, by its registry entry, into a
planner that turns the facts into a frozen :class:`PlannedAction`. A new action kind is one
:data:`ACTIONS` entry (plus its key in ``config.rules.ActionStep``); a new notification
channel (email, Slack) is not even that: it is a ``via`` name the hub's notifier registry
knows, passed to ``check_automations(notifiers=...)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar

from automations.errors import ActionError, FieldValueError
from automations.fields import FieldValidator, FieldValue
from automations.templates import Template
from config.automation_types import LocalText, text_for
from config.rules import (
    AssignTeamParams,
    EscalateParams,
    NotifyParams,
    ResolveParams,
    SendParams,
    SetFieldParams,
    SetLanguageParams,
    StartSurveyParams,
)
from config.teams import TeamsFile

# -- what crosses into the hub -------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedAction:
    """Base of every planned action; ``rule`` names who planned it (for logs and failures)."""

    kind: ClassVar[str] = ""
    rule: str

    def describe(self) -> str:
        """``assign_team(team='french')``: how explanations show the action."""
        args = ", ".join(
            f"{f.name}={value!r}"
            for f in fields(self)
            if f.name != "rule" and (value := getattr(self, f.name)) not in (None, (), "")
        )
        return f"{self.kind}({args})"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True, slots=True)
class MessageButton:
    id: str
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SendMessage(PlannedAction):
    """A bot message; with ``snippet`` set the hub renders that snippet instead of ``text``."""

    kind: ClassVar[str] = "send"
    text: str
    language: str
    buttons: tuple[MessageButton, ...] = ()
    snippet: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StartSurvey(PlannedAction):
    kind: ClassVar[str] = "start_survey"
    survey: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SetField(PlannedAction):
    """An already validated value; the hub stores it and raises ``field_changed``."""

    kind: ClassVar[str] = "set_field"
    field: str
    value: FieldValue


@dataclass(frozen=True, slots=True, kw_only=True)
class ClearField(PlannedAction):
    kind: ClassVar[str] = "clear_field"
    field: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AddLabel(PlannedAction):
    kind: ClassVar[str] = "add_label"
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RemoveLabel(PlannedAction):
    kind: ClassVar[str] = "remove_label"
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SetPriority(PlannedAction):
    kind: ClassVar[str] = "set_priority"
    priority: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignTeam(PlannedAction):
    """Put the conversation in ``team``'s queue (agent choice comes with escalation)."""

    kind: ClassVar[str] = "assign_team"
    team: str


@dataclass(frozen=True, slots=True, kw_only=True)
class AssignAgent(PlannedAction):
    kind: ClassVar[str] = "assign_agent"
    agent: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Escalate(PlannedAction):
    kind: ClassVar[str] = "escalate"
    reason: str
    priority: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Resolve(PlannedAction):
    kind: ClassVar[str] = "resolve"
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Notify(PlannedAction):
    """Tell people outside the conversation; ``via`` picks the hub's notifier."""

    kind: ClassVar[str] = "notify"
    via: str
    text: str
    to: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SetLanguage(PlannedAction):
    kind: ClassVar[str] = "set_language"
    language: str


# -- planning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionEnv:
    """What planners may consult; built once per engine."""

    validator: FieldValidator
    teams: TeamsFile
    languages: tuple[str, ...]
    default_language: str


@dataclass
class PlanContext:
    """Working state while one rule's actions are planned.

    ``set_language`` and ``set_field`` update it, so a later ``send`` of the same decision
    speaks the new language and sees the new value, as the customer will.
    """

    rule: str
    language: str
    fields: dict[str, Any]
    template_context: dict[str, Any] = field(default_factory=dict)

    def templates(self) -> dict[str, Any]:
        return {**self.template_context, "fields": self.fields, "language": self.language}


Planner = Callable[[PlanContext], PlannedAction]
ActionCompiler = Callable[[Any, ActionEnv], Planner]


def _local(text: LocalText) -> dict[str, Template] | Template:
    if isinstance(text, str):
        return Template(text)
    return {lang: Template(value) for lang, value in text.items()}


def _pick(compiled: dict[str, Template] | Template, ctx: PlanContext, env: ActionEnv) -> Template:
    if isinstance(compiled, Template):
        return compiled
    chosen = compiled.get(ctx.language) or compiled.get(env.default_language)
    return chosen if chosen is not None else next(iter(compiled.values()))


def _send(params: SendParams, env: ActionEnv) -> Planner:
    body = _local(params.text) if params.text is not None else None
    buttons = params.buttons
    snippet = params.snippet

    def plan(ctx: PlanContext) -> PlannedAction:
        text = _pick(body, ctx, env).render(ctx.templates()) if body is not None else ""
        return SendMessage(
            rule=ctx.rule,
            text=text,
            language=ctx.language,
            snippet=snippet,
            buttons=tuple(
                MessageButton(b.id, text_for(b.title, ctx.language, env.default_language))
                for b in buttons
            ),
        )

    return plan


def _start_survey(params: StartSurveyParams, env: ActionEnv) -> Planner:
    return lambda ctx: StartSurvey(rule=ctx.rule, survey=params.survey)


def _set_field(params: SetFieldParams, env: ActionEnv) -> Planner:
    name = params.field
    raw = params.value
    template = Template(raw) if isinstance(raw, str) else None

    def plan(ctx: PlanContext) -> PlannedAction:
        value = template.render(ctx.templates()) if template is not None else raw
        try:
            checked = env.validator.validate(name, value)
        except FieldValueError as exc:
            raise ActionError(f"field '{name}' refused {value!r}: {exc.message('en')}") from exc
        ctx.fields[name] = checked
        return SetField(rule=ctx.rule, field=name, value=checked)

    return plan


def _clear_field(name: str, env: ActionEnv) -> Planner:
    def plan(ctx: PlanContext) -> PlannedAction:
        ctx.fields.pop(name, None)
        return ClearField(rule=ctx.rule, field=name)

    return plan


def _assign_team(params: AssignTeamParams, env: ActionEnv) -> Planner:
    if params.team is not None:
        team = params.team
        return lambda ctx: AssignTeam(rule=ctx.rule, team=team)
    source = params.language_from

    def plan(ctx: PlanContext) -> PlannedAction:
        language = ctx.fields.get(source or "")
        found = env.teams.for_language(str(language)) if language is not None else None
        name = found.name if found is not None else env.teams.default_team
        if name is None:
            raise ActionError(f"no team speaks {language!r} (field '{source}') and no default_team")
        return AssignTeam(rule=ctx.rule, team=name)

    return plan


def _escalate(params: EscalateParams, env: ActionEnv) -> Planner:
    return lambda ctx: Escalate(rule=ctx.rule, reason=params.reason, priority=params.priority)


def _resolve(params: ResolveParams, env: ActionEnv) -> Planner:
    return lambda ctx: Resolve(rule=ctx.rule, note=params.note)


def _notify(params: NotifyParams, env: ActionEnv) -> Planner:
    body = Template(params.text)
    return lambda ctx: Notify(
        rule=ctx.rule, via=params.via, to=params.to, text=body.render(ctx.templates())
    )


def _set_language(params: SetLanguageParams, env: ActionEnv) -> Planner:
    def plan(ctx: PlanContext) -> PlannedAction:
        if params.from_field is not None:
            value = ctx.fields.get(params.from_field)
            if value is None:
                raise ActionError(f"field '{params.from_field}' is not set")
            language = str(value)
        else:
            language = str(params.language)
        if language not in env.languages:
            raise ActionError(f"language '{language}' is not one of {list(env.languages)}")
        ctx.language = language
        return SetLanguage(rule=ctx.rule, language=language)

    return plan


def _simple(cls: type[PlannedAction], attribute: str) -> ActionCompiler:
    def compile_(value: Any, env: ActionEnv) -> Planner:
        return lambda ctx: cls(rule=ctx.rule, **{attribute: value})

    return compile_


#: action name (the ``then`` key) -> compiler of its planner
ACTIONS: Mapping[str, ActionCompiler] = {
    "send": _send,
    "start_survey": _start_survey,
    "set_field": _set_field,
    "clear_field": _clear_field,
    "add_label": _simple(AddLabel, "label"),
    "remove_label": _simple(RemoveLabel, "label"),
    "set_priority": _simple(SetPriority, "priority"),
    "assign_team": _assign_team,
    "assign_agent": _simple(AssignAgent, "agent"),
    "escalate": _escalate,
    "resolve": _resolve,
    "notify": _notify,
    "set_language": _set_language,
}


def compile_action(name: str, params: Any, env: ActionEnv) -> Planner:
    try:
        compiler = ACTIONS[name]
    except KeyError:
        raise ActionError(f"unknown action '{name}'") from None
    return compiler(params, env)
