"""Model of ``rules.yaml``: ``when`` an event, ``if`` conditions, ``then`` actions.

Shorthands keep the file readable (``when: {button_pressed: pricing}``,
``language: fr``, ``- start_survey: language``); validators expand them into one explicit
shape so the engine compiles a single form. Misspelt event, condition and action names are
refused with a did-you-mean.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from config.automation_types import Duration, LocalText, Name, NonEmpty, did_you_mean, valid_regex
from config.validation import StrictModel

EventName = Literal[
    "conversation_opened",
    "message_received",
    "field_changed",
    "survey_answered",
    "survey_abandoned",
    "button_pressed",
    "intent_matched",
    "no_reply",
    "conversation_escalated",
    "conversation_resolved",
]
EVENT_NAMES: tuple[str, ...] = EventName.__args__  # type: ignore[attr-defined]

#: the event's own filter key: ``when: {field_changed: preferred_language}``
EVENT_FILTER: dict[str, str] = {
    "field_changed": "field",
    "survey_answered": "survey",
    "survey_abandoned": "survey",
    "button_pressed": "button",
    "intent_matched": "intent",
    "no_reply": "after",
}
_FILTER_KEYS = ("field", "survey", "button", "intent", "after")


class Trigger(StrictModel):
    event: EventName
    field: Name | None = None
    survey: Name | None = None
    button: str | None = None
    intent: str | None = None
    after: Duration | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            data = {"event": data}
        elif isinstance(data, dict) and "event" not in data and len(data) == 1:
            ((name, value),) = data.items()
            data = {"event": name}
            if name in EVENT_FILTER and value is not None:
                data[EVENT_FILTER[name]] = value
            elif name in EVENT_NAMES and value is not None:
                raise ValueError(f"event '{name}' takes no filter")
        if isinstance(data, dict) and isinstance(data.get("event"), str):
            event = data["event"]
            if event not in EVENT_NAMES:
                raise ValueError(f"unknown event '{event}'{did_you_mean(event, EVENT_NAMES)}")
        return data

    @model_validator(mode="after")
    def _filter_fits_event(self) -> Trigger:
        own = EVENT_FILTER.get(self.event)
        for key in _FILTER_KEYS:
            if key != own and getattr(self, key) is not None:
                raise ValueError(f"'{key}' does not apply to event '{self.event}'")
        if self.event == "no_reply" and self.after is None:
            raise ValueError("no_reply needs a duration, e.g. when: {no_reply: 10m}")
        return self

    @property
    def filter_value(self) -> str | None:
        """The value the event must carry for the rule to be a candidate (None: any)."""
        own = EVENT_FILTER.get(self.event)
        if own is None:
            return None
        if own == "after":
            return str(int(self.after.total_seconds())) if self.after else None
        value = getattr(self, own)
        return None if value is None else str(value)


Scalar = bool | int | float | date | str
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")

#: operators by name, and which subjects they apply to
TIME_OPERATORS = frozenset({"between", "before", "after", "weekdays"})
NUMBER_OPERATORS = frozenset({"gt", "gte", "lt", "lte"})
TEXT_OPERATORS = frozenset({"contains_any", "matches"})
VALUE_OPERATORS = frozenset({"equals", "not_equals", "in", "not_in", "is_set"})


def clock(value: str) -> tuple[int, int]:
    match = _CLOCK.match(value)
    if not match:
        raise ValueError(f"'{value}' is not a time of day (HH:MM, 00:00 to 23:59)")
    return int(match.group(1)), int(match.group(2))


class Test(StrictModel):
    """Operators applied to one subject; several operators in one mapping must all hold."""

    equals: Scalar | None = None
    not_equals: Scalar | None = None
    in_: tuple[Scalar, ...] | None = Field(default=None, alias="in")
    not_in: tuple[Scalar, ...] | None = None
    is_set: bool | None = None
    contains_any: Annotated[tuple[str, ...], NonEmpty] | None = None
    matches: str | None = None
    gt: float | None = None
    gte: float | None = None
    lt: float | None = None
    lte: float | None = None
    between: tuple[str, str] | None = None
    before: str | None = None
    after: str | None = None
    weekdays: Annotated[tuple[Weekday, ...], NonEmpty] | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, list):
            return {"in": data}
        if not isinstance(data, dict):
            return {"equals": data}
        return data

    @field_validator("matches")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        return valid_regex(value)

    @field_validator("before", "after")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        if value is not None:
            clock(value)
        return value

    @field_validator("between")
    @classmethod
    def _clocks(cls, value: tuple[str, str] | None) -> tuple[str, str] | None:
        if value is not None:
            clock(value[0])
            clock(value[1])
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Test:
        if not self.operators:
            raise ValueError("needs an operator")
        return self

    @property
    def operators(self) -> dict[str, Any]:
        """Operator name (as written in YAML) -> argument, for the operators given."""
        raw = {name: getattr(self, name) for name in type(self).model_fields}
        return {
            ("in" if name == "in_" else name): value
            for name, value in raw.items()
            if value is not None
        }


MAP_SUBJECTS = ("field", "contact", "conversation")
VALUE_SUBJECTS = ("channel", "inbox", "language", "text", "intent", "confidence", "time", "button")
COMBINATORS = ("all", "any", "not")


def operators_for(subject: str) -> frozenset[str]:
    """Which operators make sense on a subject (``time`` has its own, and so on)."""
    if subject == "time":
        return TIME_OPERATORS
    if subject == "confidence":
        return NUMBER_OPERATORS | {"is_set"}
    if subject in MAP_SUBJECTS:
        return VALUE_OPERATORS | TEXT_OPERATORS | NUMBER_OPERATORS
    if subject == "text":
        return VALUE_OPERATORS | TEXT_OPERATORS
    return VALUE_OPERATORS | {"matches"}


class Condition(StrictModel):
    """A mapping of subjects and combinators; several keys in one mapping must all hold."""

    all_: Annotated[tuple[Condition, ...], NonEmpty] | None = Field(default=None, alias="all")
    any_: Annotated[tuple[Condition, ...], NonEmpty] | None = Field(default=None, alias="any")
    not_: Condition | None = Field(default=None, alias="not")
    field: dict[Name, Test] | None = None
    contact: dict[str, Test] | None = None
    conversation: dict[str, Test] | None = None
    channel: Test | None = None
    inbox: Test | None = None
    language: Test | None = None
    text: Test | None = None
    intent: Test | None = None
    confidence: Test | None = None
    time: Test | None = None
    button: Test | None = None

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            known = (*COMBINATORS, *MAP_SUBJECTS, *VALUE_SUBJECTS)
            for key in data:
                if key not in known:
                    raise ValueError(f"unknown condition '{key}'{did_you_mean(str(key), known)}")
            if not data:
                raise ValueError("empty condition")
        return data


Priority = Literal["low", "normal", "high", "urgent"]
Label = str


class ButtonDef(StrictModel):
    """A quick-action button; pressing it raises ``button_pressed`` with ``id``."""

    id: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_-]+$")
    title: LocalText


class SendParams(StrictModel):
    """A message: a text per language (may use ``{{ contact.name }}``) or a snippet."""

    text: LocalText | None = None
    snippet: str | None = None
    buttons: tuple[ButtonDef, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str) or (
            isinstance(data, dict) and not {"text", "snippet", "buttons"} & set(data)
        ):
            return {"text": data}
        return data

    @model_validator(mode="after")
    def _one_source(self) -> SendParams:
        if (self.text is None) == (self.snippet is None):
            raise ValueError("give either 'text' or 'snippet'")
        return self


class StartSurveyParams(StrictModel):
    survey: Name

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"survey": data} if isinstance(data, str) else data


class SetFieldParams(StrictModel):
    field: Name
    #: a value of the field's type, or a template string such as ``"{{ contact.language }}"``
    value: Scalar | tuple[str, ...]

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, dict) and "field" not in data and len(data) == 1:
            ((name, value),) = data.items()
            return {"field": name, "value": value}
        return data


class AssignTeamParams(StrictModel):
    """A named team, or the team whose languages include a field's value."""

    team: Name | None = None
    language_from: Name | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"team": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _one(self) -> AssignTeamParams:
        if (self.team is None) == (self.language_from is None):
            raise ValueError("give either 'team' or 'language_from'")
        return self


class EscalateParams(StrictModel):
    reason: str = Field(min_length=1, max_length=500)
    priority: Priority | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"reason": data} if isinstance(data, str) else data


class ResolveParams(StrictModel):
    note: str = ""


class NotifyParams(StrictModel):
    """``via`` names a notifier the hub registered (``inbox`` always exists)."""

    via: Name = "inbox"
    to: str | None = None
    text: str = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"text": data} if isinstance(data, str) else data


class SetLanguageParams(StrictModel):
    language: str | None = None
    from_field: Name | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"language": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _one(self) -> SetLanguageParams:
        if (self.language is None) == (self.from_field is None):
            raise ValueError("give either 'language' or 'from_field'")
        return self


_LABEL = r"^[a-z0-9][a-z0-9_-]{0,62}$"


class ActionStep(StrictModel):
    """One ``then`` item: a mapping with exactly one action name."""

    send: SendParams | None = None
    start_survey: StartSurveyParams | None = None
    set_field: SetFieldParams | None = None
    clear_field: Name | None = None
    add_label: str | None = Field(default=None, pattern=_LABEL)
    remove_label: str | None = Field(default=None, pattern=_LABEL)
    set_priority: Priority | None = None
    assign_team: AssignTeamParams | None = None
    assign_agent: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    escalate: EscalateParams | None = None
    resolve: ResolveParams | None = None
    notify: NotifyParams | None = None
    set_language: SetLanguageParams | None = None

    @model_validator(mode="before")
    @classmethod
    def _one_action(cls, data: Any) -> Any:
        if isinstance(data, str):
            data = {data: None}
        if not isinstance(data, dict):
            return data
        if len(data) != 1:
            names = ", ".join(str(k) for k in data) or "none"
            raise ValueError(f"each step has exactly one action, got: {names}")
        ((name, value),) = data.items()
        if name not in ACTION_NAMES:
            raise ValueError(f"unknown action '{name}'{did_you_mean(str(name), ACTION_NAMES)}")
        if value is None or value is True:
            return {name: {}}
        return data

    @property
    def name(self) -> str:
        return next(n for n in ACTION_NAMES if getattr(self, n) is not None)

    @property
    def params(self) -> Any:
        return getattr(self, self.name)


ACTION_NAMES: tuple[str, ...] = (
    "send",
    "start_survey",
    "set_field",
    "clear_field",
    "add_label",
    "remove_label",
    "set_priority",
    "assign_team",
    "assign_agent",
    "escalate",
    "resolve",
    "notify",
    "set_language",
)


class Rule(StrictModel):
    name: Name
    description: str = ""
    enabled: bool = True
    when: Trigger
    if_: Condition | None = Field(default=None, alias="if")
    then: Annotated[tuple[ActionStep, ...], NonEmpty]
    #: how many times this rule may fire in one conversation (default: the file's setting)
    max_fires: int | None = Field(default=None, ge=1)
    #: once this rule fires, later rules are not considered for the same event
    stop: bool = False


class RulesSettings(StrictModel):
    max_fires_per_conversation: int = Field(default=3, ge=1, le=1000)


class RulesFile(StrictModel):
    settings: RulesSettings = RulesSettings()
    rules: tuple[Rule, ...] = ()

    def get(self, name: str) -> Rule | None:
        return next((r for r in self.rules if r.name == name), None)


Condition.model_rebuild()
